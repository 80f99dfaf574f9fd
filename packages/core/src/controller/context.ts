import type { CompiledFlow } from "../compiler/types.js";
import type { RealArray } from "../dtype.js";
import { CflowError } from "../errors.js";
import type { Certificate, CertificateHook } from "../ports/certificates.js";
import type { FlowEvent, FlowEventName, Json, Phase } from "../ports/events.js";
import type { Checkpoint, RunSink, RunStartInfo, RunSummary, StateView } from "../ports/sink.js";
import type { TelemetryRow } from "../ports/telemetry.js";
import type { TrialOutcome, TunerHook } from "../ports/tuner.js";
import type { RngKey } from "../rng.js";
import type { FlowRunner } from "../runtime/runner.js";
import { type CertificateCadence, certificateCadence } from "./certificate-cadence.js";
import { callHook, hookError } from "./hooks.js";
import { Recent } from "./recent.js";
import type { RunConfig } from "./run-config.js";

/** How many events and certificates a RunResult keeps: memory stays flat however long a run is. */
export const RESULT_KEEP = { events: 10_000, certificates: 1_000 } as const;

export interface CertificateRecord {
  iter: number;
  phase: Phase;
  stage: "feasibility" | "tuning" | "polish" | "final";
  certificate: Certificate;
}

/** What a session keeps for its RunResult (the sinks get everything). */
export interface Journal {
  events: Recent<FlowEvent>;
  certificates: Recent<CertificateRecord>;
  tunerHistory: TrialOutcome[];
  /** The last certificate evaluated (the run card's η_dd and γ checks). */
  lastCertificate: Certificate | null;
}

/** The settings of a run that are not policies: how it is driven and recorded. */
export interface RunSettings {
  /** Phase 1 only (`cflow cert`). */
  stopAfterCertification: boolean;
  /** Wall-clock budgets off: a resumed run repeats an uninterrupted one bit for bit. */
  deterministic: boolean;
  /** Polish iterations between checkpoints (0: none in the polish). */
  checkpointEvery: number;
}

/**
 * Everything a run's phases use besides the state record, in one place: the compiled flow and its
 * runner, the configuration, the hooks (certificate, tuner, sinks — each called through here, so
 * an error comes back tagged with the hook), the clock and budgets, the abort signal, the RNG key
 * and the journal of this session.
 */
export class RunContext {
  /** Created once RUN_STARTED is out (its FLOW_POLICY_APPLIED event follows). */
  runner!: FlowRunner;
  readonly journal: Journal = { events: new Recent(RESULT_KEEP.events), certificates: new Recent(RESULT_KEEP.certificates), tunerHistory: [], lastCertificate: null };
  /** Invariant values at x₀ (conserved quantities' reference). */
  invariantBase: number[] = [];
  /** What the last checkpoint written was of (the same one is not written twice). */
  lastCheckpoint = "";
  /** When the polish re-certifies (`policies.certification.every`). */
  readonly cadence: CertificateCadence;
  /** True when a sink takes the live state (`RunSink.observe`): otherwise no view is built. */
  readonly live: boolean;
  /** W x for a certificate's gradient mapping when x's coefficients are not at hand (certify.ts), once the first certificate asks. */
  stepScratch: RealArray | null = null;
  private readonly t0 = performance.now();
  private lastBreath = performance.now();

  constructor(
    readonly flow: CompiledFlow,
    readonly config: RunConfig,
    readonly certify: CertificateHook | null,
    readonly tune: TunerHook | null,
    readonly sinks: readonly RunSink[],
    readonly settings: RunSettings,
    readonly runId: string,
    readonly key: RngKey,
    readonly signal: AbortSignal | undefined,
  ) {
    this.cadence = certificateCadence(config.certification.every);
    this.live = sinks.some((s) => typeof s.observe === "function");
  }

  /** Milliseconds since the run (this session) started. */
  now(): number {
    return performance.now() - this.t0;
  }

  /** The wall-time budget is spent (never in a deterministic run). */
  overTime(): boolean {
    const ms = this.config.budgets.wallTimeMs;
    return !this.settings.deterministic && ms > 0 && this.now() > ms;
  }

  get aborted(): boolean {
    return this.signal?.aborted === true;
  }

  /** Ends the run CANCELLED from wherever it is (runCertified catches it). */
  checkAbort(): void {
    if (this.aborted) throw new CflowError("CANCELLED", "run cancelled", { path: "signal" });
  }

  /**
   * Lets the event loop run (signal handlers, timers, I/O) at most every 50 ms of computing, so
   * Ctrl-C and flush timers are served promptly without costing the step anything measurable.
   */
  async breathe(): Promise<void> {
    const now = performance.now();
    if (now - this.lastBreath < 50) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.lastBreath = performance.now();
  }

  emit(event: FlowEventName, payload: { [key: string]: Json } = {}, iter?: number): void {
    const e: FlowEvent = { event, iter: iter ?? (this.runner ? this.runner.iter : -1), tWallMs: this.now(), payload };
    this.journal.events.push(e);
    for (const s of this.sinks) if (s.event) callHook(s.name, "event", () => s.event!(e));
  }

  timeout(budget: "wall_time" | "iterations" | "trials", limit: number, used: number): void {
    this.emit("TIMEOUT", { budget, limit, used });
  }

  telemetry(row: TelemetryRow): void {
    for (const s of this.sinks) if (s.telemetry) callHook(s.name, "telemetry", () => s.telemetry!(row));
  }

  /**
   * Shows the sinks that ask for it (`RunSink.observe`) the current state in the user's slots —
   * `x` when the caller already holds a copy of it, else one is taken.
   */
  showState(phase: Phase, at: StateView["at"], x?: RealArray): void {
    if (!this.live) return;
    const view: StateView = { iter: this.runner.iter, phase, at, slots: this.flow.unflatten(x ?? this.runner.state) };
    for (const s of this.sinks) if (typeof s.observe === "function") callHook(s.name, "observe", () => s.observe!(view));
  }

  /** Flushes every sink that says it is due. */
  async flushIfDue(): Promise<void> {
    for (const s of this.sinks) {
      if (s.flush && s.flushDue && callHook(s.name, "flushDue", () => s.flushDue!())) await this.awaitHook(s, "flush", () => s.flush!());
    }
  }

  async start(info: RunStartInfo): Promise<void> {
    for (const s of this.sinks) if (s.start) await this.awaitHook(s, "start", () => s.start!(info));
  }

  async checkpoint(c: Checkpoint): Promise<void> {
    for (const s of this.sinks) if (s.checkpoint) await this.awaitHook(s, "checkpoint", () => s.checkpoint!(c));
  }

  async finish(summary: RunSummary): Promise<void> {
    for (const s of this.sinks) if (s.finish) await this.awaitHook(s, "finish", () => s.finish!(summary));
  }

  /** True when a sink records checkpoints (a run without one writes none). */
  get checkpoints(): boolean {
    return this.sinks.some((s) => s.checkpoint);
  }

  private async awaitHook(s: RunSink, method: string, f: () => void | Promise<void>): Promise<void> {
    try {
      await f();
    } catch (err) {
      throw hookError(err, s.name, method);
    }
  }
}
