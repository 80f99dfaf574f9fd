import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Registry } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { loadPlugin, loadPlugins } from "../src/plugin-loader.js";
import { loadSpecModule, resolveSpecFile } from "../src/spec/load-spec.js";
import { loadRunManifest } from "@cflow/recorder";
import { EXIT_CODES } from "../src/exit-codes.js";
import { caught, cflow, expectNamed, tempDir } from "./helpers.js";

const SPEC_OBJECT = `
import type { Dtype } from "@cflow/core";
const dtype: Dtype = "float64";
export default {
  name: "tiny",
  dtype,
  state: { x: { shape: [4] } },
  terms: [{ kind: "data", atom: "leastSquares", target: "y" }],
  data: { y: [1, 2, 3, 4] },
};
`;

// defineFlow marks a factory with Symbol.for("cflow.flowFactory") (core/src/spec/define.ts).
const SPEC_FACTORY = `
const factory = (ctx: { dtype: string; params: Record<string, string> }) => ({
  state: { x: { shape: [Number(ctx.params.size ?? 8)] } },
  terms: [],
});
Object.defineProperty(factory, Symbol.for("cflow.flowFactory"), { value: true });
export default factory;
`;

function write(dir: string, name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

// In process (under the test runner's module loader); the binary's loading — tsx hooks, syntax
// errors with file and line — is tested end to end in bad-input.test.ts.
describe("loadSpecModule", () => {
  const dir = tempDir("spec");

  it("imports a TypeScript spec without a build step and returns its default export", async () => {
    const spec = (await loadSpecModule(write(dir, "object.ts", SPEC_OBJECT))) as Record<string, unknown>;
    expect(spec.name).toBe("tiny");
    expect(spec.state).toEqual({ x: { shape: [4] } });
  });

  it("returns a defineFlow factory as it is (callable with a run context)", async () => {
    const f = await loadSpecModule(write(dir, "factory.ts", SPEC_FACTORY));
    expect(typeof f).toBe("function");
    expect((f as (c: object) => { state: { x: { shape: number[] } } })({ dtype: "float32", seed: 0, params: { size: "16" } }).state.x.shape).toEqual([16]);
  });

  it("takes a directory to mean the spec module inside it (an example)", async () => {
    mkdirSync(join(dir, "example"), { recursive: true });
    write(join(dir, "example"), "spec.mjs", "export default { state: { x: { shape: [5] } }, terms: [] };\n");
    expect(resolveSpecFile(join(dir, "example"))).toBe(join(dir, "example", "spec.mjs"));
    write(join(dir, "example"), "spec.ts", "export default { state: { x: { shape: [6] } }, terms: [] };\n");
    expect(((await loadSpecModule(join(dir, "example"))) as unknown as { state: { x: { shape: number[] } } }).state.x.shape).toEqual([6]);
  });

  it("accepts JavaScript modules and a named `spec` export", async () => {
    const js = (await loadSpecModule(write(dir, "plain.mjs", "export default { state: { x: { shape: [2] } }, terms: [] };\n"))) as Record<string, unknown>;
    expect(js.terms).toEqual([]);
    const named = (await loadSpecModule(write(dir, "named.ts", "export const spec = { state: { u: { shape: [3] } }, terms: [] };\n"))) as Record<string, unknown>;
    expect(named.state).toEqual({ u: { shape: [3] } });
  });

  it("refuses a missing file or a directory without a spec module", async () => {
    expectNamed(await caught(() => loadSpecModule(join(dir, "nope.ts"))), "nope.ts", "nothing at this path", "defineFlow");
    mkdirSync(join(dir, "adir"), { recursive: true });
    expectNamed(await caught(() => loadSpecModule(join(dir, "adir"))), "adir", "a directory without one", "spec.ts");
    expectNamed(await caught(() => loadSpecModule(write(dir, "spec.json", "{}"))), "spec.json", ".json", ".ts");
  });

  it("refuses a module without a default (or `spec`) export, listing what it exports", async () => {
    const e = await caught(() => loadSpecModule(write(dir, "noexport.ts", "export const flow = { state: {}, terms: [] };\n")));
    expectNamed(e, "noexport.ts", "exports flow", "export default defineFlow");
    expect(e.details.hint).toContain("export default flow");
  });

  it("refuses exports that are not defineFlow results", async () => {
    const obj = await caught(() => loadSpecModule(write(dir, "obj.ts", "export default { slots: {}, energy: [] };\n")));
    expectNamed(obj, "obj.ts", "keys slots, energy", "FlowSpec");
    expect(obj.code).toBe("SPEC_NOT_A_FLOW");
    const fn = await caught(() => loadSpecModule(write(dir, "fn.ts", "export default function make() { return {}; }\n")));
    expectNamed(fn, "fn.ts", "not a defineFlow factory (make)", "defineFlow((ctx) => ...)");
    const num = await caught(() => loadSpecModule(write(dir, "num.ts", "export default 42;\n")));
    expectNamed(num, "num.ts", "number", "FlowSpec");
  });

  it("reports an exception thrown while the spec module runs, and a missing import", async () => {
    const thrown = await caught(() => loadSpecModule(write(dir, "throws.ts", 'throw new RangeError("psf width must be odd");\nexport default {};\n')));
    expect(thrown.code).toBe("MODULE_FAILED");
    expect(thrown.message).toContain("psf width must be odd");
    expect(thrown.details.path).toContain("throws.ts");
    const missing = await caught(() => loadSpecModule(write(dir, "imports.ts", 'import { x } from "cflow-no-such-package";\nexport default x;\n')));
    expect(missing.code).toBe("MODULE_NOT_FOUND");
    expect(missing.message).toContain("cflow-no-such-package");
    expect(missing.details.hint).toBe("install it: pnpm add cflow-no-such-package");
  });
});

describe("specs Node runs as CommonJS, and async factories", () => {
  // a package without "type": "module": tsx compiles spec.ts to CommonJS (exports.__esModule, exports.default)
  const cjs = tempDir("spec-cjs");
  const dir = tempDir("spec-async");
  writeFileSync(join(cjs, "package.json"), '{ "name": "cjs-specs", "private": true }\n');
  const CJS_SPEC = `import { defineFlow } from "@cflow/core";
export const n = 16;
export default defineFlow({ name: "cjs", state: { x: { shape: [n] } }, data: { y: Array.from({ length: n }, (_, i) => i / n) },
  terms: [{ kind: "data", atom: "leastSquares", target: "y" }], policies: { tuner: { enabled: false }, budgets: { maxIters: 10 } } });
`;
  const ASYNC_SPEC = `import { defineFlow, readFlowParams } from "@cflow/core";
export default defineFlow(async ({ params }) => {
  const { n } = readFlowParams(params, { n: { type: "integer", description: "length", default: 16, min: 4 } });
  const y = await Promise.resolve(Array.from({ length: n }, (_, i) => i / n));
  return { name: "async", state: { x: { shape: [n] } }, data: { y }, terms: [{ kind: "data", atom: "leastSquares", target: "y" }], policies: { tuner: { enabled: false }, budgets: { maxIters: 10 } } };
});
`;

  it("a .ts spec outside a \"type\": \"module\" package loads: its default export, not { __esModule, default }", async () => {
    const spec = (await loadSpecModule(write(cjs, "spec.ts", CJS_SPEC))) as unknown as { name: string };
    expect(spec.name).toBe("cjs");
    const noDefault = await caught(() => loadSpecModule(write(cjs, "named.ts", "export const spec2 = 1;\n")));
    expect(noDefault.code).toBe("SPEC_NO_EXPORT");
    expect(noDefault.details.found).toBe("exports spec2");
  });

  it("cflow lint and run accept both; an async factory is awaited with --param", async () => {
    const runs = join(cjs, "runs");
    const cj = await cflow(["run", join(cjs, "spec.ts"), "--out", runs, "-q"]);
    expect({ code: cj.code, stderr: cj.stderr }).toEqual({ code: 0, stderr: "" });
    const asyncSpec = write(dir, "async.ts", ASYNC_SPEC);
    const lint = await cflow(["lint", asyncSpec, "--json"]);
    expect(JSON.parse(lint.stdout).result).toMatchObject({ ok: true, errors: 0 });
    const r = await cflow(["run", asyncSpec, "--param", "n=24", "--out", runs, "--json"]);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout).result;
    expect(result).toMatchObject({ status: "FINISHED", iters: 10 });
    expect(loadRunManifest(result.run_dir).slots).toEqual([{ name: "x", shape: [24], manifold: "euclidean" }]);
  });

  it("an async factory that rejects is reported naming the spec file", async () => {
    const f = write(dir, "rejects.ts", 'import { defineFlow } from "@cflow/core";\nexport default defineFlow(async () => { throw new Error("psf.npy is missing"); });\n');
    const r = await cflow(["lint", f]);
    expect(r.code).toBe(EXIT_CODES.INPUT.code);
    expect(r.stderr).toContain(`[SPEC_FACTORY_FAILED] ${f}: the spec factory threw: psf.npy is missing`);
  });
});

describe("loadPlugins", () => {
  const dir = tempDir("plugin");

  it("imports a plugin module by path and the registry loads it", async () => {
    write(
      dir,
      "my-plugin.ts",
      `import { definePlugin } from "@cflow/core";
export default definePlugin({ name: "my-plugin", version: "1.2.3", setup(registry) {
  registry.policies.register("myPolicy", { description: "test", kind: "flow" } as never);
} });
`,
    );
    const [p] = await loadPlugins(["./my-plugin.ts"], dir);
    expect(p.name).toBe("my-plugin");
    const registry = new Registry();
    const report = registry.use(p);
    expect(report.failed).toEqual([]);
    expect(registry.list().find((e) => e.name === "myPolicy")?.provider).toEqual({ plugin: "my-plugin", version: "1.2.3" });
  });

  it("refuses a module that does not export a plugin, and a package that is not installed", async () => {
    write(dir, "not-a-plugin.mjs", "export default { name: 'x' };\n");
    const e = await caught(() => loadPlugin("./not-a-plugin.mjs", dir));
    expectNamed(e, "not-a-plugin.mjs", "an object with name", "definePlugin");
    const missing = await caught(() => loadPlugin("cflow-plugin-does-not-exist", dir));
    expect(missing.code).toBe("MODULE_NOT_FOUND");
    expect(missing.message).toContain("cflow-plugin-does-not-exist");
  });
});
