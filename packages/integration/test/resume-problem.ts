// The run the resume-determinism tests kill and resume: the 32×32 story in float64, polished to
// a fixed iteration budget, checkpointed every 10 polish iterations, recorded with small flushes.
import type { RunCertifiedOptions } from "@cflow/core";
import type { RecorderOptions } from "@cflow/recorder";
import { compileStory, type Story } from "./story-problem.js";

export function resumeStory(): Story {
  return compileStory({ dtype: "float64", policies: { budgets: { maxIters: 400, tol: 0, rtol: 0 } } });
}

export const RESUME_RUN: RunCertifiedOptions = { deterministic: true, checkpointEvery: 10 };

export const RESUME_RECORDING: Omit<RecorderOptions, "runsDir" | "runId"> = { flushEveryRows: 32, flushEverySeconds: 60, keepCheckpoints: 3 };
