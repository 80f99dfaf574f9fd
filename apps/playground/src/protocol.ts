// Messages between the page (main.ts) and the run's worker (worker/worker.ts).
import type { FlowEvent, Phase, RunResult, TelemetryRow } from "@cflow/core";
import type { RunRequest } from "./examples.js";

export type ToWorker = { type: "run"; request: RunRequest } | { type: "cancel" };

/** The end of a run: its outcome, the final state (float64 copy) and the final certificate. */
export interface RunEnd {
  runId: string;
  status: RunResult["status"];
  phase: Phase;
  iters: number;
  energy: number;
  lambda: number | null;
  x: Float64Array;
  shape: number[];
  certificate: RunResult["certificates"][number] | null;
  runCard: RunResult["runCard"];
}

export type FromWorker =
  | { type: "started"; shape: number[]; dtype: string; description: string }
  | { type: "gates"; etaMax: number; gammaMin: number }
  | { type: "progress"; rows: TelemetryRow[]; events: FlowEvent[] }
  | { type: "state"; iter: number; x: Float64Array }
  | { type: "done"; end: RunEnd }
  | { type: "error"; message: string };
