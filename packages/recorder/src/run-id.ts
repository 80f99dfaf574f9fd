import { lstatSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { CflowError } from "@cflow/core";

// A run id is one path segment a shell, a URL and every file system accept unquoted.
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Throws unless `runId` is a safe run id (one segment of letters, digits, `.`, `_`, `-`; no `..`). */
export function checkRunId(runId: unknown, where = "recorder.runId"): string {
  if (typeof runId !== "string" || !RUN_ID.test(runId) || runId.includes("..")) {
    throw new CflowError("BAD_RUN_ID", `${where}: refused run id ${JSON.stringify(runId)} — a run id is one path segment of letters, digits, '.', '_' and '-' (at most 128, starting with a letter or digit, no '..')`, {
      path: where,
      found: runId,
      expected: "a single safe path segment such as 2025-01-01-deblur-a",
    });
  }
  return runId;
}

/**
 * The capsule directory of `runId` under `runsDir`, refusing anything that would land outside it:
 * unsafe ids, and a capsule path that already exists as a symbolic link or resolves elsewhere.
 */
export function runDirFor(runsDir: string, runId: string): string {
  checkRunId(runId);
  const root = resolve(runsDir);
  const dir = join(root, runId);
  const rel = relative(root, dir);
  if (rel !== runId || isAbsolute(rel)) {
    throw new CflowError("RUN_DIR_ESCAPES", `recorder: run directory ${dir} is not inside the runs directory ${root}`, { path: dir, expected: `a child of ${root}`, found: dir });
  }
  let st;
  try {
    st = lstatSync(dir);
  } catch {
    return dir;
  }
  if (st.isSymbolicLink() || dirname(realpathSync(dir)) !== realpathSync(root)) {
    throw new CflowError("RUN_DIR_ESCAPES", `recorder: run directory ${dir} is a link leading outside the runs directory ${root}`, {
      path: dir,
      expected: `a plain directory inside ${root}`,
      found: realpathSync(dir),
    });
  }
  return dir;
}
