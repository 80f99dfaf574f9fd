// What each example's README says a run at the default parameters ends with: one line per README,
// "Outcome at the default parameters, run from the repository root: **GREEN · FINISHED**, exit code 0."
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface DocumentedOutcome {
  phase: "GREEN" | "AMBER" | "RED";
  status: string;
  code: number;
}

const OUTCOME_LINE = /^Outcome at the default parameters, run from the repository root: \*\*(GREEN|AMBER|RED) · ([A-Z_]+)\*\*, exit code (\d+)\.$/m;

/** The outcome line of `<examples>/<name>/README.md`; throws naming the file when it has none. */
export function documentedOutcome(examples: string, name: string): DocumentedOutcome {
  const file = join(examples, name, "README.md");
  const m = OUTCOME_LINE.exec(readFileSync(file, "utf8"));
  if (!m) throw new Error(`${file}: no outcome line (expected "Outcome at the default parameters, run from the repository root: **<PHASE> · <STATUS>**, exit code <n>.")`);
  return { phase: m[1] as DocumentedOutcome["phase"], status: m[2], code: Number(m[3]) };
}

/** The "outcome (default parameters)" column of examples/README.md's table, by example name. */
export function indexedOutcomes(examples: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readFileSync(join(examples, "README.md"), "utf8").split("\n")) {
    const m = /^\| \[([a-z0-9-]+)\]\([^)]*\) \|[^|]*\| ([^|]+) \|$/.exec(line);
    if (m) out.set(m[1], m[2].trim());
  }
  return out;
}
