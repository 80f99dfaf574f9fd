import type { Json } from "../../ports/events.js";
import type { TrialOutcome } from "../../ports/tuner.js";
import { writeCheckpoint } from "../checkpoint.js";
import { certify } from "../certify.js";
import type { RunContext } from "../context.js";
import { applyDials, checkMove, dialsJson, tunerContext } from "../dials.js";
import { readTarget, targetFields } from "../target.js";
import { callHook } from "../hooks.js";
import type { ControllerState, InFlight } from "../state.js";
import { rollback, setLastGood, warmUp } from "../stepping.js";

type Trial = Extract<InFlight, { kind: "trial" }>;

/**
 * Phase 2: tuning under certificates, from a GREEN state with a tuner. The tuner proposes a
 * move; the controller gates it (`checkMove`), runs a validation of `control.validationIters`
 * iterations on the new dials and re-certifies: accepted, the state is the new last good one;
 * else it is rolled back. Tuning ends when the tuner stops, after `control.noImprove` trials
 * without improvement, `control.maxRollbacks` rollbacks, `budgets.maxTrials` trials, or when a
 * validation run would overrun the iteration budget; then the polish. A spent wall-time budget
 * ends the run (TIMEOUT), an abort CANCELLED.
 */
export async function tuning(s: ControllerState, ctx: RunContext): Promise<ControllerState> {
  if (s.phase === "GREEN" && ctx.tune) {
    const end = await tune(s, ctx);
    if (end) {
      s.status = end;
      return s;
    }
  }
  s.stage = "polish";
  return s;
}

async function tune(s: ControllerState, ctx: RunContext): Promise<"CANCELLED" | "TIMEOUT" | null> {
  const tuner = ctx.tune!;
  const { budgets, control } = ctx.config;
  // a resumed run cut mid-trial finishes that trial first
  if (s.inFlight?.kind === "trial" && (await validate(s, ctx, s.inFlight)) === "TIMEOUT") return "TIMEOUT";
  while (s.trial < budgets.maxTrials) {
    if (ctx.aborted) return "CANCELLED";
    if (ctx.overTime()) {
      ctx.timeout("wall_time", budgets.wallTimeMs, ctx.now());
      return "TIMEOUT";
    }
    if (ctx.runner.iter + control.validationIters > budgets.maxIters) {
      // a validation run would overrun the iteration budget: tuning ends, the budget's rest polishes
      ctx.timeout("iterations", budgets.maxIters, ctx.runner.iter);
      return null;
    }
    if (s.rollbacks >= control.maxRollbacks) {
      ctx.emit("WARNING", { message: `tuning stopped after ${s.rollbacks} rollbacks`, source: "controller" });
      return null;
    }
    if (s.trialsWithoutImprovement >= control.noImprove) return null;
    const tc = tunerContext(s, ctx);
    const prop = callHook(tuner.name, "propose", () => tuner.policy.propose(s.tunerState, tc));
    s.tunerState = prop.state;
    if (!prop.dials) return null;
    s.trial++;
    const from = tc.dials;
    const to = prop.dials;
    const trial: Trial = { kind: "trial", trial: s.trial, from, to, done: 0 };
    s.inFlight = trial;
    ctx.emit("TUNER_MOVE_TRY", { trial: s.trial, from: dialsJson(from), to: dialsJson(to), note: prop.note });
    const refused = checkMove(ctx, from, to, "trial");
    if (refused) {
      ctx.emit("TUNER_MOVE_REJECTED", { trial: s.trial, to: dialsJson(to), reason: refused });
      s.trialsWithoutImprovement++;
      await settle(s, ctx, { trial: s.trial, from, to, certificate: null, accepted: false, metric: null, energy: ctx.runner.energy, reason: refused });
      continue;
    }
    applyDials(s, ctx, to);
    if ((await validate(s, ctx, trial)) === "TIMEOUT") return "TIMEOUT";
  }
  ctx.timeout("trials", budgets.maxTrials, s.trial);
  return null;
}

/**
 * The trial in flight: its validation run on the new dials, then the verdict — accepted when
 * the certificates hold (the new last good state), else rolled back to the last good state
 * (where every trial starts). "TIMEOUT" when the iteration budget cuts the validation run (a
 * resumed run given a smaller budget): the trial stays in flight.
 */
async function validate(s: ControllerState, ctx: RunContext, trial: Trial): Promise<"TIMEOUT" | null> {
  const tuner = ctx.tune!;
  const { from, to } = trial;
  const warm = await warmUp(s, ctx, ctx.config.control.validationIters);
  if (warm === "cap") {
    ctx.timeout("iterations", ctx.config.budgets.maxIters, ctx.runner.iter);
    return "TIMEOUT";
  }
  const diverged = warm === "nonfinite";
  const reading = diverged ? null : readTarget(s, ctx);
  const certified = diverged ? null : certify(s, ctx, "tuning", undefined, 0, reading);
  const cert = certified?.cert ?? null;
  const metric = reading ? reading.score : !diverged && tuner.taskMetric ? callHook(tuner.name, "taskMetric", () => tuner.taskMetric!(ctx.flow.unflatten(ctx.runner.state) as { [slot: string]: Float64Array | Float32Array })) : null;
  const accepted = !diverged && cert !== null && cert.pass && (metric === null || Number.isFinite(metric));
  const reason = diverged
    ? "NaN/Inf in the state or energy during validation"
    : accepted
      ? "certificates hold"
      : cert!.pass
        ? `the task metric is not finite (${metric})`
        : `certificates failed: ${cert!.reasons.join("; ")}`;
  const outcome: TrialOutcome = { trial: trial.trial, from, to, certificate: cert, accepted, metric, target: reading, energy: ctx.runner.energy, reason };
  if (accepted) {
    const score = metric ?? ctx.runner.energy;
    // (the first accepted score always improves: ∞ − 1e-12·∞ is NaN, which no comparison passes)
    if (!Number.isFinite(s.bestMetric) || score < s.bestMetric - 1e-12 * Math.abs(s.bestMetric)) {
      s.bestMetric = score;
      s.trialsWithoutImprovement = 0;
    } else s.trialsWithoutImprovement++;
    setLastGood(s, ctx, certified!.hull);
    const acc: { [key: string]: Json } = { trial: trial.trial, to: dialsJson(to), energy: ctx.runner.energy };
    if (metric !== null) acc.metric = metric;
    if (reading) Object.assign(acc, targetFields(reading));
    ctx.emit("TUNER_MOVE_ACCEPTED", acc);
  } else {
    rollback(s, ctx, s.lastGood!, reason);
    const rej: { [key: string]: Json } = { trial: trial.trial, to: dialsJson(to), reason };
    if (cert) Object.assign(rej, { eta_dd: cert.etaDD, ...(Number.isFinite(cert.gamma) ? { gamma: cert.gamma } : {}) });
    if (reading) Object.assign(rej, targetFields(reading));
    ctx.emit("TUNER_MOVE_REJECTED", rej);
    s.trialsWithoutImprovement++;
  }
  await settle(s, ctx, outcome);
  return null;
}

/** Hands a trial's outcome to the policy and closes the trial; an accepted move is checkpointed as the new last good state. */
async function settle(s: ControllerState, ctx: RunContext, outcome: TrialOutcome): Promise<void> {
  const tuner = ctx.tune!;
  ctx.journal.tunerHistory.push(outcome);
  s.tunerState = callHook(tuner.name, "update", () => tuner.policy.update(s.tunerState, outcome));
  s.inFlight = null;
  // after the policy's update, so a resumed run proposes the next move from the same state
  if (outcome.accepted) await writeCheckpoint(s, ctx, true);
}
