import type { Dtype, RealArray, Shape } from "../dtype.js";
import type { RngKey } from "../rng.js";
import type { ErrorBar } from "./certificates.js";
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

/** How a run ended (RUN_FINISHED `status`). */
export type RunStatus = "FINISHED" | "CERT_FAIL" | "RED" | "TIMEOUT" | "CANCELLED" | "ERROR";

export interface RunSummary {
  status: RunStatus;
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
   * Why the iterations ended when the status is FINISHED or TIMEOUT: converged, budget, stalled,
   * diverged or non-finite (runtime/primal-dual.ts `StopReason`). Absent otherwise.
   */
  stopReason?: string;
  /** The optimality measure of the last step (with stopReason). */
  optimality?: number;
  /** The error bar of the last certificate, when it passed with one (a GREEN run's final certificate). */
  errorBar?: ErrorBar;
}

/**
 * The current state as a live display sees it (`RunSink.observe`): the iterate in the user's slots
 * (one array per state slot, in the run's dtype), the iteration it is at and the phase. The arrays
 * are views the controller may reuse or hand to the next sink: read them during the call, copy
 * what you keep, never write to them.
 */
export interface StateView {
  iter: number;
  phase: Phase;
  /** Why now: a certificate was evaluated at this state, or a checkpoint is taken of it. */
  at: "certificate" | "checkpoint";
  /** The state by slot: views of the run's own copy of the iterate (read-only; copy what you keep). */
  slots: Readonly<Record<string, RealArray>>;
}

/**
 * Where a run's record goes: a plain object with a name and any of the lifecycle methods below
 * (the flight recorder `recorder()`, a live display, a test's memory). The controller calls every
 * sink, in the order the sinks were given, at these points:
 *
 * 1. `start(info)` once, awaited, before the first event;
 * 2. `event(e)` and `telemetry(row)` synchronously, as they happen (implementations buffer);
 * 3. after each step, `flushDue()`; when it answers true, `flush()`, awaited;
 * 4. `checkpoint(c)`, awaited, whenever the controller writes a checkpoint;
 * 5. `observe(view)` synchronously, after each certificate evaluation (its CERT_PASS/CERT_FAIL
 *    event) and at each point a checkpoint is taken (whether or not a sink records checkpoints) —
 *    in every phase, AMBER included; the controller builds no view when no sink has `observe`;
 * 6. `finish(summary)` once, awaited, after the last event (RUN_FINISHED) and checkpoint.
 *
 * An error thrown by a sink ends the run (status ERROR) and reaches the caller tagged with the
 * sink's name and the method (`CflowError.details.hook`, e.g. "recorder.checkpoint").
 */
export interface RunSink {
  readonly name: string;
  /** Set when the sink names the run (the recorder: its capsule's directory): the run takes this id. */
  readonly runId?: string;
  start?(info: RunStartInfo): void | Promise<void>;
  event?(e: FlowEvent): void;
  telemetry?(row: TelemetryRow): void;
  /** Whether buffered rows are due to be written (the recorder: K rows or T seconds since the last flush). */
  flushDue?(): boolean;
  flush?(): void | Promise<void>;
  checkpoint?(c: Checkpoint): void | Promise<void>;
  /** The current state, for a live display (not called by primal–dual runs, which take neither certificates nor checkpoints). */
  observe?(view: StateView): void;
  finish?(summary: RunSummary): void | Promise<void>;
}
