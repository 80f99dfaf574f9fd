import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { CflowError } from "@cflow/core";
import { tsImport } from "tsx/esm/api";

/**
 * Imports a TypeScript or JavaScript module without a build step (tsx's loader, scoped to this
 * import). Failures become CflowErrors naming the module: a syntax error with its file and line,
 * a missing import with what was missing, an exception thrown while the module ran.
 */
export async function importModule(specifier: string, parentDir: string, what: string): Promise<Record<string, unknown>> {
  try {
    return (await tsImport(specifier, { parentURL: pathToFileURL(`${parentDir}/`).href })) as Record<string, unknown>;
  } catch (err) {
    throw translateImportError(err, specifier, what);
  }
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
