import type { Dtype, RealArray, Shape } from "../dtype.js";
import type { RngKey } from "../rng.js";
import type { FlowEvent, Json, Phase } from "./events.js";
import type { TelemetryRow } from "./telemetry.js";

/** What the controller tells a recorder when a run starts (the manifest's identity part). */
export interface RunStartInfo {
  runId: string;
  /** ISO-8601 start time. */
  startedAt: string;
  dtype: Dtype;
  seed: number;
  rngKey: RngKey;
  deterministic: boolean;
  redactArtifacts: boolean;
  /** Package name → version of every cflow package and plugin involved. */
  versions: Record<string, string>;
  /** State slots: name, shape, manifold. */
  slots: { name: string; shape: Shape; manifold: string }[];
  flowFamily: string;
  frameType: string | null;
  lensName: string | null;
  gates: { etaMax: number; gammaMin: number };
  budgets: { maxIters: number; maxTrials: number; wallTimeMs: number | null };
  /** The compile report (unit-normalisation table, transform validation, f/g split...). */
  compileReport: Json;
  /** Anything else worth keeping in the manifest (spec name, CLI arguments...). */
  extra: { [key: string]: Json };
  /**
   * Set when this run continues a recorded one (`resumeRun(...).resumePoint`, passed through
   * unchanged): the recorder reopens that capsule and drops telemetry and events recorded after
   * the checkpoint, so the resumed run's record matches an uninterrupted one.
   */
  resumedFrom?: ResumePoint;
}

/** Where a resumed run picks up: the checkpoint and how much of the record it had seen. */
export interface ResumePoint {
  runId: string;
  /** Checkpoint file name inside `checkpoints/`. */
  checkpoint: string;
  iter: number;
  /** Telemetry rows and events recorded up to (and including) the checkpoint. */
  telemetryRows: number;
  eventRows: number;
}

/**
 * Everything needed to continue a run exactly: arrays (state slots and flow-family arrays such
 * as the previous iterate), the controller's and tuner's serialisable state, and the RNG key.
 */
export interface Checkpoint {
  iter: number;
  phase: Phase;
  /** True when this state is certified (GREEN): the rollback target. */
  good: boolean;
  arrays: Record<string, RealArray>;
  controllerState: Json;
  tunerState: Json;
  rngKey: RngKey;
}

export interface RunSummary {
  status: "FINISHED" | "CERT_FAIL" | "RED" | "TIMEOUT" | "CANCELLED" | "ERROR";
  phase: Phase;
  iters: number;
  finalEnergy: number | null;
  tWallMs: number;
  /** Certificate verdicts (run_card.json). */
  runCard: Json;
  /** Non-array summaries of the final state (norms, ranges) for the manifest. */
  stateSummary: { [slot: string]: { min: number; max: number; mean: number; norm2: number } };
  /** Final state arrays, written as an artifact unless artifacts are redacted. */
  finalState: Record<string, RealArray>;
  /**
   * Why the iterations ended, for families that stop on optimality: converged, budget, stalled,
   * diverged or non-finite (runtime/primal-dual.ts). Absent for the others.
   */
  stopReason?: string;
  /** The optimality measure of the last step (with stopReason). */
  optimality?: number;
}

/**
 * The recorder port: where a run's manifest, telemetry, events and checkpoints go. The controller
 * calls `telemetry` and `event` synchronously in its loop (implementations buffer) and awaits
 * `flush`, `checkpoint` and `finish` at its own pace.
 */
export interface RecorderSink {
  readonly name: string;
  /** The run's id (the capsule's directory name): the controller passes it as `RunStartInfo.runId`. */
  readonly runId: string;
  start(info: RunStartInfo): Promise<void>;
  telemetry(row: TelemetryRow): void;
  event(e: FlowEvent): void;
  /** Whether buffered rows are due to be flushed (K rows or T seconds since the last flush). */
  flushDue(): boolean;
  flush(): Promise<void>;
  checkpoint(c: Checkpoint): Promise<void>;
  finish(summary: RunSummary): Promise<void>;
}
