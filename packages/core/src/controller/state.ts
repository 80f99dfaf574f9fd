import type { CompiledFlow } from "../compiler/types.js";
import type { RealArray } from "../dtype.js";
import { CflowError } from "../errors.js";
import type { TracePoint } from "../ports/certificates.js";
import type { Json, Phase } from "../ports/events.js";
import type { RunStatus } from "../ports/sink.js";
import type { Dials } from "../ports/tuner.js";
import type { StopReason } from "../runtime/primal-dual.js";
import type { RunnerSnapshot } from "../runtime/runner.js";
import { termStateArrays, termStateMeta, termStatesFromCheckpoint } from "../runtime/term-state.js";

/** The stage a run is in — and, in a checkpoint, the one a resumed run continues with. */
export type Stage = "feasibility" | "tuning" | "polish" | "done";

/**
 * A state the controller may return to, with the W-space coefficients it was synthesised from:
 * recomputing them as W x after a restore would count rounding noise as support (in float32
 * especially) and certify a different active set than the one the state came from.
 */
export interface Saved {
  snap: RunnerSnapshot;
  coefficients: RealArray | null;
}

/**
 * A certification attempt or a tuner trial under way — what a run cut short in the middle of one
 * (cancelled, or a budget spent) records in its checkpoint, so that a resumed run finishes it
 * from where it stood, exactly as an uninterrupted run would have.
 */
export type InFlight =
  | {
      kind: "attempt";
      attempt: number;
      /** Warm-up iterations done. */
      done: number;
      /** The state the attempt started from (its rollback target on a non-finite energy). */
      start: Saved;
    }
  | {
      kind: "trial";
      trial: number;
      from: Dials;
      to: Dials;
      /** Validation iterations done; the trial's rollback target is the last good state. */
      done: number;
    };

/**
 * The controller's state: everything a run's phases read and advance besides the runner (whose
 * own state — iterate, dials, momentum, multiscale schedule — is its snapshot). One record, live
 * during the run and serialisable: a checkpoint is its encoding (`encodeState`), and a resumed
 * run continues from its decoding (`decodeState`).
 */
export interface ControllerState {
  phase: Phase;
  stage: Stage;
  /** Tuner trials proposed so far. */
  trial: number;
  rollbacks: number;
  /** Accepted or rejected trials since the tuning score last improved (`policies.control.noImprove` ends tuning). */
  trialsWithoutImprovement: number;
  /** Best score of an accepted move (+∞: none yet). */
  bestMetric: number;
  lyapunovViolations: number;
  lyapunovWorst: number;
  driftMax: number;
  /** The last step of the energy trace (the descent check compares consecutive steps). */
  trace: TracePoint | null;
  /** The last certified (GREEN) state: the rollback target. */
  lastGood: Saved | null;
  /** The last good state is the current one (no step since it was saved or restored). */
  lastGoodIsCurrent: boolean;
  /**
   * W-space coefficients whose support the last good state's certificate was taken on when it was
   * a hull of the state's support (certificate-hull.ts); null: the last good state's own support.
   */
  certifiedHull: RealArray | null;
  /**
   * The stage (tuning or polish) in which a hull failed its certificate: the stage's later
   * certificates are taken on their supports alone (a hull that failed once costs a second
   * evaluation each time it fails again). Null: none failed.
   */
  hullFailedIn: "tuning" | "polish" | null;
  /** The attempt or trial under way (null between them and outside feasibility and tuning). */
  inFlight: InFlight | null;
  /** The polish's certificate interval (`certificateCadence`). */
  certInterval: number;
  /** Certificates evaluated so far, earlier sessions of a resumed run included. */
  certificates: number;
  /** The tuner policy's own state (JSON, its `init`/`update` results). */
  tunerState: Json;
  /** Exact coefficients of the current state after a restore (null: the runner's own are current). */
  restoredCoefficients: RealArray | null;
  /** How the run ended; null while it goes on (never in a checkpoint). */
  status: RunStatus | null;
  /** Why the iterations ended (converged, budget, stalled, non-finite); null while they go on (never in a checkpoint). */
  stopReason: StopReason | null;
  /** The last step's optimality measure (`StepMetrics.optimality`); null before a step of this session. */
  optimality: number | null;
}

export function initialState(certInterval: number): ControllerState {
  return {
    phase: "AMBER",
    stage: "feasibility",
    trial: 0,
    rollbacks: 0,
    trialsWithoutImprovement: 0,
    bestMetric: Number.POSITIVE_INFINITY,
    lyapunovViolations: 0,
    lyapunovWorst: 0,
    driftMax: 0,
    trace: null,
    lastGood: null,
    lastGoodIsCurrent: false,
    certifiedHull: null,
    hullFailedIn: null,
    inFlight: null,
    certInterval,
    certificates: 0,
    tunerState: null,
    restoredCoefficients: null,
    status: null,
    stopReason: null,
    optimality: null,
  };
}

/** The trial the current rows and events belong to (null outside one). */
export function trialOf(s: ControllerState): number | null {
  return s.inFlight?.kind === "trial" ? s.inFlight.trial : null;
}

/** Names of the checkpoint arrays beyond the state slots (slot names never contain a dot). */
const COEFFS = { current: "coefficients.current", lastGood: "coefficients.last_good", attemptStart: "coefficients.attempt_start", certifiedHull: "coefficients.certified_hull" } as const;

/**
 * A checkpoint's part from the controller: its JSON (`controller_state`), the tuner's state and
 * the arrays — the state slots by name, `prev.<slot>`, `last_good.<slot>` and
 * `last_good.prev.<slot>` (unless the last good state is the current one), `attempt_start.<slot>`
 * and `attempt_start.prev.<slot>` (an attempt in flight), and for sparse flows the exact W-space
 * coefficients of each, and the hull the last good state was certified on (SCHEMA.md "Checkpoints").
 */
export interface EncodedState {
  json: Json;
  tunerState: Json;
  arrays: Record<string, RealArray>;
}

/**
 * A certificate hook's own state in a checkpoint (`CertificateHook.saveState`), under the name of
 * the hook that wrote it: only a hook of that name takes it back.
 */
export interface HookState {
  name: string;
  state: Json;
}

/**
 * The state record as a checkpoint holds it. `runner` is the runner's snapshot,
 * `coefficients` the current state's exact W-space coefficients (null without a sparsity prox)
 * and `hook` the certificate hook's state (null: the hook keeps none).
 */
export function encodeState(s: ControllerState, runner: RunnerSnapshot, coefficients: RealArray | null, flow: CompiledFlow, hook: HookState | null = null): EncodedState {
  const arrays: Record<string, RealArray> = {};
  const put = (prefix: string, x: RealArray) => {
    for (const [slot, v] of Object.entries(flow.unflatten(x))) arrays[prefix + slot] = v;
  };
  put("", runner.x);
  put("prev.", runner.xPrev);
  Object.assign(arrays, termStateArrays(runner.terms, ""));
  if (coefficients) arrays[COEFFS.current] = coefficients;
  // the last good state is often the current one (after a GREEN certificate, an acceptance or a rollback): not written twice
  if (s.lastGood && !s.lastGoodIsCurrent) {
    put("last_good.", s.lastGood.snap.x);
    put("last_good.prev.", s.lastGood.snap.xPrev);
    Object.assign(arrays, termStateArrays(s.lastGood.snap.terms, "last_good."));
    if (s.lastGood.coefficients) arrays[COEFFS.lastGood] = s.lastGood.coefficients;
  }
  if (s.certifiedHull) arrays[COEFFS.certifiedHull] = s.certifiedHull;
  const f = s.inFlight;
  if (f?.kind === "attempt") {
    put("attempt_start.", f.start.snap.x);
    put("attempt_start.prev.", f.start.snap.xPrev);
    Object.assign(arrays, termStateArrays(f.start.snap.terms, "attempt_start."));
    if (f.start.coefficients) arrays[COEFFS.attemptStart] = f.start.coefficients;
  }
  const inFlight: Json =
    f === null
      ? null
      : f.kind === "attempt"
        ? { kind: f.kind, attempt: f.attempt, done: f.done, start: snapshotJson(f.start.snap) }
        : { kind: f.kind, trial: f.trial, from: { ...f.from }, to: { ...f.to }, done: f.done };
  const json: Json = {
    phase: s.phase,
    stage: s.stage,
    trial: s.trial,
    rollbacks: s.rollbacks,
    trialsWithoutImprovement: s.trialsWithoutImprovement,
    bestMetric: Number.isFinite(s.bestMetric) ? s.bestMetric : null,
    lyapunovViolations: s.lyapunovViolations,
    lyapunovWorst: s.lyapunovWorst,
    driftMax: s.driftMax,
    trace: s.trace && Number.isFinite(s.trace.E) && Number.isFinite(s.trace.gradNorm) ? { ...s.trace } : null,
    runner: snapshotJson(runner),
    lastGood: s.lastGood ? snapshotJson(s.lastGood.snap) : null,
    lastGoodIsCurrent: s.lastGoodIsCurrent,
    inFlight,
    certInterval: s.certInterval,
    certificates: s.certificates,
    ...(s.hullFailedIn ? { hullFailedIn: s.hullFailedIn } : {}),
    ...(hook ? { certificateHook: { name: hook.name, state: hook.state } } : {}),
  };
  return { json, tunerState: s.tunerState, arrays };
}

/** What a checkpoint gives back: the controller's state record, the runner's snapshot and the certificate hook's state. */
export interface DecodedState {
  state: ControllerState;
  runner: RunnerSnapshot;
  /** Null in checkpoints of hooks that keep no state, and in those written before hooks could. */
  hook: HookState | null;
}

/**
 * The inverse of `encodeState`: the record and the runner snapshot from a checkpoint's
 * `controller_state`, tuner state and arrays. Reads every checkpoint written since schema_version
 * 1 (fields added since — term states, the certificate hook's state — are absent in older ones);
 * anything else is refused, naming what is missing.
 */
export function decodeState(json: Json, tunerState: Json, arrays: Record<string, RealArray>, flow: CompiledFlow, certInterval: number): DecodedState {
  const cs = expectRecord(json, "controller_state");
  for (const key of ["phase", "stage", "trial", "rollbacks", "trialsWithoutImprovement", "runner"]) {
    if (cs[key] === undefined) {
      throw new CflowError("BAD_CHECKPOINT", `controller_state.${key} is missing: this checkpoint was not written by runCertified`, { path: `controller_state.${key}`, expected: "a value", found: "undefined" });
    }
  }
  const gather = (prefix: string): RealArray | null => {
    const parts: Record<string, RealArray> = {};
    for (const s of flow.slots) {
      const a = arrays[prefix + s.name];
      if (!a) return null;
      parts[s.name] = a;
    }
    return flow.flatten(parts);
  };
  const saved = (meta: Json, prefix: string, coefficients: RealArray | null): Saved | null => {
    const x = gather(prefix);
    if (!x) return null;
    return { snap: { ...snapshotMeta(meta, arrays, prefix), x, xPrev: gather(`${prefix}prev.`) ?? x }, coefficients };
  };
  const current = saved(cs.runner, "", arrays[COEFFS.current] ?? null);
  if (!current) throw new CflowError("BAD_CHECKPOINT", "the checkpoint holds no state array for every slot", { path: "checkpoint.arrays", expected: flow.slots.map((s) => s.name).join(", "), found: Object.keys(arrays).join(", ") });
  const lastGoodIsCurrent = cs.lastGoodIsCurrent === true;
  let lastGood: Saved | null = null;
  if (cs.lastGood && lastGoodIsCurrent) lastGood = { snap: { ...snapshotMeta(cs.lastGood, arrays, ""), x: current.snap.x, xPrev: current.snap.xPrev }, coefficients: current.coefficients };
  else if (cs.lastGood) lastGood = saved(cs.lastGood, "last_good.", arrays[COEFFS.lastGood] ?? null);
  let inFlight: InFlight | null = null;
  const f = cs.inFlight as { kind?: string; attempt: number; trial: number; done: number; start: Json; from: Json; to: Json } | null | undefined;
  if (f?.kind === "attempt") {
    const start = saved(f.start, "attempt_start.", arrays[COEFFS.attemptStart] ?? null);
    if (!start) throw new CflowError("BAD_CHECKPOINT", "an attempt in flight without its start state (attempt_start.<slot>)", { path: "checkpoint.arrays", expected: "attempt_start.<slot>", found: Object.keys(arrays).join(", ") });
    inFlight = { kind: "attempt", attempt: f.attempt, done: f.done, start };
  } else if (f?.kind === "trial") inFlight = { kind: "trial", trial: f.trial, from: dialsFrom(f.from), to: dialsFrom(f.to), done: f.done };
  const state: ControllerState = {
    phase: cs.phase as Phase,
    stage: cs.stage as Stage,
    trial: cs.trial as number,
    rollbacks: cs.rollbacks as number,
    trialsWithoutImprovement: cs.trialsWithoutImprovement as number,
    bestMetric: typeof cs.bestMetric === "number" ? cs.bestMetric : Number.POSITIVE_INFINITY,
    lyapunovViolations: (cs.lyapunovViolations as number | undefined) ?? 0,
    lyapunovWorst: (cs.lyapunovWorst as number | undefined) ?? 0,
    driftMax: (cs.driftMax as number | undefined) ?? 0,
    trace: cs.trace ? (cs.trace as unknown as TracePoint) : null,
    lastGood,
    lastGoodIsCurrent: lastGood !== null && lastGoodIsCurrent,
    certifiedHull: lastGood !== null ? (arrays[COEFFS.certifiedHull] ?? null) : null,
    hullFailedIn: cs.hullFailedIn === "tuning" || cs.hullFailedIn === "polish" ? cs.hullFailedIn : null,
    inFlight,
    certInterval: (cs.certInterval as number | undefined) ?? certInterval,
    certificates: (cs.certificates as number | undefined) ?? 0,
    tunerState,
    restoredCoefficients: current.coefficients,
    status: null,
    stopReason: null,
    optimality: null,
  };
  return { state, runner: current.snap, hook: hookStateFrom(cs.certificateHook) };
}

function hookStateFrom(j: Json | undefined): HookState | null {
  if (j === undefined || j === null) return null;
  const o = expectRecord(j, "controller_state.certificateHook");
  if (typeof o.name !== "string" || o.state === undefined) {
    throw new CflowError("BAD_CHECKPOINT", `controller_state.certificateHook must be { name, state }, found ${JSON.stringify(Object.keys(o))}`, { path: "controller_state.certificateHook", expected: "{ name: string, state }", found: Object.keys(o).join(", ") });
  }
  return { name: o.name, state: o.state };
}

/**
 * A runner snapshot without its arrays (they travel as checkpoint arrays). `terms` only when a
 * term carries state (a warm-started prox): stateless flows write the schema_version 2 JSON.
 */
function snapshotJson(s: RunnerSnapshot): Json {
  return { iter: s.iter, alpha: s.alpha, lambda: s.lambda, lambdaJ: s.lambdaJ, family: s.family, multiscale: s.multiscale, energy: Number.isFinite(s.energy) ? s.energy : null, ...(s.terms.some((t) => t !== null) ? { terms: termStateMeta(s.terms) } : {}) };
}

/** A runner snapshot's JSON part, with its terms' states from the arrays written under `prefix`. */
function snapshotMeta(j: Json, arrays: Record<string, RealArray>, prefix: string): Omit<RunnerSnapshot, "x" | "xPrev"> {
  const m = expectRecord(j, "controller_state.runner") as unknown as Omit<RunnerSnapshot, "x" | "xPrev" | "energy" | "terms"> & { energy: number | null; terms?: Json };
  return { ...m, energy: m.energy ?? Number.NaN, terms: termStatesFromCheckpoint(m.terms, arrays, prefix, `checkpoint ${prefix || "current "}term states`) };
}

function dialsFrom(j: Json): Dials {
  const o = expectRecord(j, "controller_state.inFlight");
  return { alpha: o.alpha as number, lambda: (o.lambda ?? null) as number | null, lambdaJ: (o.lambdaJ ?? null) as number[] | null };
}

function expectRecord(j: Json | undefined, path: string): { [key: string]: Json } {
  if (j === null || j === undefined || typeof j !== "object" || Array.isArray(j)) {
    throw new CflowError("BAD_CHECKPOINT", `${path} is not an object`, { path, expected: "an object", found: j === undefined ? "undefined" : JSON.stringify(j) });
  }
  return j;
}
