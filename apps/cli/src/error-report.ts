import { CflowError } from "@cflow/core";
import { EXIT_CODES } from "./exit-codes.js";
import { IoError } from "./io-error.js";
import type { Style } from "./style.js";
import { UsageError } from "./usage-error.js";

/** Error codes of a spec that fails lint (phase RED). */
const RED_CODES = new Set(["SPEC_LINT_FAIL"]);
/** A run that stopped with status ERROR (a bug in cflow, a plugin or a user op, not the command's input). */
const RUN_ERROR_CODES = new Set(["RUN_ERROR"]);
/** Another writer holds the capsule (its lock file). */
const LOCKED_CODES = new Set(["CAPSULE_LOCKED"]);
/** A service the command needs is not there (the Redis queue). */
const UNAVAILABLE_CODES = new Set(["QUEUE_UNREACHABLE"]);

/** The exit code an error ends the process with. */
export function exitCodeForError(err: unknown): number {
  if (err instanceof UsageError) return EXIT_CODES.USAGE.code;
  if (err instanceof IoError) return EXIT_CODES.IO.code;
  if (err instanceof CflowError && RUN_ERROR_CODES.has(err.code)) return EXIT_CODES.INTERNAL.code;
  if (err instanceof CflowError && LOCKED_CODES.has(err.code)) return EXIT_CODES.LOCKED.code;
  if (err instanceof CflowError && UNAVAILABLE_CODES.has(err.code)) return EXIT_CODES.UNAVAILABLE.code;
  if (err instanceof CflowError) return RED_CODES.has(err.code) ? EXIT_CODES.RED.code : EXIT_CODES.INPUT.code;
  return EXIT_CODES.INTERNAL.code;
}

export interface ErrorJson {
  code: string;
  message: string;
  path?: string;
  expected?: unknown;
  found?: unknown;
  hint?: string;
  stack?: string;
}

/** The error as a JSON object (`--json` output). */
export function errorJson(err: unknown, debug = false): ErrorJson {
  if (err instanceof CflowError) {
    const { path, expected, found, hint } = err.details;
    return { code: err.code, message: err.message, path, expected, found, hint, ...(debug ? { stack: err.stack } : {}) };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return { code: "INTERNAL", message: e.message, ...(debug ? { stack: e.stack } : {}) };
}

/**
 * One clear message: what went wrong, then where, what was expected, what was found and a hint
 * (the CflowError fields). A stack trace only with CFLOW_DEBUG=1 — users get the message, cflow
 * developers the stack.
 */
export function formatError(err: unknown, style: Style, debug = false): string {
  const lines: string[] = [];
  if (err instanceof CflowError) {
    lines.push(`${style.red(style.bold("error"))} ${style.dim(`[${err.code}]`)} ${err.message}`);
    const { path, expected, found, hint } = err.details;
    const fields: [string, unknown][] = [
      ["where", path],
      ["expected", expected],
      ["found", found],
      ["hint", hint],
      ["hook", err.details.hook],
    ];
    for (const [label, value] of fields) {
      if (value === undefined || value === null || value === "") continue;
      lines.push(`  ${style.dim(`${label}:`.padEnd(10))}${describe(value)}`);
    }
    if (err instanceof UsageError) lines.push(`  ${style.dim("help:".padEnd(10))}cflow ${err.command ? `${err.command} ` : ""}--help`);
  } else {
    const e = err instanceof Error ? err : new Error(String(err));
    lines.push(`${style.red(style.bold("internal error"))} ${e.message}`);
    if (!debug) lines.push(`  ${style.dim("hint:".padEnd(10))}this is a bug in cflow or a plugin; rerun with CFLOW_DEBUG=1 for the stack trace and report it`);
  }
  if (debug && err instanceof Error && err.stack) lines.push(style.dim(err.stack));
  return lines.join("\n");
}

function describe(v: unknown): string {
  if (typeof v === "string") return v;
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 240 ? `${s.slice(0, 237)}...` : s;
}
