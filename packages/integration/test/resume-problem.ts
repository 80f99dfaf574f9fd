// The run the resume-determinism tests kill and resume: the 32×32 story in float64, polished to
// a fixed iteration budget, checkpointed every 10 polish iterations, recorded with small flushes.
// It passes every stage within 400 iterations: from λ = 2.5e-4 two attempts fail the gate and the
// third (λ = 4e-3) passes; the Gap Dial lowers λ until a move fails its certificates (trial 9),
// which is rolled back; one rollback ends tuning, and the rest of the budget polishes. The tests
// certify it with the default `fda()`: its cache of certified supports (the final certificate is
// inherited) and its Collatz–Wielandt warm start travel in the checkpoints, so a resumed run
// records the uninterrupted run's η_dd and γ.
import type { RunCertifiedOptions } from "@cflow/core";
import type { RecorderOptions } from "@cflow/recorder";
import { compileStory, type Story } from "./story-problem.js";

export function resumeStory(): Story {
  return compileStory({ dtype: "float64", lambda: 2.5e-4, policies: { budgets: { maxIters: 400, tol: 0, rtol: 0 }, control: { maxRollbacks: 1 } } });
}

export const RESUME_RUN: RunCertifiedOptions = { deterministic: true, checkpointEvery: 10 };

export const RESUME_RECORDING: Omit<RecorderOptions, "runsDir" | "runId"> = { flushEveryRows: 32, flushEverySeconds: 60, keepCheckpoints: 3 };
