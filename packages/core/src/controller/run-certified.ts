import type { CompiledFlow } from "../compiler/types.js";
import type { RealArray } from "../dtype.js";
import { CflowError } from "../errors.js";
import type { Json, Phase } from "../ports/events.js";
import type { ResumePoint } from "../ports/sink.js";
import type { RngKey } from "../rng.js";
import { FlowRunner } from "../runtime/runner.js";
import { PRIMAL_DUAL_FAMILIES } from "../spec/defaults.js";
import { checkpointKey, writeCheckpoint } from "./checkpoint.js";
import { RunContext } from "./context.js";
import { type RunResult, finish } from "./finish.js";
import { type RunHooks, callHook, checkHooks } from "./hooks.js";
import { feasibility } from "./phases/feasibility.js";
import { polish } from "./phases/polish.js";
import { tuning } from "./phases/tuning.js";
import { type RunConfig, resolveRun } from "./run-config.js";
import { newRunId } from "./run-id.js";
import { runPrimalDual } from "./run-primal-dual.js";
import { type ControllerState, type Stage, decodeState, initialState } from "./state.js";
import { restore } from "./stepping.js";

export interface RunCertifiedOptions extends RunHooks {
  /** The run's configuration (default `resolveRun(compiled)`: the spec's policies over the defaults). */
  config?: RunConfig;
  /** Aborting ends the run with CANCELLED and a valid capsule. */
  signal?: AbortSignal;
  /**
   * Phase 1 only: the run ends after the certificate feasibility sweep — FINISHED in GREEN, else
   * CERT_FAIL (or TIMEOUT when a budget runs out first) — without tuning or polish (`cflow cert`).
   */
  stopAfterCertification?: boolean;
  /** Disables wall-clock budgets so a resumed run repeats an uninterrupted one bit for bit. */
  deterministic?: boolean;
  /** The run's id when no sink names it (default: a new one). */
  runId?: string;
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

/** The phases, by the stage they run: each advances the state record and returns it. */
const PHASES: Record<Exclude<Stage, "done">, (s: ControllerState, ctx: RunContext) => Promise<ControllerState>> = { feasibility, tuning, polish };

/**
 * The flight controller: phases RED → AMBER → GREEN over one state record. The compiled flow was
 * linted when it was compiled (RED findings refuse to compile); Phase 1 certifies (with the
 * tuner's remediation), Phase 2 tunes under certificates (every move validated by a short run,
 * rolled back on regression), Phase 3 polishes to the budget. Hard gates: no tuning before GREEN,
 * every move re-certified, fail closed on a violation. The certificate hook, the tuner and the
 * sinks are options; the controller imports none of them (ARCHITECTURE.md "A run").
 */
export async function runCertified(compiled: CompiledFlow, options: RunCertifiedOptions = {}): Promise<RunResult> {
  checkHooks(options);
  const config = options.config ?? resolveRun(compiled);
  // primal–dual families run their own loop: step-size certificate, optimality stopping
  if (PRIMAL_DUAL_FAMILIES.includes(config.flow.family)) return runPrimalDual(compiled, config, options);
  const sinks = options.sinks ?? [];
  const ctx = new RunContext(
    compiled,
    config,
    options.certify ?? null,
    config.tuner.enabled ? (options.tune ?? null) : null,
    sinks,
    { stopAfterCertification: options.stopAfterCertification ?? false, deterministic: options.deterministic ?? false, checkpointEvery: options.checkpointEvery ?? 250 },
    sinks.find((s) => s.runId !== undefined)?.runId ?? options.runId ?? newRunId(),
    options.resume?.rngKey ?? compiled.key,
    options.signal,
  );
  let s = initialState(ctx.cadence.init());
  try {
    await start(ctx, options);
    if (options.resume) s = resumeFrom(ctx, options.resume);
    else await writeCheckpoint(s, ctx, false); // a run killed before GREEN resumes from the start
    while (s.status === null) s = await PHASES[s.stage as Exclude<Stage, "done">](s, ctx);
    return await finish(s, ctx, s.status);
  } catch (err) {
    if (err instanceof CflowError && err.code === "CANCELLED") return finish(s, ctx, "CANCELLED");
    try {
      const hook = err instanceof CflowError ? err.details.hook : undefined;
      ctx.emit("WARNING", { message: err instanceof Error ? err.message : String(err), source: hook ?? "controller" });
      await finish(s, ctx, "ERROR");
    } catch {
      // a hook failing again while the run ends: the first error is the one to report
    }
    throw err;
  }
}

/** The sinks start, RUN_STARTED, the lens chosen, the runner (FLOW_POLICY_APPLIED), RED → AMBER. */
async function start(ctx: RunContext, options: RunCertifiedOptions): Promise<void> {
  const flow = ctx.flow;
  const { config } = ctx;
  await ctx.start({
    runId: ctx.runId,
    startedAt: new Date().toISOString(),
    dtype: flow.dtype,
    seed: flow.seed,
    rngKey: ctx.key,
    deterministic: ctx.settings.deterministic,
    redactArtifacts: false,
    versions: options.versions ?? {},
    slots: flow.slots.map((sl) => ({ name: sl.name, shape: sl.shape, manifold: sl.manifoldName })),
    flowFamily: config.flow.family,
    frameType: flow.W?.frame ?? null,
    lensName: flow.W?.name ?? null,
    gates: { etaMax: config.certification.etaMax, gammaMin: config.certification.gammaMin },
    budgets: { maxIters: config.budgets.maxIters, maxTrials: config.budgets.maxTrials, wallTimeMs: config.budgets.wallTimeMs || null },
    // the compile report has its own manifest section; the rest of `extra` is kept as given
    compileReport: (options.extra?.compileReport ?? null) as Json,
    extra: {
      ...Object.fromEntries(Object.entries(options.extra ?? {}).filter(([k]) => k !== "compileReport")),
      ...(ctx.tune?.taskTarget ? { tuner_target: ctx.tune.taskTarget.describe() } : {}),
    },
    resumedFrom: options.resume?.resumePoint,
  });
  const started: { [key: string]: Json } = { dtype: flow.dtype, flow_family: config.flow.family, deterministic: ctx.settings.deterministic };
  if (options.resume) started.resumed_from_iter = options.resume.iter;
  ctx.emit("RUN_STARTED", started);
  if (flow.lens) {
    const l = flow.lens;
    ctx.emit("LENS_SELECTED", {
      lens: l.winner,
      candidates: l.scores.map((c) => ({ name: c.name, score: c.compressibility, reconstruction_error: c.reconstructionError })),
      criterion: `compressibility at keep fraction ${l.keepFraction}, then reconstruction error at sparsity ${l.targetSparsity}`,
    });
  }
  ctx.runner = new FlowRunner(flow, { events: { emit: (event, payload) => ctx.emit(event, payload) }, policies: { flow: config.flow, multiscale: config.multiscale } });
  ctx.emit("PHASE_CHANGED", { from: "RED", to: "AMBER", reason: "spec valid, not certified" });
  ctx.invariantBase = flow.invariants.map((inv) => (inv.kind === "conserved" && inv.check ? inv.check(flow.unflatten(flow.x0)) : 0));
}

/** The state record and the runner's snapshot from the checkpoint a resumed run continues. */
function resumeFrom(ctx: RunContext, p: ResumeState): ControllerState {
  const { state: s, runner, hook } = decodeState(p.controllerState, p.tunerState, p.state, ctx.flow, ctx.cadence.init());
  restore(s, ctx, { snap: runner, coefficients: s.restoredCoefficients });
  // the certificate hook's cache and warm starts, as the uninterrupted run had them here
  const certify = ctx.certify;
  if (hook && certify?.restoreState && hook.name === certify.name) callHook(certify.name, "restoreState", () => certify.restoreState!(hook.state));
  else if (hook && certify) ctx.emit("WARNING", { message: `the checkpoint holds the state of certificate hook "${hook.name}", not of "${certify.name}" or one it can take back: certificates start without it, so their values may differ from the uncut run's`, source: "controller" });
  s.certInterval = ctx.cadence.restore(s.certInterval);
  if (p.phase !== s.phase) throw new CflowError("BAD_CHECKPOINT", `the checkpoint's phase ${p.phase} is not its controller state's ${s.phase}`, { path: "controller_state.phase", expected: p.phase, found: s.phase });
  ctx.lastCheckpoint = checkpointKey(s, ctx, p.phase === "GREEN");
  // a finished run given more iterations polishes on
  if (s.stage === "done") s.stage = "polish";
  if (s.phase !== "AMBER") ctx.emit("PHASE_CHANGED", { from: "AMBER", to: s.phase, reason: `resumed at iteration ${p.iter}` });
  return s;
}
