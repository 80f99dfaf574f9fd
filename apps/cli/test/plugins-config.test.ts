// Plugin discovery: cflow.config.{ts,mjs,js} from the working directory upward, --plugin
// packages and paths, and `cflow plugins` listing everything registered with its provider.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findConfigFile, loadConfig } from "../src/cflow-config.js";
import { EXIT_CODES } from "../src/exit-codes.js";
import { buildRunRegistry } from "../src/run-registry.js";
import { EXAMPLES, caught, cflow, tempDir } from "./helpers.js";

function write(path: string, text: string): string {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** A plugin module registering one op ("twice": y = 2x, a kernel op) and one flow policy. */
const PLUGIN = (name: string, opName = "twice") => `import { definePlugin, scalingOp } from "@cflow/core";
export default definePlugin({
  name: ${JSON.stringify(name)},
  version: "2.3.4",
  setup(registry) {
    registry.ops.register(${JSON.stringify(opName)}, {
      description: "y = 2x",
      params: { shape: { type: "number[]", description: "shape", required: true, min: 1 } },
      create: (params, ctx) => scalingOp(2, params.shape, { dtype: ctx.dtype }),
    });
  },
});
`;

const BROKEN = `import { definePlugin } from "@cflow/core";
export const broken = definePlugin({ name: "broken", version: "0.0.1", setup() { throw new Error("cannot reach the license server"); } });
`;

describe("finding and reading cflow.config", () => {
  it("finds the nearest config from the working directory upward, or none", () => {
    const root = tempDir("find-config");
    const nested = join(root, "a", "b");
    mkdirSync(nested, { recursive: true });
    expect(findConfigFile(nested)).toBe(null);
    write(join(root, "cflow.config.js"), "export default {};\n");
    expect(findConfigFile(nested)).toBe(join(root, "cflow.config.js"));
    write(join(root, "a", "cflow.config.ts"), "export default {};\n");
    expect(findConfigFile(nested)).toBe(join(root, "a", "cflow.config.ts"));
    write(join(root, "a", "cflow.config.mjs"), "export default {};\n");
    expect(findConfigFile(join(root, "a"))).toBe(join(root, "a", "cflow.config.ts"));
  });

  it("reads plugins Vite-style: objects, names or paths, nested lists and falsy holes, from an object or a function", async () => {
    const root = tempDir("read-config");
    write(join(root, "local.ts"), PLUGIN("local-plugin"));
    const file = write(
      join(root, "cflow.config.ts"),
      `import { definePlugin } from "@cflow/core";
const inline = definePlugin({ name: "inline", version: "1.0.0", setup() {} });
export default async () => ({ plugins: [inline, false, [null, "./local.ts"], undefined] });
`,
    );
    expect((await loadConfig(file)).map((p) => p.name)).toEqual(["inline", "local-plugin"]);
  });

  it("refuses a config that is not one, naming the file and the entry", async () => {
    const root = tempDir("bad-config");
    const notObject = await caught(() => loadConfig(write(join(root, "a", "cflow.config.mjs"), "export const plugins = [];\n")));
    expect(notObject.code).toBe("CONFIG_INVALID");
    expect(String(notObject.details.found)).toContain("no default export (exports: plugins)");
    const typo = await caught(() => loadConfig(write(join(root, "b", "cflow.config.mjs"), "export default { plugin: [] };\n")));
    expect(typo.message).toContain('unknown config key "plugin" — did you mean "plugins"?');
    const entry = await caught(() => loadConfig(write(join(root, "c", "cflow.config.mjs"), "export default { plugins: [{ name: 'x' }] };\n")));
    expect(entry.code).toBe("CONFIG_BAD_PLUGIN");
    expect(entry.details.path).toContain("plugins[0]");
  });

  it("builds one registry: built-ins, then the config's plugins, then --plugin ones; a failing setup is reported and the rest load", async () => {
    const root = tempDir("registry");
    write(join(root, "p1.ts"), PLUGIN("from-flag", "thrice"));
    write(join(root, "broken.ts"), BROKEN);
    write(join(root, "cflow.config.ts"), `import local from "./local.ts";\nexport default { plugins: [local, "./broken.ts"] };\n`);
    write(join(root, "local.ts"), PLUGIN("from-config"));
    const r = await buildRunRegistry({ plugins: ["./p1.ts"], cwd: root });
    expect(r.registry.plugins.map((p) => p.plugin)).toEqual(["@cflow/core", "@cflow/manifolds", "@cflow/tuner", "from-config", "from-flag"]);
    expect(r.failures).toMatchObject([{ plugin: "broken", version: "0.0.1", hook: "setup", error: { message: "cannot reach the license server" } }]);
    expect(r.sources.get("from-config")).toBe(join(root, "cflow.config.ts"));
    expect(r.sources.get("from-flag")).toBe(`--plugin ${join(root, "p1.ts")}`);
    expect(r.registry.ops.entry("twice")?.provider).toEqual({ plugin: "from-config", version: "2.3.4" });
    expect(r.pluginSpecifiers).toEqual([join(root, "p1.ts")]);
  });

  it("validates a plugin's transform at registration (the built-ins are trusted)", async () => {
    const root = tempDir("validate");
    write(
      join(root, "bad-transform.ts"),
      `import { definePlugin, identityTransformFactory } from "@cflow/core";
export default definePlugin({ name: "liar", version: "1.0.0", setup(registry) {
  registry.transforms.register("liar", { ...identityTransformFactory, create: (o) => Object.assign(identityTransformFactory.create(o), { c: -1 }) });
} });
`,
    );
    const r = await buildRunRegistry({ plugins: ["./bad-transform.ts"], cwd: root, configFile: null });
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0].error.message).toContain('transform "liar"');
    expect(r.registry.transforms.has("liar")).toBe(false);
  });
});

describe("cflow plugins", () => {
  it("lists every registered name with its provider and version", async () => {
    const r = await cflow(["plugins"], { cwd: tempDir("plugins-plain") });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^config: none/m);
    expect(r.stdout).toMatch(/^ {2}@cflow\/core +0\.1\.0 +built-in$/m);
    expect(r.stdout).toMatch(/^ {2}@cflow\/manifolds +\S+ +built-in$/m);
    expect(r.stdout).toMatch(/^ {2}@cflow\/tuner +\S+ +built-in$/m);
    expect(r.stdout).toMatch(/^ {2}db4 +@cflow\/core@/m);
    expect(r.stdout).toMatch(/^ {2}so3 +@cflow\/manifolds@/m);
    expect(r.stdout).toMatch(/^ {2}gap-dial \(tuner\) +@cflow\/tuner@/m);
    const json = JSON.parse((await cflow(["plugins", "--json"], { cwd: tempDir("plugins-json") })).stdout).result;
    expect(json.entries).toContainEqual({ namespace: "atoms", name: "waveletL1", provider: "@cflow/core", version: "0.1.0" });
    expect(json.entries).toContainEqual({ namespace: "policies", name: "accelerated", kind: "flow", provider: "@cflow/core", version: "0.1.0" });
  });

  it("finds cflow.config.ts above the working directory and reports a plugin that fails by name and hook (exit 6)", async () => {
    const root = tempDir("plugins-config");
    write(join(root, "local.ts"), PLUGIN("from-config"));
    write(join(root, "broken.ts"), BROKEN);
    write(join(root, "cflow.config.ts"), `export default { plugins: ["./local.ts", "./broken.ts"] };\n`);
    const cwd = join(root, "deep", "er");
    mkdirSync(cwd, { recursive: true });
    const r = await cflow(["plugins"], { cwd });
    expect(r.code).toBe(EXIT_CODES.INPUT.code);
    expect(r.stdout).toContain("config: ../../cflow.config.ts");
    expect(r.stdout).toMatch(/^ {2}from-config +2\.3\.4 +\.\.\/\.\.\/cflow\.config\.ts$/m);
    expect(r.stdout).toMatch(/^ {2}broken +0\.0\.1 +failed in setup: cannot reach the license server/m);
    expect(r.stdout).toMatch(/^ {2}twice +from-config@2\.3\.4$/m);
  });

  it("--plugin loads a package by name: @cflow/plugin-graph's atoms, ops and transforms", async () => {
    const r = await cflow(["plugins", "--plugin", "@cflow/plugin-graph", "--json"], { cwd: EXAMPLES });
    expect(r.code).toBe(0);
    const { plugins, entries } = JSON.parse(r.stdout).result;
    expect(plugins).toContainEqual({ name: "@cflow/plugin-graph", version: "0.1.0", source: "--plugin @cflow/plugin-graph", status: "loaded" });
    const graph = entries.filter((e: { provider: string }) => e.provider === "@cflow/plugin-graph").map((e: { namespace: string; name: string }) => `${e.namespace}.${e.name}`);
    expect(graph).toEqual(expect.arrayContaining(["atoms.graphTV", "atoms.dirichletEnergy", "ops.graphLaplacian", "transforms.sgwt"]));
  });

  it("a run in a directory with a config uses its plugins (graph-denoise's cflow.config.ts)", async () => {
    const r = await cflow(["run", "spec.ts", "--param", "size=32", "--out", join(tempDir("config-run"), "runs")], { cwd: join(EXAMPLES, "graph-denoise") });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^GREEN · FINISHED/m);
    const without = await cflow(["lint", "examples/graph-denoise"]);
    expect(without.code).toBe(EXIT_CODES.RED.code);
    expect(without.stdout).toContain('unknown atom "graphTV"');
  });
});
