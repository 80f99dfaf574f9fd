import { readFileSync, statSync } from "node:fs";
import { CflowError } from "@cflow/core";

/** The bytes of a data file, or an error naming it when it is missing or not a file. */
export function readInputFile(path: string, kind: string): Uint8Array {
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new CflowError("DATA_NOT_FOUND", `${path}: no such file`, { path, expected: `an existing ${kind} file`, found: "nothing at this path" });
  }
  if (!isFile) throw new CflowError("DATA_NOT_A_FILE", `${path}: not a file`, { path, expected: `a ${kind} file`, found: "a directory" });
  return new Uint8Array(readFileSync(path));
}

/** A bad-input error about a data file: where, what was found, what was expected. */
export function dataError(code: string, file: string, message: string, expected: unknown, found: unknown, hint?: string): CflowError {
  return new CflowError(code, `${file}: ${message}`, { path: file, expected, found, hint });
}
