// Plugin discovery: cflow.config.{ts,mjs,js} from the spec's directory and the working directory
// upward, --plugin packages and paths, `cflow plugins` listing everything registered with its
// provider, and unknown names that say which known plugin registers them.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lintSpec } from "@cflow/core";
import { findConfigFile, findConfigFiles, loadConfig } from "../src/cflow-config.js";
import { EXIT_CODES } from "../src/exit-codes.js";
import { withPluginHints } from "../src/plugin-hints.js";
import { buildRunRegistry } from "../src/run-registry.js";
import { hintSources, resolveSpec, setupFlow } from "../src/run/flow-setup.js";
import { EXAMPLES, REPO_ROOT, caught, cflow, tempDir } from "./helpers.js";

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

/** A spec naming an op type `type` (from a plugin) on a 4-element slot. */
const SPEC_WITH_OP = (type: string) => `import { defineFlow } from "@cflow/core";
export default defineFlow({
  state: { x: { shape: [4] } },
  data: { y: [1, 2, 3, 4] },
  ops: { S: { type: ${JSON.stringify(type)}, shape: [4] } },
  terms: [{ kind: "data", atom: "leastSquares", op: "S", target: "y" }],
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
    const r = await buildRunRegistry({ plugins: ["./bad-transform.ts"], cwd: root, configFiles: [] });
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
    expect(r.stdout).toMatch(/^ {2}gapDial \(tuner\) +@cflow\/tuner@/m);
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
  });

  it("the config next to the spec is found from anywhere: `cflow lint examples/graph-denoise` from the repository root", async () => {
    const r = await cflow(["lint", "examples/graph-denoise", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).result).toMatchObject({ ok: true, errors: 0 });
  });
});

describe("config files next to the spec and in the working directory", () => {
  it("loads the spec's nearest config, then the working directory's, each once, then --plugin ones (the same plugin once)", async () => {
    const root = tempDir("two-configs");
    write(join(root, "project", "a.ts"), PLUGIN("from-spec-config", "twice"));
    write(join(root, "project", "cflow.config.ts"), `export default { plugins: ["./a.ts"] };\n`);
    write(join(root, "work", "b.ts"), PLUGIN("from-cwd-config", "thrice"));
    write(join(root, "work", "cflow.config.ts"), `export default { plugins: ["./b.ts", "../project/a.ts"] };\n`);
    const specDir = join(root, "project", "deep");
    mkdirSync(specDir, { recursive: true });
    expect(findConfigFiles([specDir, join(root, "work")])).toEqual([join(root, "project", "cflow.config.ts"), join(root, "work", "cflow.config.ts")]);
    expect(findConfigFiles([specDir, join(root, "project")])).toEqual([join(root, "project", "cflow.config.ts")]);
    const r = await buildRunRegistry({ plugins: [join(root, "project", "a.ts")], cwd: join(root, "work"), specDir });
    expect(r.configFiles).toEqual([join(root, "project", "cflow.config.ts"), join(root, "work", "cflow.config.ts")]);
    expect(r.registry.plugins.map((p) => p.plugin).slice(3)).toEqual(["from-spec-config", "from-cwd-config"]);
    expect(r.failures).toEqual([]);
    expect(r.sources.get("from-spec-config")).toBe(join(root, "project", "cflow.config.ts"));
  });

  it("graph-denoise from the repository root with --plugin as well: the plugin loads once, no duplicate", async () => {
    const r = await buildRunRegistry({ plugins: ["@cflow/plugin-graph"], cwd: REPO_ROOT, specDir: join(EXAMPLES, "graph-denoise") });
    expect(r.failures).toEqual([]);
    expect(r.sources.get("@cflow/plugin-graph")).toBe(join(EXAMPLES, "graph-denoise", "cflow.config.ts"));
    expect(r.registry.atoms.has("graphTV")).toBe(true);
  });
});

describe("an unknown name says which plugin registers it", () => {
  const lintHints = async (specFile: string, cwd: string, configFiles?: string[]) => {
    const setup = await setupFlow({ spec: specFile, params: {}, plugins: [], cwd, configFiles });
    const report = lintSpec(resolveSpec(setup), { registry: setup.plugins.registry });
    return withPluginHints(report.findings, hintSources(setup, cwd));
  };

  it("graph-denoise without its config: @cflow/plugin-graph, installed for the examples, and --plugin @cflow/plugin-graph", async () => {
    const findings = await lintHints(join(EXAMPLES, "graph-denoise", "spec.ts"), REPO_ROOT, []);
    const f = findings.find((x) => x.path === "terms[1].atom")!;
    expect(f.code).toBe("UNKNOWN_ATOM");
    expect(f.hint).toBe(
      'atom "graphTV" is registered by plugin @cflow/plugin-graph (installed in examples/node_modules/@cflow/plugin-graph): pass --plugin @cflow/plugin-graph, or list "@cflow/plugin-graph" in the plugins of a cflow.config.ts next to the spec',
    );
  });

  it("an installed cflow-plugin package, named through the CLI's lint and run errors", async () => {
    const root = tempDir("installed-plugin");
    write(join(root, "node_modules", "cflow-plugin-doubling", "package.json"), JSON.stringify({ name: "cflow-plugin-doubling", version: "2.3.4", type: "module", main: "index.js" }));
    write(join(root, "node_modules", "cflow-plugin-doubling", "index.js"), PLUGIN("cflow-plugin-doubling", "doubling"));
    write(join(root, "node_modules", "unrelated", "package.json"), JSON.stringify({ name: "unrelated", version: "1.0.0" }));
    write(join(root, "spec.ts"), SPEC_WITH_OP("doubling"));
    const lint = await cflow(["lint", "spec.ts"], { cwd: root });
    expect(lint.code).toBe(EXIT_CODES.RED.code);
    expect(lint.stdout).toContain('hint:     op "doubling" is registered by plugin cflow-plugin-doubling (installed in node_modules/cflow-plugin-doubling): pass --plugin cflow-plugin-doubling');
    const run = await cflow(["run", "spec.ts", "--out", join(root, "runs")], { cwd: root });
    expect(run.code).toBe(EXIT_CODES.RED.code);
    expect(run.stderr).toContain("pass --plugin cflow-plugin-doubling");
    const fixed = await cflow(["lint", "spec.ts", "--plugin", "cflow-plugin-doubling"], { cwd: root });
    expect(fixed.code).toBe(0);
  });

  it("a config found but not loaded (shadowed by a nearer one) is named, and nothing is suggested for a name nobody registers", async () => {
    const root = tempDir("shadowed-config");
    write(join(root, "local.ts"), PLUGIN("outer-plugin", "tripling"));
    write(join(root, "cflow.config.ts"), `export default { plugins: ["./local.ts"] };\n`);
    write(join(root, "sub", "cflow.config.ts"), "export default { plugins: [] };\n");
    write(join(root, "sub", "spec.ts"), SPEC_WITH_OP("tripling"));
    const findings = await lintHints(join(root, "sub", "spec.ts"), join(root, "sub"));
    // the registered name first; the nearest built-in name after it
    expect(findings.find((f) => f.code === "UNKNOWN_OP")?.hint).toBe(
      'op "tripling" is registered by plugin outer-plugin (in ../cflow.config.ts, a config cflow found but did not load): cflow loads only the config nearest the spec and the working directory\'s — run from .., or pass that plugin with --plugin; or did you mean "scaling"?',
    );
    write(join(root, "other", "spec.ts"), SPEC_WITH_OP("nobodyHasThis"));
    const none = await lintHints(join(root, "other", "spec.ts"), join(root, "other"), []);
    expect(none.find((f) => f.code === "UNKNOWN_OP")?.hint).toBeUndefined();
  });
});
