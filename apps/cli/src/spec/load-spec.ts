import { existsSync, statSync } from "node:fs";
import { dirname, extname, join, resolve } from "node:path";
import { CflowError } from "@cflow/core";
import { importModule } from "../module-import.js";

/** What a spec module exports: a FlowSpec object or a `defineFlow(ctx => ...)` factory (core's FlowDefinition). */
export type SpecDefinition = { state: Record<string, unknown>; terms: unknown[]; [key: string]: unknown } | ((ctx: { dtype: string; seed: number; params: Record<string, string> }) => unknown);

const SPEC_EXTENSIONS = [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"];
/** What `cflow run <directory>` looks for inside it, in this order (the examples' layout). */
const DIRECTORY_SPECS = ["spec.ts", "spec.mts", "spec.js", "spec.mjs"];
// defineFlow marks its factories with this registered symbol (core's spec/define.ts).
const FLOW_FACTORY = Symbol.for("cflow.flowFactory");

/**
 * The spec module a command line names: the file itself, or for a directory (an example) the
 * `spec.ts` (`.mts`, `.js`, `.mjs`) inside it. Refuses, naming the path: nothing there, a
 * directory without a spec module, a file that is not a TypeScript or JavaScript module.
 */
export function resolveSpecFile(path: string): string {
  const given = resolve(path);
  let stat;
  try {
    stat = statSync(given);
  } catch {
    throw new CflowError("SPEC_NOT_FOUND", `${given}: no such spec file`, { path: given, expected: "a TypeScript or JavaScript module exporting defineFlow(...)", found: "nothing at this path" });
  }
  let file = given;
  if (stat.isDirectory()) {
    const inside = DIRECTORY_SPECS.find((f) => existsSync(join(given, f)));
    if (!inside) {
      throw new CflowError("SPEC_NOT_FOUND", `${given}: is a directory without a spec module`, {
        path: given,
        expected: `a .ts or .js module, or a directory holding ${DIRECTORY_SPECS.join(", ")}`,
        found: "a directory without one",
        hint: "name the spec module inside it (e.g. spec.ts)",
      });
    }
    file = join(given, inside);
  }
  const ext = extname(file).toLowerCase();
  if (!SPEC_EXTENSIONS.includes(ext)) {
    throw new CflowError("SPEC_EXTENSION", `${file}: a spec is a TypeScript or JavaScript module`, { path: file, expected: SPEC_EXTENSIONS.join(", "), found: ext || "no extension" });
  }
  return file;
}

/**
 * Imports a spec module (TypeScript or JavaScript, no build step; a directory means its spec.ts)
 * and returns its default export, or its `spec` export. Refuses, naming the file: a missing file,
 * a directory without a spec module, a syntax error (file and line),
 * a module without such an export, and an export that is not a defineFlow result.
 */
export async function loadSpecModule(path: string): Promise<SpecDefinition> {
  const file = resolveSpecFile(path);
  const mod = await importModule(file, dirname(file), "spec");
  const hasDefault = "default" in mod && mod.default !== undefined;
  const value = hasDefault ? mod.default : mod.spec;
  const exportName = hasDefault ? "default" : "spec";
  if (value === undefined) {
    const names = Object.keys(mod).filter((k) => k !== "__esModule");
    throw new CflowError("SPEC_NO_EXPORT", `${file}: the module has no default export (nor a named export "spec")`, {
      path: file,
      expected: "export default defineFlow({...})",
      found: names.length ? `exports ${names.join(", ")}` : "no exports",
      hint: names.length === 1 ? `add: export default ${names[0]}` : "add: export default defineFlow({ state, terms, ... })",
    });
  }
  if (typeof value === "function") {
    if ((value as unknown as Record<symbol, unknown>)[FLOW_FACTORY] === true) return value as SpecDefinition;
    throw notAFlow(file, exportName, `a function that is not a defineFlow factory (${value.name || "anonymous"})`, "wrap it: export default defineFlow((ctx) => ({ ... }))");
  }
  if (typeof value === "object" && value !== null) {
    const o = value as Record<string, unknown>;
    const hasState = typeof o.state === "object" && o.state !== null && !Array.isArray(o.state);
    if (hasState && Array.isArray(o.terms)) return o as SpecDefinition;
    const keys = Object.keys(o);
    throw notAFlow(
      file,
      exportName,
      keys.length ? `an object with keys ${keys.slice(0, 12).join(", ")}` : "an empty object",
      hasState ? "a flow spec lists its energy terms in `terms: [...]`" : "a flow spec declares its state slots in `state: { x: { shape: [...] } }`",
    );
  }
  throw notAFlow(file, exportName, value === null ? "null" : typeof value, "export default defineFlow({ state, terms, ... })");
}

function notAFlow(file: string, exportName: string, found: string, hint: string): CflowError {
  return new CflowError("SPEC_NOT_A_FLOW", `${file}: the ${exportName} export is not a defineFlow(...) result`, {
    path: `${file} (export ${exportName})`,
    expected: "a FlowSpec { state, terms, ... } or a defineFlow((ctx) => ...) factory",
    found,
    hint,
  });
}
