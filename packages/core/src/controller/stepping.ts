import type { RealArray } from "../dtype.js";
import type { Phase } from "../ports/events.js";
import type { StepMetrics } from "../runtime/runner.js";
import type { RunContext } from "./context.js";
import type { ControllerState, Saved } from "./state.js";
import { stepRow } from "./telemetry.js";

/** One step of the runner: the current state is no longer a saved one. */
export function step(s: ControllerState, ctx: RunContext): StepMetrics {
  const m = ctx.runner.step();
  s.optimality = m.optimality;
  s.restoredCoefficients = null;
  s.lastGoodIsCurrent = false;
  return m;
}

/**
 * Runs the attempt or trial in flight to `iters` steps of warm-up, counting them in it (a
 * resumed one continues its count), recording each step's row and flushing the sinks when they
 * are due. Ends early at the iteration budget ("cap": the attempt or trial stays in flight) or
 * when the energy or state turned non-finite.
 */
export async function warmUp(s: ControllerState, ctx: RunContext, iters: number): Promise<"done" | "nonfinite" | "cap"> {
  const flight = s.inFlight!;
  while (flight.done < iters) {
    await ctx.breathe();
    ctx.checkAbort();
    if (ctx.runner.iter >= ctx.config.budgets.maxIters) return "cap";
    const m = step(s, ctx);
    flight.done++;
    ctx.telemetry(stepRow(s, ctx, m));
    if (!Number.isFinite(m.E)) return "nonfinite";
    await ctx.flushIfDue();
  }
  return "done";
}

/** W-space coefficients of the current state: the prox output it was synthesised from. */
export function coefficients(s: ControllerState, ctx: RunContext): RealArray {
  return s.restoredCoefficients ?? ctx.runner.coefficients();
}

/** The current state, with the exact coefficients it came from, as a rollback target. */
export function save(s: ControllerState, ctx: RunContext): Saved {
  const sparse = ctx.flow.prox.some((p) => p.term.sparsity);
  return { snap: ctx.runner.snapshot(), coefficients: sparse ? coefficients(s, ctx) : null };
}

/**
 * The current state becomes the last good (certified) one; `hull` the coefficients whose support
 * its certificate was taken on when that was a hull of the state's support (certificate-hull.ts).
 */
export function setLastGood(s: ControllerState, ctx: RunContext, hull: RealArray | null): void {
  s.lastGood = save(s, ctx);
  s.lastGoodIsCurrent = true;
  s.certifiedHull = hull;
}

export function restore(s: ControllerState, ctx: RunContext, to: Saved): void {
  ctx.runner.restore(to.snap);
  s.restoredCoefficients = to.coefficients;
}

/** Back to a saved state (a regression): the event belongs to the iteration that regressed. */
export function rollback(s: ControllerState, ctx: RunContext, to: Saved, reason: string): void {
  const fromIter = ctx.runner.iter;
  restore(s, ctx, to);
  s.lastGoodIsCurrent = to === s.lastGood;
  s.trace = null; // the descent check compares consecutive iterations only
  s.rollbacks++;
  // its telemetry row holds the dials that failed
  ctx.emit("ROLLBACK", { to_iter: to.snap.iter, reason: `${reason} (from iteration ${fromIter})`, rollbacks: s.rollbacks }, fromIter);
}

export function setPhase(s: ControllerState, ctx: RunContext, phase: Phase, reason: string): void {
  if (phase === s.phase) return;
  const from = s.phase;
  s.phase = phase;
  ctx.emit("PHASE_CHANGED", { from, to: phase, reason });
}
