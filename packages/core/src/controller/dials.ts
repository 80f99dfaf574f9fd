import type { Json } from "../ports/events.js";
import type { BandStat, Dials, TunerContext } from "../ports/tuner.js";
import { foldIn } from "../rng.js";
import { bandStats } from "./band-stats.js";
import type { RunContext } from "./context.js";
import { readTarget } from "./target.js";
import type { ControllerState } from "./state.js";

/**
 * The controller's gate on a tuner move, whatever the policy proposed: the step size below the
 * family's bound, λ within its cap, each dial within the per-trial move cap, adjacent λ_j within
 * the ratio bounds. The one place these limits are enforced. Returns why the move is refused, or
 * null. (Remediation in the feasibility sweep is not a tuning move: it is gated by the step-size
 * bound and the λ cap only — widening λ by its factor is the point of it.)
 */
export function checkMove(ctx: RunContext, from: Dials, to: Dials, kind: "remediation" | "trial"): string | null {
  const { moveCap, ratioBounds, lambdaCap } = ctx.config.control;
  const alphaMax = ctx.runner.alphaMax;
  const rel = (a: number, b: number) => Math.abs(b - a) / Math.max(Math.abs(a), 1e-300);
  const slack = 1e-9;
  if (!(to.alpha < alphaMax)) return `α = ${to.alpha} is not below the ${ctx.runner.family.name} family's bound ${alphaMax}`;
  if (to.lambda !== null && to.lambda > lambdaCap) return `λ = ${to.lambda} exceeds its cap ${lambdaCap}`;
  if (kind === "remediation") return null;
  if (from.lambda !== null && to.lambda !== null && rel(from.lambda, to.lambda) > moveCap + slack) return `λ move ${from.lambda} → ${to.lambda} exceeds the cap ±${moveCap * 100}%`;
  if (rel(from.alpha, to.alpha) > moveCap + slack) return `α move ${from.alpha} → ${to.alpha} exceeds the cap ±${moveCap * 100}%`;
  if (to.lambdaJ) {
    for (let j = 0; j + 1 < to.lambdaJ.length; j++) {
      const r = to.lambdaJ[j] / to.lambdaJ[j + 1];
      if (!(r >= ratioBounds[0] - slack && r <= ratioBounds[1] + slack)) return `λ_${j}/λ_${j + 1} = ${r.toFixed(3)} is outside [${ratioBounds[0]}, ${ratioBounds[1]}]`;
    }
    if (from.lambdaJ) for (let j = 0; j < to.lambdaJ.length; j++) if (rel(from.lambdaJ[j], to.lambdaJ[j]) > moveCap + slack) return `λ_${j} move exceeds the cap ±${moveCap * 100}%`;
  }
  return null;
}

/** Sets the runner's dials; new dials define a new energy (λ) or descent constant (α), so the descent check starts over. */
export function applyDials(s: ControllerState, ctx: RunContext, d: Dials): void {
  if (!sameDials(d, ctx.runner.dials)) s.trace = null;
  ctx.runner.setDials(d);
}

/**
 * What the tuner sees at a decision: the dials, the controller's limits, band statistics, its
 * options. The band statistics are computed when the policy first reads them (a transform and
 * three sorts of the coefficients, wasted on a policy that never looks).
 */
export function tunerContext(s: ControllerState, ctx: RunContext): TunerContext {
  const r = ctx.runner;
  const W = ctx.flow.W;
  const c = ctx.config.control;
  let stats: BandStat[] | null | undefined;
  return {
    dials: r.dials,
    target: readTarget(s, ctx),
    limits: { alphaMax: r.alphaMax, lambdaCap: c.lambdaCap, moveCap: c.moveCap, ratioBounds: c.ratioBounds },
    get bandStats() {
      if (stats === undefined) stats = W && W.levels > 0 ? bandStats(W, r.state) : null;
      return stats;
    },
    options: ctx.config.tuner,
    iter: r.iter,
    key: foldIn(ctx.key, 0x70e5 + s.trial),
  };
}

export function sameDials(a: Dials, b: Dials): boolean {
  const sameJ = a.lambdaJ === b.lambdaJ || (!!a.lambdaJ && !!b.lambdaJ && a.lambdaJ.length === b.lambdaJ.length && a.lambdaJ.every((v, j) => v === b.lambdaJ![j]));
  return a.alpha === b.alpha && a.lambda === b.lambda && sameJ;
}

/** Dials in events: `{ alpha, lambda?, lambda_j? }` (absent: the flow has no such dial). */
export function dialsJson(d: Dials): Json {
  const o: { [key: string]: Json } = { alpha: d.alpha };
  if (d.lambda !== null) o.lambda = d.lambda;
  if (d.lambdaJ) o.lambda_j = d.lambdaJ;
  return o;
}
