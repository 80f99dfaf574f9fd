import { realpathSync, statSync } from "node:fs";
import { CflowError } from "@cflow/core";

/**
 * The capsule directory a command was given, as the real path a writer works in: a link to a
 * capsule (given on the command line, the user's choice) is followed once, here; inside the
 * capsule nothing is ever followed again. A missing path or a file is refused naming it.
 */
export function capsuleDir(path: string): string {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    throw new CflowError("CAPSULE_NOT_FOUND", `${path}: no such run directory`, { path, expected: "a run capsule directory (runs/<run_id>)", found: "nothing at this path" });
  }
  if (!statSync(real).isDirectory()) {
    throw new CflowError("CAPSULE_NOT_FOUND", `${path}: not a run directory`, { path, expected: "a run capsule directory (runs/<run_id>)", found: "a file" });
  }
  return real;
}
