import { closeSync, fsyncSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";

/**
 * Crash-safe file replacement: after a SIGKILL or power loss at any moment a reader sees either
 * the old file or the complete new one — never a torn one. The recipe is the classic one: write
 * a temporary sibling, fsync it, rename it over the target, fsync the directory (the rename is
 * only durable once the directory entry is).
 */

/** A temporary sibling name of `path`, ignored by every capsule reader (suffix `.tmp`). */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(4).toString("hex")}.tmp`);
}

export function fsyncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Renames a finished temporary file into place and makes the rename durable. */
export function commitFile(tempPath: string, path: string): void {
  fsyncPath(tempPath);
  renameSync(tempPath, path);
  fsyncPath(dirname(path));
}

/** Writes `data` to `path` atomically (temp, fsync, rename, fsync directory). */
export function writeFileDurable(path: string, data: string | Uint8Array | readonly Uint8Array[]): void {
  const tmp = tempPathFor(path);
  const fd = openSync(tmp, "w");
  try {
    const parts = typeof data === "string" ? [Buffer.from(data, "utf8")] : data instanceof Uint8Array ? [data] : data;
    for (const p of parts) {
      let off = 0;
      while (off < p.byteLength) off += writeSync(fd, p, off, p.byteLength - off);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncPath(dirname(path));
}

/** Deletes temporary files a killed writer left in `dir` (only ever called by the capsule's one writer). */
export function removeStaleTemps(dir: string): void {
  for (const name of readdirSync(dir)) if (/^\..+\.[0-9a-f]{8}\.tmp$/.test(name)) unlinkSync(join(dir, name));
}
