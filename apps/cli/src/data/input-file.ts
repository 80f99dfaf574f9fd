import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { CflowError } from "@cflow/core";

/** Largest file `readFileSync` reads in one piece (Node's limit: 2 GiB - 1 bytes). */
const MAX_WHOLE_FILE = 2 ** 31 - 1;

/** The hint of a data file over the element limit. */
export const LOADER_LIMIT_HINT = "pass a larger limit if the machine has the memory: loadArray(path, { dtype, maxElements }) (a spec factory gets cflow's --max-elements as ctx.maxElements), or downsample the file";

/** The size in bytes of a data file, or an error naming it when it is missing or not a file. */
export function inputFileSize(path: string, kind: string): number {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new CflowError("DATA_NOT_FOUND", `${path}: no such file`, { path, expected: `an existing ${kind} file`, found: "nothing at this path" });
  }
  if (!stat.isFile()) throw new CflowError("DATA_NOT_A_FILE", `${path}: not a file`, { path, expected: `a ${kind} file`, found: "a directory" });
  return stat.size;
}

/** The bytes of a data file, or an error naming it when it is missing, not a file or too large to read whole. */
export function readInputFile(path: string, kind: string): Uint8Array {
  const size = inputFileSize(path, kind);
  if (size > MAX_WHOLE_FILE) throw dataError("DATA_TOO_LARGE", path, `the file is too large to read (${size} bytes)`, `a ${kind} file under 2 GiB`, `${size} bytes`, "split or downsample it");
  return new Uint8Array(readFileSync(path));
}

/** `length` bytes of a file from byte `start`, into `into` when given. */
export function readInputRange(path: string, start: number, length: number, into: Uint8Array = new Uint8Array(length)): Uint8Array {
  const fd = openSync(path, "r");
  try {
    let done = 0;
    while (done < length) {
      const n = readSync(fd, into, done, Math.min(length - done, 1 << 30), start + done);
      if (n === 0) throw dataError("DATA_TRUNCATED", path, "the file ended while it was read", `${length} bytes from byte ${start}`, `${done} bytes`);
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  return into;
}

/** A bad-input error about a data file: where, what was found, what was expected. */
export function dataError(code: string, file: string, message: string, expected: unknown, found: unknown, hint?: string): CflowError {
  return new CflowError(code, `${file}: ${message}`, { path: file, expected, found, hint });
}
