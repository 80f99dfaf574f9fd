import { accessSync, constants, mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { CflowError } from "@cflow/core";
import { findIoFailure } from "./io-error.js";

/**
 * `mkdir -p` that cannot loop. Node's recursive mkdir (and `cpSync` into a new directory) spins
 * at 100% CPU forever where a directory exists but refuses children with ENOENT — `/proc/x`, a
 * dangling symlink: it steps back to create the parent, finds it exists, and tries the child
 * again. Here the missing directories are found once walking up and created once each walking
 * down; the first refusal is thrown as the Node system error (code, syscall, path).
 */
export function makeDirectory(path: string): void {
  const missing: string[] = [];
  let p = resolve(path);
  for (;;) {
    const kind = entryKind(p);
    if (kind === "directory") break;
    if (kind === "other") throw systemError("ENOTDIR", "not a directory", "mkdir", p);
    const parent = dirname(p);
    if (parent === p) throw systemError("ENOENT", "no such file or directory", "mkdir", p);
    missing.push(p);
    p = parent;
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST" && entryKind(dir) === "directory") continue;
      throw e;
    }
  }
}

function entryKind(p: string): "directory" | "other" | "missing" {
  try {
    return statSync(p).isDirectory() ? "directory" : "other";
  } catch (e) {
    // ENOTDIR: a file further up the path; the walk up finds and names it
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return "missing";
    throw e;
  }
}

function systemError(code: string, text: string, syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${text}, ${syscall} '${path}'`), { code, syscall, path });
}

/**
 * The directory an `--out` flag names, created (without looping) and checked writable, as an
 * absolute path. Bad values are input errors (exit 6) naming the flag, the path and the reason:
 * an empty string, an existing file, a place where no directory can be made (`/proc/x`, a file
 * in the way), a directory that cannot be written (permission, read-only file system).
 */
export function prepareOutDir(given: string | undefined, o: { cwd: string; fallback: string; flag: string; what: string }): string {
  if (given !== undefined && given.trim() === "") {
    throw badOut(o.flag, "is empty", given, o, `a path such as ${o.fallback}`, "leave the flag out to use the default");
  }
  const dir = resolve(o.cwd, given ?? o.fallback);
  if (entryKindSafe(dir) === "other") throw badOut(o.flag, `${dir}: is a file, not a directory`, dir, o, "a directory (existing, or one cflow creates)");
  try {
    makeDirectory(dir);
  } catch (e) {
    throw badOut(o.flag, `${dir}: cannot create the directory: ${reason(e, dir)}`, dir, o, "a directory that can be created and written to");
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw badOut(o.flag, `${dir}: cannot write to the directory: ${reason(e, dir)}`, dir, o, "a directory that can be written to");
  }
  return dir;
}

function entryKindSafe(p: string): "directory" | "other" | "missing" | "unknown" {
  try {
    return entryKind(p);
  } catch {
    return "unknown";
  }
}

function reason(e: unknown, dir: string): string {
  const err = e as NodeJS.ErrnoException;
  const at = err.path && err.path !== dir ? ` at ${err.path}` : "";
  // ENOENT although the parent exists: this file system holds no directories (procfs, sysfs).
  if (err.code === "ENOENT") return `this file system does not allow a directory here (ENOENT${at})`;
  if (err.code === "ENOTDIR" && err.path) return `${err.path} is a file, not a directory (ENOTDIR)`;
  const io = findIoFailure(e);
  if (io) return `${String(err.message).split(",")[0].replace(/^\w+: /, "")} (${io.errno}${at})`;
  return err instanceof Error ? err.message : String(e);
}

function badOut(flag: string, problem: string, found: string, o: { what: string }, expected: string, hint?: string): CflowError {
  return new CflowError("BAD_OUT", `${flag} ${problem}`, {
    path: flag,
    expected,
    found: JSON.stringify(found),
    hint: hint ?? `choose another place for the ${o.what} with ${flag} <dir>`,
  });
}
