import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Registry } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { loadPlugin } from "../src/plugin-loader.js";
import { cli, tempDir } from "./helpers.js";

const require = createRequire(import.meta.url);

/** The path of a package's bin script, from the workspace's node_modules. */
function binOf(pkg: string, name: string): string {
  const pj = require.resolve(`${pkg}/package.json`);
  const bin = (JSON.parse(readFileSync(pj, "utf8")) as { bin: string | Record<string, string> }).bin;
  return join(pj, "..", typeof bin === "string" ? bin : bin[name]);
}

describe("cflow new plugin", () => {
  it("scaffolds a plugin package that builds, passes its own test and loads into a registry", async () => {
    const cwd = tempDir("scaffold");
    const r = await cli(["new", "plugin", "@acme/cflow-plugin-demo"], { cwd });
    expect(r.code).toBe(0);
    const dir = join(cwd, "cflow-plugin-demo");
    expect(r.stdout).toContain("created plugin @acme/cflow-plugin-demo in cflow-plugin-demo/");
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    expect(pkg.name).toBe("@acme/cflow-plugin-demo");
    expect(pkg.peerDependencies).toEqual({ "@cflow/core": "^0.1.0" });
    expect(pkg.dependencies).toBeUndefined();
    for (const f of ["tsup.config.ts", "tsconfig.json", "vitest.config.ts", "src/index.ts", "src/scale-op.ts", "test/plugin.test.ts", "README.md", ".gitignore"]) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    expect(readFileSync(join(dir, "src/index.ts"), "utf8")).toContain("definePlugin");

    const build = spawnSync(process.execPath, [binOf("tsup", "tsup")], { cwd: dir, encoding: "utf8" });
    expect(build.status, build.stdout + build.stderr).toBe(0);
    expect(existsSync(join(dir, "dist", "index.js"))).toBe(true);
    expect(existsSync(join(dir, "dist", "index.d.ts"))).toBe(true);

    const test = spawnSync(process.execPath, [binOf("vitest", "vitest"), "run"], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    expect(test.status, test.stdout + test.stderr).toBe(0);
    expect(test.stdout).toMatch(/Tests\s+5 passed/);

    const typecheck = spawnSync(process.execPath, [binOf("typescript", "tsc"), "--noEmit", "-p", "."], { cwd: dir, encoding: "utf8" });
    expect(typecheck.status, typecheck.stdout + typecheck.stderr).toBe(0);

    const plugin = await loadPlugin("./cflow-plugin-demo/dist/index.js", cwd);
    const registry = new Registry();
    expect(registry.use(plugin).failed).toEqual([]);
    expect(registry.list()).toContainEqual({ namespace: "ops", name: "demoScale", provider: { plugin: "@acme/cflow-plugin-demo", version: "0.1.0" } });
  });

  it("refuses a non-empty destination", async () => {
    const cwd = tempDir("scaffold");
    expect((await cli(["new", "plugin", "p1"], { cwd })).code).toBe(0);
    const again = await cli(["new", "plugin", "p1"], { cwd });
    expect(again.code).toBe(6);
    expect(again.stderr).toContain("already exists and is not empty");
  });
});
