import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { CflowError } from "@cflow/core";
import { register } from "tsx/esm/api";

let tsxRegistered = false;
let loads = 0;

/**
 * Imports a TypeScript or JavaScript module without a build step. tsx's loader is registered
 * process-wide (not scoped to the import), so a spec's `@cflow/core` is the CLI's own instance —
 * one kernel, one class of each op and error — whenever both resolve to the same package. Paths
 * are loaded fresh on every call; package names resolve from `parentDir` (its node_modules, then
 * each parent's). Failures become CflowErrors naming the module: a syntax error with its file and
 * line, a missing import with what was missing, an exception thrown while the module ran.
 * A module Node ran as CommonJS (a `.ts` outside a `"type": "module"` package, compiled by tsx
 * with `export default` as `exports.default` beside `__esModule`) is unwrapped, so its exports
 * read the same as from an ES module.
 */
export async function importModule(specifier: string, parentDir: string, what: string): Promise<Record<string, unknown>> {
  if (!tsxRegistered) {
    register();
    tsxRegistered = true;
  }
  try {
    const isPath = specifier.startsWith(".") || isAbsolute(specifier);
    const url = isPath ? `${pathToFileURL(resolve(parentDir, specifier)).href}?cflow-load=${++loads}` : pathToFileURL(resolvePackage(specifier, parentDir)).href;
    return esModuleExports((await import(url)) as Record<string, unknown>);
  } catch (err) {
    throw translateImportError(err, specifier, what);
  }
}

/** The namespace of an ES module, or of a CommonJS module that marks itself `__esModule` (its `module.exports`). */
function esModuleExports(ns: Record<string, unknown>): Record<string, unknown> {
  const cjs = ns.default;
  const isInterop = typeof cjs === "object" && cjs !== null && (cjs as { __esModule?: unknown }).__esModule === true;
  return isInterop ? (cjs as Record<string, unknown>) : ns;
}

/**
 * The ESM entry of a package (`name` or `name/subpath`) installed in `fromDir`'s node_modules or
 * a parent's: its `exports` (conditions import, node, default) or else `main`/`index.js`.
 */
export function resolvePackage(specifier: string, fromDir: string): string {
  const parts = specifier.split("/");
  const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
  const subpath = `.${specifier.slice(name.length)}`;
  for (let dir = resolve(fromDir); ; dir = dirname(dir)) {
    const pkgDir = join(dir, "node_modules", name);
    if (existsSync(join(pkgDir, "package.json"))) {
      const real = realpathSync(pkgDir);
      const pj = JSON.parse(readFileSync(join(real, "package.json"), "utf8")) as { exports?: unknown; main?: string };
      const target = pj.exports !== undefined ? exportTarget(pj.exports, subpath) : subpath === "." ? (pj.main ?? "index.js") : subpath;
      if (target === null) throw Object.assign(new Error(`Package subpath '${subpath}' is not defined by "exports" in ${join(real, "package.json")}`), { code: "ERR_PACKAGE_PATH_NOT_EXPORTED" });
      const file = resolve(real, target);
      if (existsSync(file) && statSync(file).isFile()) return file;
      if (existsSync(`${file}.js`)) return `${file}.js`;
      if (existsSync(join(file, "index.js"))) return join(file, "index.js");
      throw Object.assign(new Error(`Cannot find module '${file}' (entry of package '${name}')`), { code: "ERR_MODULE_NOT_FOUND" });
    }
    if (dirname(dir) === dir) break;
  }
  throw Object.assign(new Error(`Cannot find package '${name}' imported from ${fromDir}`), { code: "ERR_MODULE_NOT_FOUND" });
}

function exportTarget(exports: unknown, subpath: string): string | null {
  const isMap = typeof exports === "object" && exports !== null && !Array.isArray(exports) && Object.keys(exports).some((k) => k.startsWith("."));
  const entry = isMap ? (exports as Record<string, unknown>)[subpath] : subpath === "." ? exports : undefined;
  return conditionTarget(entry);
}

function conditionTarget(entry: unknown): string | null {
  if (typeof entry === "string") return entry;
  if (Array.isArray(entry)) {
    for (const e of entry) {
      const t = conditionTarget(e);
      if (t) return t;
    }
    return null;
  }
  if (typeof entry === "object" && entry !== null) {
    const o = entry as Record<string, unknown>;
    for (const c of ["import", "node", "default"]) if (c in o) return conditionTarget(o[c]);
  }
  return null;
}

function translateImportError(err: unknown, specifier: string, what: string): Error {
  if (err instanceof CflowError) return err;
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as { code?: string }).code;
  const where = syntaxLocation(e, specifier);
  if (where) {
    const at = `${where.file}${where.line ? `:${where.line}` : ""}${where.column ? `:${where.column}` : ""}`;
    return new CflowError("MODULE_SYNTAX", `${at}: syntax error in ${what}: ${where.message}`, {
      path: at,
      expected: "valid TypeScript or JavaScript",
      found: where.message,
    });
  }
  if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
    const missing = /Cannot find (?:module|package) '([^']+)'/.exec(e.message)?.[1] ?? specifier;
    return new CflowError("MODULE_NOT_FOUND", `${what} ${specifier}: cannot find ${missing}`, {
      path: specifier,
      expected: "an installed package or an existing file",
      found: e.message.split("\n")[0],
      hint: missing.startsWith(".") || missing.startsWith("/") ? "check the path" : `install it: pnpm add ${packageOf(missing)}`,
    });
  }
  return new CflowError("MODULE_FAILED", `${what} ${specifier} threw while loading: ${e.message.split("\n")[0]}`, {
    path: specifier,
    found: `${e.name}: ${e.message.split("\n")[0]}`,
    hint: "CFLOW_DEBUG=1 shows the module's stack trace",
  });
}

/** File, line and message of a syntax error, from esbuild's (TypeScript) or V8's (JavaScript) report. */
function syntaxLocation(e: Error, specifier: string): { file: string; line: number; column?: number; message: string } | undefined {
  // esbuild: "Transform failed with 1 error:\n/abs/spec.ts:3:10: ERROR: Expected ";" but found "x""
  const esb = /([^\s:][^\n]*?):(\d+):(\d+): ERROR: ([^\n]+)/.exec(e.message);
  if (esb) return { file: esb[1], line: Number(esb[2]), column: Number(esb[3]) + 1, message: esb[4] };
  const errors = (e as { errors?: { text: string; location?: { file: string; line: number; column: number } }[] }).errors;
  if (Array.isArray(errors) && errors[0]?.location) {
    const l = errors[0].location;
    return { file: l.file, line: l.line, column: l.column + 1, message: errors[0].text };
  }
  if (e.name === "SyntaxError") {
    // Node's ESM loader reports no location for a JavaScript syntax error; `node --check` does
    // (first line of its report: "/abs/spec.mjs:3"). Only run on this error path.
    if (existsSync(specifier)) {
      const check = spawnSync(process.execPath, ["--check", specifier], { encoding: "utf8" });
      const m = /^(.*):(\d+)$/m.exec(check.stderr ?? "");
      if (check.status !== 0 && m) return { file: m[1], line: Number(m[2]), message: e.message };
    }
    return { file: specifier, line: 0, message: e.message };
  }
  return undefined;
}

function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}
