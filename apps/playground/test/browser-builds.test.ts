// The browser builds of @cflow/core, fda, tuner and manifolds hold nothing Node-only: starting
// from the file each package's "exports" map gives a browser bundler, every JS file it reaches
// (relative imports followed) imports only the four packages — no Node built-in, "node:" or not —
// and uses no Node global (process, Buffer, require, __dirname, setImmediate …).
import { readFileSync } from "node:fs";
import { builtinModules, createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const BROWSER_PACKAGES = ["@cflow/core", "@cflow/fda", "@cflow/tuner", "@cflow/manifolds"];
/** The conditions a browser bundler (Vite, webpack, esbuild with platform "browser") matches. */
const BROWSER_CONDITIONS = new Set(["browser", "import", "module", "default"]);
const NODE_GLOBALS = /\b(process\s*\.|Buffer\b|require\s*\(|createRequire\b|__dirname\b|__filename\b|setImmediate\b|clearImmediate\b|global\s*\.)|import\.meta\.(dirname|filename|resolve)\b/g;
const IMPORTS = /\b(?:import|export)\s*(?:[^'"`;]*?\bfrom\s*)?["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)/g;

const require = createRequire(import.meta.url);

/** One of the browser packages, or one of their subpaths ("@cflow/core/kernel"). */
function isBrowserPackage(spec: string): boolean {
  return BROWSER_PACKAGES.some((p) => spec === p || spec.startsWith(`${p}/`));
}

/** The package's directory (its package.json resolved through the workspace link). */
function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

/** The target of `exports["."]` under the given conditions, in the map's own order (as bundlers read it). */
function exportTarget(entry: unknown, conditions: Set<string>): string | null {
  if (typeof entry === "string") return entry;
  if (entry && typeof entry === "object") {
    for (const [condition, target] of Object.entries(entry)) {
      if (!conditions.has(condition)) continue;
      const found = exportTarget(target, conditions);
      if (found) return found;
    }
  }
  return null;
}

interface Finding {
  file: string;
  what: string;
}

/** Everything Node-only in `entry` and the files it reaches through relative imports. */
function nodeOnlyUses(entry: string, root: string): { files: string[]; findings: Finding[] } {
  const seen = new Set<string>();
  const findings: Finding[] = [];
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(file, "utf8");
    const where = relative(root, file);
    for (const m of code.matchAll(IMPORTS)) {
      const spec = m[1] ?? m[2];
      if (spec.startsWith(".")) visit(resolve(dirname(file), spec));
      else if (spec.startsWith("node:") || builtinModules.includes(spec.split("/")[0])) findings.push({ file: where, what: `imports the Node built-in "${spec}"` });
      else if (!isBrowserPackage(spec)) findings.push({ file: where, what: `imports "${spec}", not one of the browser packages` });
    }
    for (const m of code.matchAll(NODE_GLOBALS)) findings.push({ file: where, what: `uses ${m[0].trim()}` });
  };
  visit(entry);
  return { files: [...seen].map((f) => relative(root, f)), findings };
}

describe("browser builds hold no Node-only code", () => {
  it.each(BROWSER_PACKAGES)("%s", (name) => {
    const dir = packageDir(name);
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { exports: Record<string, unknown> };
    const target = exportTarget(manifest.exports["."], BROWSER_CONDITIONS);
    expect(target, `${name}: exports["."] has no target for a browser bundler`).not.toBeNull();
    const { files, findings } = nodeOnlyUses(join(dir, target as string), dir);
    expect(files.length).toBeGreaterThan(0);
    expect(files.every((f) => f.startsWith("dist/") && f.endsWith(".js"))).toBe(true);
    expect(findings).toEqual([]);
  });

  it.each(["./kernel", "./linalg", "./testing"])("@cflow/core/%s", (subpath) => {
    const dir = packageDir("@cflow/core");
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { exports: Record<string, unknown> };
    const target = exportTarget(manifest.exports[subpath], BROWSER_CONDITIONS);
    expect(target, `@cflow/core: exports["${subpath}"] has no target for a browser bundler`).toBe(`./dist/browser-${subpath.slice(2)}.js`);
    const { files, findings } = nodeOnlyUses(join(dir, target as string), dir);
    expect(files.every((f) => f.startsWith("dist/") && f.endsWith(".js"))).toBe(true);
    expect(findings).toEqual([]);
  });

  it("finds the Node imports of @cflow/core's Node entry (the scan sees what it must refuse)", () => {
    const dir = packageDir("@cflow/core");
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { exports: Record<string, unknown> };
    const nodeEntry = exportTarget(manifest.exports["."], new Set(["node", "import", "default"]));
    expect(nodeEntry).toBe("./dist/index.js");
    const whats = nodeOnlyUses(join(dir, nodeEntry as string), dir).findings.map((f) => f.what);
    expect(whats).toEqual(expect.arrayContaining(['imports the Node built-in "fs"', 'imports the Node built-in "module"', 'imports the Node built-in "os"', "uses createRequire", "uses setImmediate"]));
  });
});
