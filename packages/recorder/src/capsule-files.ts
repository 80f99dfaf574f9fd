import { randomBytes } from "node:crypto";
import { closeSync, constants, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync, renameSync, statSync, type Stats, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { CflowError } from "@cflow/core";

/**
 * Every write into a run capsule goes through this module (the recorder's manifest, Parquet
 * parts and tables, checkpoints, artifacts, logs and lock; the CLI's report and `.npy`
 * artifacts). Two guarantees:
 *
 * - **Writes stay in the capsule.** Paths are given relative to the capsule directory, one plain
 *   segment at a time; every directory on the way is checked with `lstat` (a real directory, never
 *   a symbolic link) and files are opened with `O_NOFOLLOW`, so a link planted in a capsule —
 *   `report.html → ~/.bashrc`, `checkpoints/ → /elsewhere` — is refused with CAPSULE_LINK instead
 *   of being written through (or having files deleted behind it).
 * - **Crash safety.** A replaced file is written to a temporary sibling (`.<name>.<hex>.tmp`,
 *   created with `O_EXCL`), fsynced, renamed over the target, and the directory fsynced: after a
 *   SIGKILL or power loss a reader sees the old file or the complete new one, never a torn one.
 */

const NO_FOLLOW = constants.O_NOFOLLOW;
const TEMP = /^\..+\.[0-9a-f]{8}\.tmp$/;

/** A capsule-relative path: `manifest.toml`, `checkpoints/ckpt-000001.cfck`. */
function segments(rel: string): string[] {
  const parts = rel.split("/");
  if (isAbsolute(rel) || parts.some((p) => p === "" || p === "." || p === ".." || p.includes("\0") || p.includes("\\"))) {
    throw new CflowError("CAPSULE_PATH", `capsule path ${JSON.stringify(rel)} is not a plain relative path inside the capsule`, { path: rel, expected: "names inside the capsule, separated by '/' (no '..', no absolute path)", found: rel });
  }
  return parts;
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

function linkError(path: string, runDir: string, what: string): CflowError {
  let target = "(unreadable)";
  try {
    target = readlinkSync(path);
  } catch {
    // a link that vanished meanwhile: the path alone says enough
  }
  return new CflowError("CAPSULE_LINK", `${path}: ${what} is a symbolic link (to ${target}); cflow never writes through a link in a run capsule, so nothing leaves ${runDir}`, {
    path,
    expected: `a plain ${what === "directory" ? "directory" : "file"} inside ${runDir}`,
    found: `a symbolic link to ${target}`,
    hint: `remove the link (rm ${path}) or restore the capsule from a copy without links`,
  });
}

/**
 * The capsule directory itself, checked: an existing directory that is not a symbolic link.
 * Returns its absolute path.
 */
export function capsuleRoot(runDir: string): string {
  const root = resolve(runDir);
  const st = lstatOrNull(root);
  if (st === null) throw new CflowError("CAPSULE_NOT_FOUND", `${root}: no such run directory`, { path: root, expected: "a run capsule directory (runs/<run_id>)", found: "nothing at this path" });
  if (st.isSymbolicLink()) throw linkError(root, root, "directory");
  if (!st.isDirectory()) throw new CflowError("CAPSULE_NOT_FOUND", `${root}: not a directory`, { path: root, expected: "a run capsule directory (runs/<run_id>)", found: "a file" });
  return root;
}

/**
 * Absolute path of `rel` inside the capsule after checking every directory on the way (each a
 * real directory or absent) and the entry itself (absent or not a link). Nothing is created.
 */
export function capsulePath(runDir: string, rel: string): string {
  const root = capsuleRoot(runDir);
  const parts = segments(rel);
  let path = root;
  for (let i = 0; i < parts.length; i++) {
    path = join(path, parts[i]);
    const st = lstatOrNull(path);
    if (st === null) return join(root, ...parts);
    const last = i === parts.length - 1;
    if (st.isSymbolicLink()) throw linkError(path, root, last ? "file" : "directory");
    if (!last && !st.isDirectory()) {
      throw new CflowError("CAPSULE_PATH", `${path}: expected a directory of the capsule, found a file`, { path, expected: "a directory", found: "a file" });
    }
  }
  return path;
}

/** Creates (if absent) the capsule directory `rel` (one level, e.g. `checkpoints`), refusing links. */
export function ensureCapsuleDir(runDir: string, rel: string): string {
  const path = capsulePath(runDir, rel);
  const st = lstatOrNull(path);
  if (st === null) {
    try {
      mkdirSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    return capsulePath(runDir, rel);
  }
  if (!st.isDirectory()) throw new CflowError("CAPSULE_PATH", `${path}: expected a directory of the capsule, found a file`, { path, expected: "a directory", found: "a file" });
  return path;
}

/**
 * A fresh temporary sibling for `rel` (ignored by every capsule reader), for writers that produce
 * the bytes elsewhere (DuckDB's COPY); commit it with `commitCapsuleFile`.
 */
export function capsuleTempPath(runDir: string, rel: string): string {
  const target = capsulePath(runDir, rel);
  const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(4).toString("hex")}.tmp`);
  if (lstatOrNull(tmp) !== null) throw new CflowError("CAPSULE_PATH", `${tmp}: temporary file name already taken`, { path: tmp });
  return tmp;
}

/** Writes every byte of `data` (UTF-8 for a string) at the file position of `fd`. */
function writeAll(fd: number, data: string | Uint8Array | readonly Uint8Array[]): void {
  const parts = typeof data === "string" ? [Buffer.from(data, "utf8")] : data instanceof Uint8Array ? [data] : data;
  for (const p of parts) {
    let off = 0;
    while (off < p.byteLength) off += writeSync(fd, p, off, p.byteLength - off);
  }
}

function fsyncPath(path: string): void {
  const fd = openSync(path, constants.O_RDONLY | NO_FOLLOW);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Renames a finished temporary file over `rel` (never over a link) and makes the rename durable. */
export function commitCapsuleFile(runDir: string, tempPath: string, rel: string): void {
  const target = capsulePath(runDir, rel);
  if (dirname(tempPath) !== dirname(target)) throw new CflowError("CAPSULE_PATH", `${tempPath}: a temporary file must sit beside ${target}`, { path: tempPath, expected: dirname(target) });
  fsyncPath(tempPath);
  renameSync(tempPath, target);
  fsyncPath(dirname(target));
}

/** Writes `data` to `rel` atomically (temp, fsync, rename, fsync directory), refusing links. */
export function writeCapsuleFile(runDir: string, rel: string, data: string | Uint8Array | readonly Uint8Array[]): void {
  const tmp = capsuleTempPath(runDir, rel);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NO_FOLLOW, 0o644);
  try {
    writeAll(fd, data);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  try {
    commitCapsuleFile(runDir, tmp, rel);
  } catch (e) {
    unlinkSync(tmp);
    throw e;
  }
}

/** Appends `text` to `rel` (created if absent) in one write call with O_APPEND, refusing a link. */
export function appendCapsuleFile(runDir: string, rel: string, text: string): void {
  const path = capsulePath(runDir, rel);
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | NO_FOLLOW, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ELOOP") throw linkError(path, capsuleRoot(runDir), "file");
    throw e;
  }
  try {
    writeAll(fd, text);
  } finally {
    closeSync(fd);
  }
}

/**
 * Creates `rel` exclusively (O_CREAT | O_EXCL | O_NOFOLLOW) holding `text`, fsynced. Returns false
 * when something (a file or a link) already exists there.
 */
export function createCapsuleFileExclusive(runDir: string, rel: string, text: string): boolean {
  const path = capsulePath(runDir, rel);
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NO_FOLLOW, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
  try {
    writeAll(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Deletes `rel` if present (the directories on the way checked first, so a linked directory is never emptied). */
export function removeCapsuleFile(runDir: string, rel: string): void {
  const path = capsulePath(runDir, rel);
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
}

/** Deletes temporary files a killed writer left in capsule directory `rel` (called by the capsule's one writer, under its lock). */
export function removeStaleTemps(runDir: string, rel: string): void {
  const dir = capsulePath(runDir, rel);
  if (lstatOrNull(dir) === null) return;
  for (const name of readdirSync(dir)) if (TEMP.test(name)) removeCapsuleFile(runDir, `${rel}/${name}`);
}

/**
 * Refuses a capsule holding a symbolic link anywhere a writer could reach (the capsule's entries
 * and the entries of its directories). Called before a writer touches a capsule: a link planted
 * in a copied or downloaded capsule stops the command before anything is written.
 */
export function assertNoLinks(runDir: string): void {
  const root = capsuleRoot(runDir);
  const walk = (dir: string, depth: number): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const st = lstatSync(path);
      if (st.isSymbolicLink()) throw linkError(path, root, linksToDirectory(path) ? "directory" : "file");
      if (st.isDirectory() && depth < 2) walk(path, depth + 1);
    }
  };
  walk(root, 1);
}

function linksToDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
