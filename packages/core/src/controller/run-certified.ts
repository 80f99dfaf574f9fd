import type { CompiledFlow } from "../compiler/types.js";
import type { RealArray } from "../dtype.js";
import { CflowError } from "../errors.js";
import type { Certificate, CertificateHook, TracePoint } from "../ports/certificates.js";
import { type FlowEvent, type FlowEventName, type Json, type Phase } from "../ports/events.js";
import type { Checkpoint, RecorderSink, ResumePoint, RunSummary } from "../ports/recorder.js";
import type { TelemetryRow } from "../ports/telemetry.js";
import type { Dials, TrialOutcome, TunerContext, TunerHook } from "../ports/tuner.js";
import { type RngKey, foldIn } from "../rng.js";
import { FlowRunner, type RunnerSnapshot, type StepMetrics } from "../runtime/runner.js";
import { termStateArrays, termStateMeta, termStatesFromCheckpoint } from "../runtime/term-state.js";
import { lintSpec } from "../spec/lint.js";
import { type ResolvedPolicies, resolvePolicies } from "../spec/policies.js";
import type { AnyFlowSpec, BudgetsSpec, CertificationSpec, FlowPolicySpec, FlowSpec, GapDialSpec, MultiscaleSpec, SparsitySpec } from "../spec/types.js";
import { DEFAULTS, PRIMAL_DUAL_FAMILIES } from "../spec/defaults.js";
import { bandStats } from "./band-stats.js";
import { CertificateCadence, newlyActive } from "./certificate-cadence.js";
import { sortHooks } from "./hooks.js";
import { Recent } from "./recent.js";
import { newRunId } from "./run-id.js";
import { runPrimalDual } from "./run-primal-dual.js";
import { summarize } from "./state-summary.js";

export interface RunCertifiedOptions {
  /** Certificate gates and checks (defaults: the spec's policies.certification). */
  certProfile?: CertificationSpec;
  multiscale?: MultiscaleSpec;
  flow?: FlowPolicySpec;
  gapDial?: GapDialSpec;
  sparsity?: SparsitySpec;
  budgets?: BudgetsSpec;
  /** FDA (`fda()`), tuner (`gapDial()`) and recorder (`recorder()`) hooks — any may be absent. */
  hooks?: readonly unknown[];
  /** Aborting ends the run with CANCELLED and a valid capsule. */
  signal?: AbortSignal;
  /**
   * Phase 1 only: the run ends after the certificate feasibility sweep — FINISHED in GREEN, else
   * CERT_FAIL (or TIMEOUT when a budget runs out first) — without tuning or polish (`cflow cert`).
   */
  stopAfterCertification?: boolean;
  /** Disables wall-clock budgets so a resumed run repeats an uninterrupted one bit for bit. */
  deterministic?: boolean;
  runId?: string;
  /** Called with every telemetry row (live displays). */
  onRow?: (row: TelemetryRow) => void;
  /**
   * Polish iterations between checkpoints (default 250; 0 = none in the polish). Checkpoints are
   * also written at the start, at GREEN, after every accepted tuner move, at the end, and where a
   * run is cut short (cancelled, or a budget spent) — mid-attempt and mid-trial included.
   */
  checkpointEvery?: number;
  /** Continue a run from a checkpoint: pass the recorder's `resumeRun(runDir)` result. */
  resume?: ResumeState;
  /** Package versions and anything else the manifest should hold. */
  versions?: Record<string, string>;
  extra?: { [key: string]: Json };
}

/**
 * Where a resumed run continues: the checkpoint's arrays (one per state slot, plus `prev.<slot>`
 * and `last_good.<slot>`), the controller's and tuner's states, and the recorder's resume point.
 */
export interface ResumeState {
  state: Record<string, RealArray>;
  controllerState: Json;
  tunerState: Json;
  phase: Phase;
  iter: number;
  rngKey: RngKey;
  resumePoint?: ResumePoint;
}

export interface CertificateRecord {
  iter: number;
  phase: Phase;
  stage: "feasibility" | "tuning" | "polish" | "final";
  certificate: Certificate;
}

export interface RunResult {
  runId: string;
  status: RunSummary["status"];
  phase: Phase;
  /** Final state by slot. */
  state: Record<string, RealArray>;
  /** Final flat state. */
  x: RealArray;
  iters: number;
  energy: number;
  /** The last `RESULT_KEEP.certificates` certificates of this session (the capsule holds all). */
  certificates: CertificateRecord[];
  tunerHistory: TrialOutcome[];
  /** The last `RESULT_KEEP.events` events of this session (the capsule holds all). */
  events: FlowEvent[];
  /** How many there were: certificates and rollbacks of the whole run (earlier sessions of a resumed one included), events of this session. */
  counts: { certificates: number; events: number; rollbacks: number };
  runCard: Json;
  dials: Dials;
  /** Why a family that stops on optimality ended (primalDual: converged, budget, stalled, diverged, non-finite). */
  stopReason?: string | null;
  /** Its optimality measure at the end. */
  optimality?: number | null;
}

/** How many events and certificates a RunResult keeps: memory stays flat however long a run is. */
export const RESULT_KEEP = { events: 10_000, certificates: 1_000 } as const;

type Stage = "feasibility" | "tuning" | "polish" | "done";

/**
 * A certification attempt or a tuner trial under way — what a run cut short in the middle of one
 * (cancelled, or a budget spent) records in its checkpoint, so that a resumed run finishes it
 * from where it stood, exactly as an uninterrupted run would have.
 */
type InFlight =
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
 * The controller's part of a checkpoint: the stage to continue with and every counter a
 * deterministic continuation needs (the arrays travel separately, see `checkpoint`).
 */
interface ControllerState {
  [key: string]: Json;
  phase: Phase;
  stage: Stage;
  trial: number;
  rollbacks: number;
  trialsWithoutImprovement: number;
  /** Best score of an accepted move (null: none yet). */
  bestMetric: number | null;
  lyapunovViolations: number;
  lyapunovWorst: number;
  driftMax: number;
  /** The last step of the energy trace (the descent check compares consecutive steps). */
  trace: Json;
  runner: Json;
  lastGood: Json;
  /** The last good state is the current one (its arrays are not written a second time). */
  lastGoodIsCurrent: boolean;
  /** The attempt or trial the run was cut in (null: cut between them, or not cut). */
  inFlight: Json;
  /** The polish's certificate interval (see CertificateCadence). */
  certInterval: number;
  /** Certificates evaluated so far. */
  certificates: number;
}

/**
 * A state the controller may return to, with the W-space coefficients it was synthesised from:
 * recomputing them as W x after a restore would count rounding noise as support (in float32
 * especially) and certify a different active set than the one the state came from.
 */
interface Saved {
  snap: RunnerSnapshot;
  coefficients: RealArray | null;
}

/**
 * Relative rounding floor of an energy summed (in f64) from arrays of the run's dtype: 16 ulps
 * of 1. Energy changes below it are noise, so it floors the descent check's slack and the
 * convergence tolerance — float32 energies wander by ~1e-7 relative and would otherwise never
 * meet a 1e-10 tolerance and report rounding as Lyapunov violations.
 */
const ENERGY_NOISE = { float64: 16 * 2 ** -52, float32: 16 * 2 ** -23 } as const;

/** Names of the checkpoint arrays beyond the state slots (slot names never contain a dot). */
const COEFFS = "coefficients.current";
const LAST_GOOD_COEFFS = "coefficients.last_good";
const ATTEMPT_START_COEFFS = "coefficients.attempt_start";

/**
 * The flight controller: phases RED → AMBER → GREEN. Phase 0 lints, Phase 1 certifies (with the
 * tuner's remediation, at most M attempts), Phase 2 tunes under certificates (every move
 * validated by a short run, rolled back on regression), Phase 3 polishes to the budget. Hard
 * gates: no tuning before GREEN, every move re-certified, fail closed on a violation. The FDA,
 * the tuner and the recorder are hooks; the controller imports none of them.
 */
export async function runCertified(spec: AnyFlowSpec, compiled: CompiledFlow, options: RunCertifiedOptions = {}): Promise<RunResult> {
  if (PRIMAL_DUAL_FAMILIES.includes(options.flow?.family ?? compiled.policies.flow.family)) return runPrimalDual(spec as FlowSpec, compiled, options);
  const c = new Controller(spec, compiled, options);
  return c.run();
}

class Controller {
  private readonly t0 = performance.now();
  private readonly events = new Recent<FlowEvent>(RESULT_KEEP.events);
  private readonly certificates = new Recent<CertificateRecord>(RESULT_KEEP.certificates);
  /** Certificates of earlier sessions of a resumed run. */
  private certificatesBefore = 0;
  private readonly tunerHistory: TrialOutcome[] = [];
  private readonly policies: ResolvedPolicies;
  private readonly gates: { etaMax: number; gammaMin: number };
  private readonly cert: CertificateHook | null;
  private readonly tuner: TunerHook | null;
  private readonly recorders: RecorderSink[];
  private readonly runId: string;
  private readonly key: RngKey;
  private phase: Phase = "AMBER";
  private runner!: FlowRunner;
  private tunerState: Json = null;
  private lastGood: Saved | null = null;
  /** The current state is `lastGood` (no step since it was saved or restored). */
  private atLastGood = false;
  /** Exact coefficients of the current state after a restore (null: the runner's own are current). */
  private restoredCoefficients: RealArray | null = null;
  private lastCert: Certificate | null = null;
  private trace: TracePoint[] = [];
  private lyapunovViolations = 0;
  private lyapunovWorst = 0;
  private invariantBase: number[] = [];
  private driftMax = 0;
  private rollbacks = 0;
  private trial = 0;
  private trialId: number | null = null;
  private noImprove = 0;
  private bestMetric = Number.POSITIVE_INFINITY;
  private lastCheckpoint = "";
  /** The stage running now (a resumed run continues at the checkpoint's). */
  private stage: Stage = "feasibility";
  /** The attempt or trial under way (null between them and outside feasibility and tuning). */
  private inFlight: InFlight | null = null;
  private readonly cadence: CertificateCadence;

  constructor(
    private readonly spec: FlowSpec,
    private readonly flow: CompiledFlow,
    private readonly options: RunCertifiedOptions,
  ) {
    const p = resolvePolicies({
      ...spec.policies,
      flow: { ...spec.policies?.flow, ...options.flow },
      multiscale: { ...spec.policies?.multiscale, ...options.multiscale },
      gapDial: { ...spec.policies?.gapDial, ...options.gapDial },
      sparsity: { ...spec.policies?.sparsity, ...options.sparsity },
      certification: { ...spec.policies?.certification, ...options.certProfile },
      budgets: { ...spec.policies?.budgets, ...options.budgets },
    });
    this.policies = p;
    this.gates = { etaMax: p.certification.etaMax, gammaMin: p.certification.gammaMin };
    const hooks = sortHooks(options.hooks ?? []);
    this.cert = hooks.certificates;
    this.tuner = p.gapDial.enabled ? hooks.tuner : null;
    this.recorders = hooks.recorders;
    this.runId = this.recorders[0]?.runId ?? options.runId ?? newRunId();
    this.key = options.resume?.rngKey ?? flow.key;
    this.cadence = new CertificateCadence(p.certification.every);
  }

  private now(): number {
    return performance.now() - this.t0;
  }

  private emitTimeout(budget: "wall_time" | "iterations" | "trials", limit: number, used: number): void {
    this.emit("TIMEOUT", { budget, limit, used });
  }

  private emit(event: FlowEventName, payload: { [key: string]: Json } = {}, iter?: number): void {
    const e: FlowEvent = { event, iter: iter ?? (this.runner ? this.runner.iter : -1), tWallMs: this.now(), payload };
    this.events.push(e);
    for (const r of this.recorders) r.event(e);
  }

  private readonly port = { emit: (event: FlowEventName, payload?: { [key: string]: Json }) => this.emit(event, payload) };

  async run(): Promise<RunResult> {
    // Phase 0: lint (the compiled flow passed once; the spec given here must still be valid)
    const lint = lintSpec(this.spec, { registry: this.flow.registry });
    await this.startRecorders();
    const started: { [key: string]: Json } = { dtype: this.flow.dtype, flow_family: this.policies.flow.family, deterministic: this.options.deterministic ?? false };
    if (this.options.resume) started.resumed_from_iter = this.options.resume.iter;
    this.emit("RUN_STARTED", started);
    if (!lint.ok) {
      this.phase = "RED";
      this.emit("SPEC_LINT_FAIL", { issues: lint.findings.filter((f) => f.severity === "error").map((f) => ({ path: f.path, code: f.code, message: f.message })) });
      return this.finish("RED");
    }
    if (this.flow.lens) {
      const l = this.flow.lens;
      this.emit("LENS_SELECTED", {
        lens: l.winner,
        candidates: l.scores.map((c) => ({ name: c.name, score: c.compressibility, reconstruction_error: c.reconstructionError })),
        criterion: `compressibility at keep fraction ${l.keepFraction}, then reconstruction error at sparsity ${l.targetSparsity}`,
      });
    }
    this.runner = new FlowRunner(this.flow, { events: this.port, policies: { flow: this.policies.flow, multiscale: this.policies.multiscale } });
    this.emit("PHASE_CHANGED", { from: "RED", to: "AMBER", reason: "spec valid, not certified" });
    this.invariantBase = this.flow.invariants.map((inv) => (inv.kind === "conserved" && inv.check ? inv.check(this.flow.unflatten(this.flow.x0)) : 0));
    if (this.options.resume) this.stage = this.restoreFrom(this.options.resume);
    else await this.checkpoint(false, "feasibility"); // a run killed before GREEN resumes from the start

    try {
      if (this.stage === "feasibility") {
        const ok = await this.feasibility();
        if (ok === "TIMEOUT") return this.finish("TIMEOUT");
        if (ok === "RED") return this.finish("CERT_FAIL");
        if (ok === "AMBER" && this.cert) return this.finish("CERT_FAIL");
        if (this.options.stopAfterCertification) return this.finish(ok === "GREEN" ? "FINISHED" : "CERT_FAIL");
        this.stage = "tuning";
      }
      if (this.stage === "tuning") {
        if (this.phase === "GREEN" && this.tuner) {
          const end = await this.tuning();
          if (end === "CANCELLED" || end === "TIMEOUT") return this.finish(end);
        }
        this.stage = "polish";
      }
      const end = await this.polish();
      return this.finish(end);
    } catch (err) {
      if (err instanceof CflowError && err.code === "CANCELLED") return this.finish("CANCELLED");
      this.emit("WARNING", { message: err instanceof Error ? err.message : String(err), source: "controller" });
      await this.finish("ERROR");
      throw err;
    }
  }

  // ── Phase 1 ─────────────────────────────────────────────────────────────────────────────────
  private async feasibility(): Promise<"GREEN" | "AMBER" | "RED" | "TIMEOUT"> {
    if (!this.cert) return "AMBER"; // nothing can certify: run uncertified, never tune
    const gd = this.policies.gapDial;
    // a resumed run cut mid-attempt finishes that attempt: the tuner was seeded before it
    const resumed = this.inFlight?.kind === "attempt" ? this.inFlight.attempt : null;
    if (this.tuner && resumed === null) {
      const ctx = this.tunerContext();
      this.tunerState = this.tuner.policy.init(ctx);
      const s = this.tuner.policy.seed(this.tunerState, ctx);
      this.tunerState = s.state;
      this.applyDials(s.dials);
      // a seed that leaves the dials as they are is no move
      if (!sameDials(ctx.dials, s.dials)) this.emit("TUNER_MOVE_TRY", { trial: 0, from: dialsJson(ctx.dials), to: dialsJson(s.dials), note: `seed: ${s.note}` });
    }
    for (let attempt = resumed ?? 1; ; attempt++) {
      const flight = this.inFlight?.kind === "attempt" ? this.inFlight : { kind: "attempt" as const, attempt, done: 0, start: this.save() };
      this.inFlight = flight;
      if (this.overTime()) {
        this.emitTimeout("wall_time", this.policies.budgets.wallTimeMs, this.now());
        return "TIMEOUT";
      }
      const warm = await this.warmUp(gd.validationIters);
      if (warm === "cap") {
        // the iteration budget is spent before the flow could be certified: TIMEOUT in AMBER
        this.emitTimeout("iterations", this.policies.budgets.maxIters, this.runner.iter);
        return "TIMEOUT";
      }
      this.inFlight = null;
      if (warm === "nonfinite") {
        // no certificate of a non-finite state: back to where the attempt started, and fail closed
        this.rollback(flight.start, "NaN/Inf in the state or energy before certification");
        this.emit("WARNING", { message: `non-finite energy during certification attempt ${attempt}: the run stops uncertified`, source: "controller" });
        return "AMBER";
      }
      const cert = this.certify("feasibility", undefined, attempt);
      if (cert.pass) {
        this.setPhase("GREEN", `certified at attempt ${attempt}`);
        this.setLastGood();
        await this.checkpoint(true, "tuning");
        return "GREEN";
      }
      if (!this.tuner) {
        this.emit("WARNING", { message: "not certified and no tuner hook to widen λ or reduce η: the run stops in AMBER", source: "controller" });
        return "AMBER";
      }
      if (attempt >= gd.maxAttempts) {
        this.setPhase("RED", `not certified after ${attempt} attempts`);
        this.emit("WARNING", { message: `not certified after M = ${gd.maxAttempts} remediation attempts: RED, run aborted`, source: "controller" });
        return "RED";
      }
      const from = this.currentDials();
      const r = this.tuner.policy.remediate(this.tunerState, this.tunerContext(), cert, attempt);
      this.tunerState = r.state;
      if (!r.dials) {
        this.emit("WARNING", { message: `not certified and no remediation left (${r.note}): the run stops in AMBER`, source: "tuner" });
        return "AMBER";
      }
      this.applyDials(r.dials);
      this.emit("TUNER_MOVE_TRY", { trial: 0, from: dialsJson(from), to: dialsJson(r.dials), note: `remediation ${attempt}: ${r.note}` });
    }
  }

  /**
   * Runs the attempt or trial in flight to `iters` steps of warm-up, counting them in it (a
   * resumed one continues its count), and flushes the recorders when they are due. Ends early at
   * the iteration budget ("cap": the attempt or trial stays in flight) or when the energy or state
   * turned non-finite.
   */
  private async warmUp(iters: number): Promise<"done" | "nonfinite" | "cap"> {
    const flight = this.inFlight!;
    while (flight.done < iters) {
      await this.breathe();
      this.checkAbort();
      if (this.runner.iter >= this.policies.budgets.maxIters) return "cap";
      const m = this.step();
      flight.done++;
      this.afterStep(m);
      if (!Number.isFinite(m.E)) return "nonfinite";
      await this.flushIfDue();
    }
    return "done";
  }

  // ── Phase 2 ─────────────────────────────────────────────────────────────────────────────────
  private async tuning(): Promise<"DONE" | "CANCELLED" | "TIMEOUT"> {
    const tuner = this.tuner!;
    const gd = this.policies.gapDial;
    const budgets = this.policies.budgets;
    // a resumed run cut mid-trial finishes that trial first
    if (this.inFlight?.kind === "trial" && (await this.validate(this.inFlight)) === "TIMEOUT") return "TIMEOUT";
    while (this.trial < budgets.maxTrials) {
      if (this.options.signal?.aborted) return "CANCELLED";
      if (this.overTime()) {
        this.emitTimeout("wall_time", budgets.wallTimeMs, this.now());
        return "TIMEOUT";
      }
      if (this.runner.iter + gd.validationIters > budgets.maxIters) {
        // a validation run would overrun the iteration budget: tuning ends, the budget's rest polishes
        this.emitTimeout("iterations", budgets.maxIters, this.runner.iter);
        return "DONE";
      }
      if (this.rollbacks >= DEFAULTS.maxRollbacks) {
        this.emit("WARNING", { message: `tuning stopped after ${this.rollbacks} rollbacks`, source: "controller" });
        return "DONE";
      }
      if (this.noImprove >= gd.noImprove) return "DONE";
      const ctx = this.tunerContext();
      const prop = tuner.policy.propose(this.tunerState, ctx);
      this.tunerState = prop.state;
      if (!prop.dials) return "DONE";
      this.trial++;
      this.trialId = this.trial;
      const from = ctx.dials;
      const to = prop.dials;
      this.emit("TUNER_MOVE_TRY", { trial: this.trial, from: dialsJson(from), to: dialsJson(to), note: prop.note });
      const capProblem = this.checkMove(from, to);
      if (capProblem) {
        this.emit("TUNER_MOVE_REJECTED", { trial: this.trial, to: dialsJson(to), reason: capProblem });
        this.noImprove++;
        await this.settle({ trial: this.trial, from, to, certificate: null, accepted: false, metric: null, energy: this.runner.energy, reason: capProblem });
        continue;
      }
      this.applyDials(to);
      this.inFlight = { kind: "trial", trial: this.trial, from, to, done: 0 };
      if ((await this.validate(this.inFlight)) === "TIMEOUT") return "TIMEOUT";
    }
    this.emitTimeout("trials", budgets.maxTrials, this.trial);
    return "DONE";
  }

  /**
   * The trial in flight: its validation run on the new dials, then the verdict — accepted when
   * the certificates hold (the new last good state), else rolled back to the last good state
   * (where every trial starts). "TIMEOUT" when the iteration budget cuts the validation run (a
   * resumed run given a smaller budget): the trial stays in flight.
   */
  private async validate(flight: Extract<InFlight, { kind: "trial" }>): Promise<"TIMEOUT" | null> {
    const tuner = this.tuner!;
    const { trial, from, to } = flight;
    const warm = await this.warmUp(this.policies.gapDial.validationIters);
    if (warm === "cap") {
      this.emitTimeout("iterations", this.policies.budgets.maxIters, this.runner.iter);
      return "TIMEOUT";
    }
    this.inFlight = null;
    const diverged = warm === "nonfinite";
    const cert = diverged ? null : this.certify("tuning", undefined, 0);
    const metric = !diverged && tuner.taskMetric ? tuner.taskMetric(this.flow.unflatten(this.runner.state) as { [slot: string]: Float64Array | Float32Array }) : null;
    const accepted = !diverged && cert !== null && cert.pass && (metric === null || Number.isFinite(metric));
    const reason = diverged
      ? "NaN/Inf in the state or energy during validation"
      : accepted
        ? "certificates hold"
        : cert!.pass
          ? `the task metric is not finite (${metric})`
          : `certificates failed: ${cert!.reasons.join("; ")}`;
    const outcome: TrialOutcome = { trial, from, to, certificate: cert, accepted, metric, energy: this.runner.energy, reason };
    if (accepted) {
      const score = metric ?? this.runner.energy;
      if (score < this.bestMetric - 1e-12 * Math.abs(this.bestMetric)) {
        this.bestMetric = score;
        this.noImprove = 0;
      } else this.noImprove++;
      this.setLastGood();
      const acc: { [key: string]: Json } = { trial, to: dialsJson(to), energy: this.runner.energy };
      if (metric !== null) acc.metric = metric;
      this.emit("TUNER_MOVE_ACCEPTED", acc);
    } else {
      this.rollback(this.lastGood!, reason);
      const rej: { [key: string]: Json } = { trial, to: dialsJson(to), reason };
      if (cert) Object.assign(rej, { eta_dd: cert.etaDD, ...(Number.isFinite(cert.gamma) ? { gamma: cert.gamma } : {}) });
      this.emit("TUNER_MOVE_REJECTED", rej);
      this.noImprove++;
    }
    await this.settle(outcome);
    return null;
  }

  /** Hands a trial's outcome to the policy; an accepted move is checkpointed as the new last good state. */
  private async settle(outcome: TrialOutcome): Promise<void> {
    this.tunerHistory.push(outcome);
    this.tunerState = this.tuner!.policy.update(this.tunerState, outcome);
    this.trialId = null;
    // after the policy's update, so a resumed run proposes the next move from the same state
    if (outcome.accepted) await this.checkpoint(true, "tuning");
  }

  /** Hard gates on a move, whatever the policy proposes: caps per trial and adjacent-scale ratios. */
  private checkMove(from: Dials, to: Dials): string | null {
    const { moveCap, ratioBounds } = this.policies.gapDial;
    const rel = (a: number, b: number) => Math.abs(b - a) / Math.max(Math.abs(a), 1e-300);
    const slack = 1e-9;
    if (from.lambda !== null && to.lambda !== null && rel(from.lambda, to.lambda) > moveCap + slack) return `λ move ${from.lambda} → ${to.lambda} exceeds the cap ±${moveCap * 100}%`;
    if (rel(from.alpha, to.alpha) > moveCap + slack) return `α move ${from.alpha} → ${to.alpha} exceeds the cap ±${moveCap * 100}%`;
    if (to.alpha >= 2 / Math.max(this.flow.beta, 1e-300)) return `α = ${to.alpha} is not below 2/β = ${2 / this.flow.beta}`;
    if (to.lambdaJ) {
      for (let j = 0; j + 1 < to.lambdaJ.length; j++) {
        const r = to.lambdaJ[j] / to.lambdaJ[j + 1];
        if (!(r >= ratioBounds[0] - slack && r <= ratioBounds[1] + slack)) return `λ_${j}/λ_${j + 1} = ${r.toFixed(3)} is outside [${ratioBounds[0]}, ${ratioBounds[1]}]`;
      }
      if (from.lambdaJ) for (let j = 0; j < to.lambdaJ.length; j++) if (rel(from.lambdaJ[j], to.lambdaJ[j]) > moveCap + slack) return `λ_${j} move exceeds the cap ±${moveCap * 100}%`;
    }
    return null;
  }

  private setLastGood(): void {
    this.lastGood = this.save();
    this.atLastGood = true;
  }

  /** The current state, with the exact coefficients it came from, as a rollback target. */
  private save(): Saved {
    const sparse = this.flow.prox.some((p) => p.term.sparsity);
    return { snap: this.runner.snapshot(), coefficients: sparse ? this.coefficients() : null };
  }

  private rollback(to: Saved, reason: string): void {
    const fromIter = this.runner.iter;
    this.restore(to);
    this.atLastGood = to === this.lastGood;
    this.trace = []; // the descent check compares consecutive iterations only
    this.rollbacks++;
    // the event belongs to the iteration that regressed (its telemetry row holds the dials that failed)
    this.emit("ROLLBACK", { to_iter: to.snap.iter, reason: `${reason} (from iteration ${fromIter})`, rollbacks: this.rollbacks }, fromIter);
  }

  private restore(to: Saved): void {
    this.runner.restore(to.snap);
    this.restoredCoefficients = to.coefficients;
  }

  private step(): StepMetrics {
    const m = this.runner.step();
    this.restoredCoefficients = null;
    this.atLastGood = false;
    return m;
  }

  /** W-space coefficients of the current state: the prox output it was synthesised from. */
  private coefficients(): RealArray {
    return this.restoredCoefficients ?? this.runner.coefficients();
  }

  // ── Phase 3 ─────────────────────────────────────────────────────────────────────────────────
  private async polish(): Promise<RunSummary["status"]> {
    const { maxIters } = this.policies.budgets;
    const tol = this.policies.budgets.tol > 0 ? Math.max(this.policies.budgets.tol, ENERGY_NOISE[this.flow.dtype]) : 0;
    const ckEvery = this.options.checkpointEvery ?? 250;
    let prevE = this.runner.energy;
    while (this.runner.iter < maxIters) {
      await this.breathe();
      if (this.options.signal?.aborted) return "CANCELLED";
      if (this.overTime()) {
        this.emitTimeout("wall_time", this.policies.budgets.wallTimeMs, this.now());
        return "TIMEOUT";
      }
      const m = this.step();
      const row = this.stepRow(m);
      if (!Number.isFinite(m.E)) {
        this.telemetry(row);
        // a regression: back to the last good state, and stop (fail closed)
        if (this.lastGood) this.rollback(this.lastGood, "NaN/Inf in the state or energy");
        this.emit("WARNING", { message: `non-finite energy at iteration ${m.iter}`, source: "controller" });
        return this.phase === "GREEN" ? "FINISHED" : "ERROR";
      }
      // the certificate goes into this iteration's row, so it is evaluated before the row is recorded
      const review = this.certificateDue(m.iter);
      const cert = review ? this.certify("polish", row, 0) : null;
      this.telemetry(row);
      if (cert) {
        if (!cert.pass) {
          if (this.lastGood) this.rollback(this.lastGood, `certificate violated: ${cert.reasons.join("; ")}`);
          this.setPhase("AMBER", "certificate violated during polish (fail closed)");
          return "CERT_FAIL";
        }
        this.cadence.certified(review!.changed);
        this.setLastGood();
      }
      if (ckEvery > 0 && m.iter % ckEvery === 0) await this.checkpoint(this.phase === "GREEN", "polish");
      await this.flushIfDue();
      const rel = Math.abs(prevE - m.E) / Math.max(Math.abs(prevE), 1e-300);
      prevE = m.E;
      if (tol > 0 && rel < tol && m.iter > 1 && !m.restarted) break;
    }
    return "FINISHED";
  }

  /**
   * Whether the polish re-certifies at iteration `iter` (the rule is CertificateCadence's), and
   * whether the flow changed since the certified state — the last good one: every GREEN
   * certificate that passes makes its state the last good one, and rollbacks return to it.
   */
  private certificateDue(iter: number): { changed: boolean } | null {
    if (this.phase !== "GREEN" || !this.cert) return null;
    const base = this.lastGood;
    const since = base ? iter - base.snap.iter : iter;
    if (!this.cadence.isReview(since)) return null;
    const changed = !base || this.changedSince(base);
    return this.cadence.due(since, changed) ? { changed } : null;
  }

  /** A dial moved, the support grew beyond the certified one, or the operator depends on the state. */
  private changedSince(base: Saved): boolean {
    const constantOperator = this.flow.smooth.every((t) => t.term.quadratic) && this.flow.slots.every((s) => s.manifold === null);
    if (!constantOperator) return true;
    const s = base.snap;
    if (!sameDials(this.currentDials(), { lambda: s.lambda, lambdaJ: s.lambdaJ, alpha: s.alpha })) return true;
    return base.coefficients !== null && newlyActive(this.coefficients(), base.coefficients) > 0;
  }

  // ── shared ──────────────────────────────────────────────────────────────────────────────────
  private certify(stage: CertificateRecord["stage"], row: TelemetryRow | undefined, attempt: number): Certificate {
    const r = this.runner;
    const W = this.flow.W;
    const sparse = this.flow.prox.some((p) => p.term.sparsity);
    const x = r.state;
    // manifold flows: the chart-aware operator in intrinsic tangent coordinates (DESIGN §2)
    const tangent = this.flow.tangentOperator(x);
    const coefficients = sparse && !tangent ? this.coefficients() : null;
    const cert = this.cert!.certify({
      L_apply: tangent ? (v, out) => tangent.apply(v, out) : (v, out) => this.flow.L_apply(v, out, x),
      n: tangent ? tangent.n : this.flow.n,
      dtype: this.flow.dtype,
      W: tangent ? null : W,
      coefficients,
      translationInvariant: !tangent && this.translationInvariant,
      structure: tangent ? null : this.flow.hessianStructure(),
      gates: this.gates,
      key: foldIn(this.key, r.iter),
    });
    this.lastCert = cert;
    this.certificates.push({ iter: r.iter, phase: this.phase, stage, certificate: cert });
    const payload: { [key: string]: Json } = {
      stage,
      eta_dd: cert.etaDD,
      ...(Number.isFinite(cert.gamma) ? { gamma: cert.gamma } : {}),
      ...(Number.isFinite(cert.gammaGershgorin) ? { gamma_gershgorin: cert.gammaGershgorin } : {}),
      method: cert.method,
      size: cert.size,
      alpha: r.alpha,
      ms: cert.cost.ms,
    };
    if (r.lambda !== null) payload.lambda = r.lambda;
    if (!cert.pass) Object.assign(payload, { reasons: cert.reasons, attempt });
    this.emit(cert.pass ? "CERT_PASS" : "CERT_FAIL", payload);
    if (row) {
      row.etaDD = cert.etaDD;
      row.gamma = Number.isFinite(cert.gamma) ? cert.gamma : null;
    } else this.telemetry(this.rowFor(null, cert));
    return cert;
  }

  private afterStep(m: StepMetrics): TelemetryRow {
    const row = this.stepRow(m);
    this.telemetry(row);
    return row;
  }

  /** The telemetry row of a step, with the Lyapunov descent check of it (not yet recorded). */
  private stepRow(m: StepMetrics): TelemetryRow {
    const monotone = this.runner.family.monotone(this.policies.flow.restart);
    // A momentum step measures ‖x⁺ − y‖/α at the extrapolated y, not G(x_k) = (x_k − x⁺)/α: the
    // sufficient decrease α₀‖G(x_k)‖² is then unknown and only monotonicity (gradNorm 0) is checked.
    const point: TracePoint = { iter: m.iter, E: m.E, gradNorm: m.beta > 0 ? 0 : m.gradNorm, alpha: m.alpha, restarted: m.restarted };
    const warnings: string[] = [];
    const prev = this.trace[this.trace.length - 1];
    if (prev && this.cert && Number.isFinite(m.E)) {
      const v = this.cert.descentViolation(prev, point, { monotone, tol: this.lyapunovTol() * Math.max(1, Math.abs(prev.E)) });
      if (v > 0) {
        this.lyapunovViolations++;
        this.lyapunovWorst = Math.max(this.lyapunovWorst, v);
        warnings.push(`lyapunov descent violated by ${v.toExponential(2)}`);
      }
    }
    this.trace = [point];
    if (m.backtracks > 0) warnings.push(`line search halved α ${m.backtracks}×`);
    const row = this.rowFor(m, null);
    row.warnings = warnings;
    return row;
  }

  /** Relative slack of the descent check: the profile's, floored at the dtype's energy noise. */
  private lyapunovTol(): number {
    return Math.max(this.policies.certification.lyapunovTol, ENERGY_NOISE[this.flow.dtype]);
  }

  private rowFor(m: StepMetrics | null, cert: Certificate | null): TelemetryRow {
    const r = this.runner;
    const drift = this.invariantDrift();
    const row: TelemetryRow = {
      phase: this.phase,
      iter: r.iter,
      trialId: this.trialId,
      tWallMs: this.now(),
      alpha: r.alpha,
      lambda: r.lambda,
      lambdaJ: r.lambdaJ,
      E: m ? m.E : r.energy,
      gradNorm: m ? m.gradNorm : Number.NaN,
      etaDD: cert ? cert.etaDD : null,
      gamma: cert && Number.isFinite(cert.gamma) ? cert.gamma : null,
      sparsityWx: m ? m.sparsityWx : null,
      invariantDriftMax: drift,
      phiResidual: this.physicsResidual(m),
      lensName: null,
      levelActiveMax: r.levelActiveMax,
      sparsityMode: this.flow.prox.some((p) => p.term.sparsity) ? this.policies.sparsity.mode : null,
      flowFamily: r.family.name,
      warnings: [],
      notes: m ? null : "certificate evaluation",
    };
    return row;
  }

  private telemetry(row: TelemetryRow): void {
    for (const rec of this.recorders) rec.telemetry(row);
    this.options.onRow?.(row);
  }

  private invariantDrift(): number | null {
    const inv = this.flow.invariants;
    if (inv.length === 0) return null;
    const state = this.flow.unflatten(this.runner.state);
    let d = 0;
    inv.forEach((v, i) => {
      if (!v.check || v.kind === "symmetry") return;
      const q = v.check(state);
      d = Math.max(d, Math.abs(v.kind === "conserved" ? q - this.invariantBase[i] : q));
    });
    this.driftMax = Math.max(this.driftMax, d);
    return d;
  }

  /** Energy of the physics terms (½‖residual‖² for least-squares physics), or null without any. */
  private physicsResidual(m: StepMetrics | null): number | null {
    const phys = this.flow.smooth.map((t, i) => ({ t, i })).filter(({ t }) => t.kind === "physics");
    if (phys.length === 0 || !m) return null;
    const cells = this.runner.plan.buffers.fAtX;
    return phys.reduce((s, { i }) => s + cells[i].value, 0);
  }

  private tunerContext(): TunerContext {
    const r = this.runner;
    const W = this.flow.W;
    const gd = this.policies.gapDial;
    return {
      dials: { lambda: r.lambda, lambdaJ: r.lambdaJ, alpha: r.alpha },
      limits: { alphaMax: this.flow.beta > 0 ? 1.999 / this.flow.beta : Number.POSITIVE_INFINITY, lambdaCap: gd.lambdaCap, moveCap: gd.moveCap, ratioBounds: [gd.ratioBounds[0], gd.ratioBounds[1]] },
      bandStats: W && W.levels > 0 ? bandStats(W, r.state) : null,
      options: gd as unknown as { [key: string]: Json },
      iter: r.iter,
      key: foldIn(this.key, 0x70e5 + this.trial),
    };
  }

  private applyDials(d: Dials): void {
    const r = this.runner;
    // new dials define a new energy (λ) or descent constant (α): consecutive steps across them are not comparable
    if (!sameDials(d, this.currentDials())) this.trace = [];
    if (d.lambda !== null) r.lambda = d.lambda;
    if (d.lambdaJ) r.lambdaJ = d.lambdaJ;
    if (d.alpha !== r.alpha) r.alpha = d.alpha;
  }

  private setPhase(phase: Phase, reason: string): void {
    if (phase === this.phase) return;
    const from = this.phase;
    this.phase = phase;
    this.emit("PHASE_CHANGED", { from, to: phase, reason });
  }

  private currentDials(): Dials {
    return { lambda: this.runner.lambda, lambdaJ: this.runner.lambdaJ, alpha: this.runner.alpha };
  }

  private overTime(): boolean {
    const ms = this.policies.budgets.wallTimeMs;
    return !this.options.deterministic && ms > 0 && this.now() > ms;
  }

  /**
   * Lets the event loop run (signal handlers, timers, I/O) at most every 50 ms of computing, so
   * Ctrl-C and flush timers are served promptly without costing the step anything measurable.
   */
  private async breathe(): Promise<void> {
    const now = performance.now();
    if (now - this.lastBreath < 50) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.lastBreath = performance.now();
  }

  private lastBreath = performance.now();

  /** One slot on a shift-covariant transform, and every smooth term's Hessian constant and shift-invariant. */
  private get translationInvariant(): boolean {
    const f = this.flow;
    return f.slots.length === 1 && f.W !== null && typeof f.W.translationStride === "function" && f.smooth.length > 0 && f.smooth.every((t) => t.term.translationInvariantHessian === true);
  }

  private checkAbort(): void {
    if (this.options.signal?.aborted) throw new CflowError("CANCELLED", "run cancelled", { path: "signal" });
  }

  private controllerState(stage: Stage): ControllerState {
    const last = this.trace[this.trace.length - 1];
    const f = this.inFlight;
    const inFlight: Json =
      f === null
        ? null
        : f.kind === "attempt"
          ? { kind: f.kind, attempt: f.attempt, done: f.done, start: snapMeta(f.start.snap) }
          : { kind: f.kind, trial: f.trial, from: f.from as unknown as Json, to: f.to as unknown as Json, done: f.done };
    return {
      phase: this.phase,
      stage,
      trial: this.trial,
      rollbacks: this.rollbacks,
      trialsWithoutImprovement: this.noImprove,
      bestMetric: Number.isFinite(this.bestMetric) ? this.bestMetric : null,
      lyapunovViolations: this.lyapunovViolations,
      lyapunovWorst: this.lyapunovWorst,
      driftMax: this.driftMax,
      trace: last && Number.isFinite(last.E) && Number.isFinite(last.gradNorm) ? { ...last } : null,
      runner: snapMeta(this.runner.snapshot()),
      lastGood: this.lastGood ? snapMeta(this.lastGood.snap) : null,
      lastGoodIsCurrent: this.atLastGood,
      inFlight,
      certInterval: this.cadence.interval,
      certificates: this.certificateCount,
    };
  }

  private get certificateCount(): number {
    return this.certificatesBefore + this.certificates.count;
  }

  /**
   * Writes everything a deterministic continuation needs: the state and previous iterate by
   * slot, the last good state (its previous iterate too, for momentum after a rollback), the
   * start of a certification attempt in flight, the exact W-space coefficients of each, and the
   * controller's and tuner's states. `stage` is the stage a resumed run continues with; `good`
   * marks a certified state (never one in the middle of an attempt or trial).
   */
  private async checkpoint(good: boolean, stage: Stage): Promise<void> {
    const f = this.inFlight;
    const key = this.checkpointKey(stage, good);
    if (this.recorders.length === 0 || key === this.lastCheckpoint) return;
    this.lastCheckpoint = key;
    const s = this.runner.snapshot();
    const arrays: Record<string, RealArray> = {};
    const put = (prefix: string, x: RealArray) => {
      for (const [slot, v] of Object.entries(this.flow.unflatten(x))) arrays[prefix + slot] = v;
    };
    put("", s.x);
    put("prev.", s.xPrev);
    Object.assign(arrays, termStateArrays(s.terms, ""));
    const sparse = this.flow.prox.some((p) => p.term.sparsity);
    if (sparse) arrays[COEFFS] = this.coefficients();
    // the last good state is often the current one (after a GREEN certificate, an acceptance or a rollback): not written twice
    if (this.lastGood && !this.atLastGood) {
      put("last_good.", this.lastGood.snap.x);
      put("last_good.prev.", this.lastGood.snap.xPrev);
      Object.assign(arrays, termStateArrays(this.lastGood.snap.terms, "last_good."));
      if (this.lastGood.coefficients) arrays[LAST_GOOD_COEFFS] = this.lastGood.coefficients;
    }
    if (f?.kind === "attempt") {
      put("attempt_start.", f.start.snap.x);
      put("attempt_start.prev.", f.start.snap.xPrev);
      Object.assign(arrays, termStateArrays(f.start.snap.terms, "attempt_start."));
      if (f.start.coefficients) arrays[ATTEMPT_START_COEFFS] = f.start.coefficients;
    }
    const ck: Checkpoint = {
      iter: s.iter,
      phase: this.phase,
      good: good && f === null,
      arrays,
      controllerState: this.controllerState(stage),
      tunerState: this.tunerState,
      rngKey: this.key,
    };
    for (const r of this.recorders) await r.checkpoint(ck);
  }

  /** What makes a checkpoint different from the last one written (the same one is not written twice). */
  private checkpointKey(stage: Stage, good: boolean): string {
    const f = this.inFlight;
    return `${this.runner.iter}:${stage}:${this.phase}:${good && f === null}:${f ? `${f.kind}:${f.done}` : ""}`;
  }

  private restoreFrom(p: ResumeState): Stage {
    const cs = p.controllerState as ControllerState;
    const meta = (j: Json, prefix: string) => {
      const m = j as unknown as Omit<RunnerSnapshot, "x" | "xPrev" | "energy" | "terms"> & { energy: number | null; terms?: Json };
      return { ...m, energy: m.energy ?? Number.NaN, terms: termStatesFromCheckpoint(m.terms, p.state, prefix, `checkpoint at iteration ${p.iter}, ${prefix || "current "}term states`) };
    };
    const gather = (prefix: string): RealArray | null => {
      const parts: Record<string, RealArray> = {};
      for (const s of this.flow.slots) {
        const a = p.state[prefix + s.name];
        if (!a) return null;
        parts[s.name] = a;
      }
      return this.flow.flatten(parts);
    };
    const x = gather("")!;
    this.restore({ snap: { ...meta(cs.runner, ""), x, xPrev: gather("prev.") ?? x }, coefficients: p.state[COEFFS] ?? null });
    const from = this.phase;
    this.phase = p.phase;
    this.tunerState = p.tunerState;
    this.trial = cs.trial;
    this.rollbacks = cs.rollbacks;
    this.noImprove = cs.trialsWithoutImprovement;
    this.bestMetric = cs.bestMetric ?? Number.POSITIVE_INFINITY;
    this.lyapunovViolations = cs.lyapunovViolations ?? 0;
    this.lyapunovWorst = cs.lyapunovWorst ?? 0;
    this.driftMax = cs.driftMax ?? 0;
    this.trace = cs.trace ? [cs.trace as unknown as TracePoint] : [];
    this.cadence.reset(cs.certInterval ?? this.cadence.every);
    this.certificatesBefore = cs.certificates ?? 0;
    const lastGoodX = gather("last_good.");
    if (cs.lastGood && cs.lastGoodIsCurrent) {
      this.lastGood = { snap: { ...meta(cs.lastGood, ""), x, xPrev: gather("prev.") ?? x }, coefficients: p.state[COEFFS] ?? null };
      this.atLastGood = true;
    } else if (cs.lastGood && lastGoodX) {
      this.lastGood = { snap: { ...meta(cs.lastGood, "last_good."), x: lastGoodX, xPrev: gather("last_good.prev.") ?? lastGoodX }, coefficients: p.state[LAST_GOOD_COEFFS] ?? null };
    }
    const f = (cs.inFlight ?? null) as unknown as { kind: "attempt" | "trial"; attempt: number; trial: number; done: number; start: Json; from: Dials; to: Dials } | null;
    if (f?.kind === "attempt") {
      const startX = gather("attempt_start.")!;
      const start = { snap: { ...meta(f.start, "attempt_start."), x: startX, xPrev: gather("attempt_start.prev.") ?? startX }, coefficients: p.state[ATTEMPT_START_COEFFS] ?? null };
      this.inFlight = { kind: "attempt", attempt: f.attempt, done: f.done, start };
    } else if (f?.kind === "trial") {
      this.inFlight = { kind: "trial", trial: f.trial, from: f.from, to: f.to, done: f.done };
      this.trialId = f.trial;
    }
    this.lastCheckpoint = this.checkpointKey(cs.stage, p.phase === "GREEN");
    if (from !== this.phase) this.emit("PHASE_CHANGED", { from, to: this.phase, reason: `resumed at iteration ${p.iter}` });
    return cs.stage === "done" ? "polish" : cs.stage;
  }

  private async startRecorders(): Promise<void> {
    for (const r of this.recorders) {
      await r.start({
        runId: this.runId,
        startedAt: new Date().toISOString(),
        dtype: this.flow.dtype,
        seed: this.flow.seed,
        rngKey: this.key,
        deterministic: this.options.deterministic ?? false,
        redactArtifacts: false,
        versions: this.options.versions ?? {},
        slots: this.flow.slots.map((s) => ({ name: s.name, shape: s.shape, manifold: s.manifoldName })),
        flowFamily: this.policies.flow.family,
        frameType: this.flow.W?.frame ?? null,
        lensName: this.flow.W?.name ?? null,
        gates: this.gates,
        budgets: { maxIters: this.policies.budgets.maxIters, maxTrials: this.policies.budgets.maxTrials, wallTimeMs: this.policies.budgets.wallTimeMs || null },
        // the compile report has its own manifest section; the rest of `extra` is kept as given
        compileReport: (this.options.extra?.compileReport ?? null) as Json,
        extra: Object.fromEntries(Object.entries(this.options.extra ?? {}).filter(([k]) => k !== "compileReport")),
        resumedFrom: this.options.resume?.resumePoint,
      });
    }
  }

  private async flushIfDue(): Promise<void> {
    for (const r of this.recorders) if (r.flushDue()) await r.flush();
  }

  private runCard(status: RunSummary["status"]): Json {
    const last = this.lastCert;
    const checks: Json[] = [];
    if (last) {
      checks.push({ check: "eta_dd", pass: last.etaDD <= this.gates.etaMax, value: last.etaDD, threshold: this.gates.etaMax, reason: last.etaDD <= this.gates.etaMax ? "diagonally dominant enough" : "η_dd above η_max" });
      checks.push({ check: "gamma", pass: last.gamma >= this.gates.gammaMin, value: last.gamma, threshold: this.gates.gammaMin, reason: last.gamma >= this.gates.gammaMin ? "spectral gap above γ_min" : "spectral gap below γ_min" });
    }
    if (this.cert) checks.push({ check: "lyapunov", pass: this.lyapunovViolations === 0, value: this.lyapunovWorst, threshold: this.lyapunovTol(), reason: `${this.lyapunovViolations} violation(s) of E(x_{k+1}) ≤ E(x_k) − α₀‖G‖² + tol·max(1, |E|)` });
    if (this.flow.invariants.length > 0) {
      checks.push({ check: "invariants", pass: this.driftMax <= this.policies.certification.invariantTol, value: this.driftMax, threshold: this.policies.certification.invariantTol, reason: "max drift over the run" });
    }
    return { run_id: this.runId, status, phase: this.phase, certified: this.phase === "GREEN", checks, certificates: this.certificateCount, rollbacks: this.rollbacks, trials: this.trial };
  }

  /**
   * Ends the run. A run cut short (CANCELLED, TIMEOUT) is checkpointed first, where it stands —
   * in the middle of a certification attempt or a tuner trial included — so a resumed run
   * continues from there and its record (rows and events up to the checkpoint) is the
   * uninterrupted run's. An ERROR leaves the previous checkpoint as the resume point (the state
   * may be half a step). Then, whatever the status, a GREEN run certifies the state it reports
   * (the "final" certificate; a failure reports AMBER), and the recorders finish.
   */
  private async finish(status: RunSummary["status"]): Promise<RunResult> {
    const x = this.runner ? this.runner.state : this.flow.x0;
    if (this.runner && (status === "CANCELLED" || status === "TIMEOUT")) await this.checkpoint(this.phase === "GREEN", this.stage);
    this.trialId = null; // what follows belongs to no trial
    if (this.runner && this.cert && this.phase === "GREEN" && status !== "ERROR") {
      try {
        const cert = this.certify("final", undefined, 0);
        if (!cert.pass) this.setPhase("AMBER", "final certificate failed");
      } catch {
        // the final certificate is best-effort evidence; its absence shows in the run card
      }
    }
    if (status === "CANCELLED") this.emit("CANCELLED", { reason: this.options.signal?.reason instanceof Error ? this.options.signal.reason.message : String(this.options.signal?.reason ?? "aborted") });
    const runCard = this.runCard(status);
    const energy = this.runner ? this.runner.energy : Number.NaN;
    const fin: { [key: string]: Json } = { status, phase: this.phase, iters: this.runner?.iter ?? 0 };
    if (Number.isFinite(energy)) fin.final_energy = energy;
    this.emit("RUN_FINISHED", fin);
    // a finished run's last state is final
    if (this.runner && status !== "CANCELLED" && status !== "TIMEOUT" && status !== "ERROR") await this.checkpoint(this.phase === "GREEN", "done");
    const state = this.flow.unflatten(x);
    const summary: RunSummary = {
      status,
      phase: this.phase,
      iters: this.runner?.iter ?? 0,
      finalEnergy: Number.isFinite(energy) ? energy : null,
      tWallMs: this.now(),
      runCard,
      stateSummary: Object.fromEntries(Object.entries(state).map(([k, v]) => [k, summarize(v)])),
      finalState: state,
    };
    for (const r of this.recorders) await r.finish(summary);
    const dials = this.runner ? { lambda: this.runner.lambda, lambdaJ: this.runner.lambdaJ, alpha: this.runner.alpha } : { lambda: null, lambdaJ: null, alpha: 0 };
    this.runner?.dispose();
    return {
      runId: this.runId,
      status,
      phase: this.phase,
      state,
      x,
      iters: summary.iters,
      energy,
      certificates: this.certificates.items,
      tunerHistory: this.tunerHistory,
      events: this.events.items,
      counts: { certificates: this.certificateCount, events: this.events.count, rollbacks: this.rollbacks },
      runCard,
      dials,
    };
  }
}

/** A runner snapshot without its arrays (they travel as checkpoint arrays). */
function snapMeta(s: RunnerSnapshot): Json {
  return { iter: s.iter, alpha: s.alpha, lambda: s.lambda, lambdaJ: s.lambdaJ, family: s.family, multiscale: s.multiscale, energy: s.energy, terms: termStateMeta(s.terms) } as unknown as Json;
}

function sameDials(a: Dials, b: Dials): boolean {
  const sameJ = a.lambdaJ === b.lambdaJ || (!!a.lambdaJ && !!b.lambdaJ && a.lambdaJ.length === b.lambdaJ.length && a.lambdaJ.every((v, j) => v === b.lambdaJ![j]));
  return a.alpha === b.alpha && a.lambda === b.lambda && sameJ;
}

function dialsJson(d: Dials): Json {
  const o: { [key: string]: Json } = { alpha: d.alpha };
  if (d.lambda !== null) o.lambda = d.lambda;
  if (d.lambdaJ) o.lambda_j = d.lambdaJ;
  return o;
}

