import type { CompiledFlow } from "../compiler/types.js";
import type { RealArray } from "../dtype.js";
import { CflowError } from "../errors.js";
import type { Json, Phase } from "../ports/events.js";
import type { RunSummary } from "../ports/sink.js";
import type { TelemetryRow } from "../ports/telemetry.js";
import { PrimalDualRunner, type StopReason } from "../runtime/primal-dual.js";
import { RunContext } from "./context.js";
import type { RunResult } from "./finish.js";
import type { RunCertifiedOptions } from "./run-certified.js";
import type { RunConfig } from "./run-config.js";
import { newRunId } from "./run-id.js";
import { summarize } from "./state-summary.js";

/**
 * A run of the primal–dual family (runtime/primal-dual.ts) with the recorder hooks: the same
 * capsule as a certified run — manifest, telemetry (with the optimality columns), events — and an
 * explicit stop reason. Its "certificate" is the convergence condition of the step sizes:
 * GREEN when στ‖K‖² < 1 (or 1/τ − σ‖K‖² > β/2 with a smooth part) rests on a proven bound of ‖K‖
 * (every op's analytic norm) or on Pock–Chambolle preconditioning (row and column sums of |K|);
 * AMBER when ‖K‖ is a power-iteration estimate. FDA certificates and the tuner do not apply (the
 * `certify` and `tune` hooks are ignored); checkpoints are not written (a primal–dual run is not
 * resumable yet). The spec was linted when it was compiled.
 * FINISHED when the residuals meet rtol/atol (stop reason converged) or stalled; TIMEOUT when the
 * iteration or wall-time budget is spent; ERROR when the iterates diverged or turned non-finite.
 */
export async function runPrimalDual(flow: CompiledFlow, config: RunConfig, options: RunCertifiedOptions = {}): Promise<RunResult> {
  if (options.resume) {
    throw new CflowError("RESUME_UNSUPPORTED", "resumeRun: primal–dual runs write no checkpoints yet, so they cannot be resumed", { path: "config.flow.family", found: config.flow.family, hint: "start the run again" });
  }
  const sinks = options.sinks ?? [];
  const deterministic = options.deterministic ?? false;
  const ctx = new RunContext(
    flow,
    config,
    null,
    null,
    sinks,
    { stopAfterCertification: options.stopAfterCertification ?? false, deterministic, checkpointEvery: 0 },
    sinks.find((s) => s.runId !== undefined)?.runId ?? options.runId ?? newRunId(),
    flow.key,
    options.signal,
  );
  const runId = ctx.runId;
  let phase: Phase = "AMBER";
  let runner: PrimalDualRunner | null = null;
  const emit = (event: Parameters<RunContext["emit"]>[0], payload: { [key: string]: Json } = {}) => ctx.emit(event, payload, runner ? runner.iter : -1);
  await ctx.start({
    runId,
    startedAt: new Date().toISOString(),
    dtype: flow.dtype,
    seed: flow.seed,
    rngKey: flow.key,
    deterministic,
    redactArtifacts: false,
    versions: options.versions ?? {},
    slots: flow.slots.map((s) => ({ name: s.name, shape: s.shape, manifold: s.manifoldName })),
    flowFamily: config.flow.family,
    frameType: null,
    lensName: null,
    gates: { etaMax: config.certification.etaMax, gammaMin: config.certification.gammaMin },
    budgets: { maxIters: config.budgets.maxIters, maxTrials: 0, wallTimeMs: config.budgets.wallTimeMs || null },
    compileReport: (options.extra?.compileReport ?? null) as Json,
    extra: Object.fromEntries(Object.entries(options.extra ?? {}).filter(([k]) => k !== "compileReport")),
  });
  emit("RUN_STARTED", { dtype: flow.dtype, flow_family: config.flow.family, deterministic });

  let status: RunSummary["status"] = "FINISHED";
  let reason: StopReason | null = null;
  let optimality: number | null = null;
  let failure: unknown = null;
  try {
    runner = new PrimalDualRunner(flow, { theta: config.flow.theta, strongConvexity: config.flow.strongConvexity, preconditioning: config.flow.preconditioning });
    const norm = runner.norm;
    emit("FLOW_POLICY_APPLIED", {
      policy: "flow",
      family: config.flow.family,
      params: {
        theta: config.flow.theta,
        strong_convexity: config.flow.strongConvexity,
        preconditioning: config.flow.preconditioning,
        // preconditioned: τ is per element (1/Σ_i|K_ij|) and σ per dual block
        tau: norm.route === "preconditioned" ? null : runner.tau,
        sigma: norm.route === "preconditioned" ? null : runner.sigma,
        beta_lipschitz: flow.lipschitz,
        op_norm_bound: norm.bound,
        op_norm_route: norm.route,
        ops: norm.ops.map((o) => ({ term: o.term, op: o.op, norm: o.norm, route: o.route })),
        rtol: config.budgets.rtol,
        atol: config.budgets.atol,
      },
    });
    const proven = norm.route !== "power-iteration";
    phase = proven ? "GREEN" : "AMBER";
    emit("PHASE_CHANGED", {
      from: "RED",
      to: phase,
      reason: proven
        ? norm.route === "preconditioned"
          ? "step sizes from the row and column sums of |K| (Pock–Chambolle): convergent"
          : `step sizes within the convergence condition for ‖K‖ ≤ ${norm.bound} (analytic op norms)`
        : "‖K‖ is a power-iteration estimate: the step-size condition is not proven",
    });
    const rule = { rtol: config.budgets.rtol, atol: config.budgets.atol };
    // `cflow cert`: the certificate is the step sizes' condition, known before any step
    if (options.stopAfterCertification) status = phase === "GREEN" ? "FINISHED" : "CERT_FAIL";
    for (; !options.stopAfterCertification; ) {
      if (options.signal?.aborted) {
        status = "CANCELLED";
        emit("CANCELLED", { reason: options.signal.reason instanceof Error ? options.signal.reason.message : String(options.signal.reason ?? "aborted") });
        break;
      }
      if (runner.iter >= config.budgets.maxIters) {
        reason = "budget";
        status = "TIMEOUT";
        emit("TIMEOUT", { budget: "iterations", limit: config.budgets.maxIters, used: runner.iter });
        break;
      }
      if (ctx.overTime()) {
        reason = "budget";
        status = "TIMEOUT";
        emit("TIMEOUT", { budget: "wall_time", limit: config.budgets.wallTimeMs, used: ctx.now() });
        break;
      }
      const m = runner.step();
      optimality = m.optimality;
      const row: TelemetryRow = {
        phase,
        iter: m.iter,
        trialId: null,
        tWallMs: ctx.now(),
        alpha: m.tau,
        lambda: null,
        lambdaJ: null,
        E: m.E,
        gradNorm: m.primalResidual,
        etaDD: null,
        gamma: null,
        sparsityWx: null,
        invariantDriftMax: null,
        phiResidual: null,
        lensName: null,
        levelActiveMax: null,
        sparsityMode: null,
        flowFamily: config.flow.family,
        warnings: [],
        notes: null,
        optimality: m.optimality,
        primalResidual: m.primalResidual,
        dualResidual: m.dualResidual,
      };
      ctx.telemetry(row);
      await ctx.flushIfDue();
      const v = runner.verdict(rule, m);
      if (v) {
        reason = v;
        status = v === "converged" || v === "stalled" ? "FINISHED" : "ERROR";
        if (v !== "converged") emit("WARNING", { message: `the primal–dual iterations ${v === "stalled" ? "stalled" : v === "diverged" ? "diverged" : "turned non-finite"} at iteration ${m.iter} (optimality ${m.optimality})`, source: "controller" });
        break;
      }
      // the event loop gets a turn now and then (cancellation, flush timers)
      await ctx.breathe();
    }
  } catch (err) {
    status = "ERROR";
    failure = err;
    emit("WARNING", { message: err instanceof Error ? err.message : String(err), source: "controller" });
  }

  const x: RealArray = runner ? runner.state : flow.x0;
  const energy = runner ? runner.energy : Number.NaN;
  const iters = runner?.iter ?? 0;
  const fin: { [key: string]: Json } = { status, phase, iters };
  if (Number.isFinite(energy)) fin.final_energy = energy;
  if (reason) fin.stop_reason = reason;
  if (optimality !== null && Number.isFinite(optimality)) fin.optimality = optimality;
  emit("RUN_FINISHED", fin);
  const state = flow.unflatten(x);
  const runCard: Json = {
    run_id: runId,
    status,
    phase,
    certified: phase === "GREEN",
    checks: runner
      ? [{ check: "step_sizes", pass: phase === "GREEN", value: runner.norm.bound, threshold: null, reason: `‖K‖ route: ${runner.norm.route}` }]
      : [],
    stop_reason: reason,
    optimality,
  };
  const summary: RunSummary = {
    status,
    phase,
    iters,
    finalEnergy: Number.isFinite(energy) ? energy : null,
    tWallMs: ctx.now(),
    runCard,
    stateSummary: Object.fromEntries(Object.entries(state).map(([k, v]) => [k, summarize(v)])),
    finalState: state,
    ...(reason ? { stopReason: reason } : {}),
    ...(optimality !== null && Number.isFinite(optimality) ? { optimality } : {}),
  };
  await ctx.finish(summary);
  const tau = runner?.tau ?? 0;
  runner?.dispose();
  if (failure) throw failure;
  return {
    runId,
    status,
    phase,
    state,
    x,
    iters,
    energy,
    certificates: [],
    tunerHistory: [],
    events: ctx.journal.events.items,
    counts: { certificates: 0, events: ctx.journal.events.count, rollbacks: 0 },
    runCard,
    dials: { lambda: null, lambdaJ: null, alpha: tau },
    stopReason: reason,
    optimality,
  };
}
