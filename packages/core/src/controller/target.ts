import type { Json } from "../ports/events.js";
import type { TargetReading } from "../ports/tuner.js";
import type { RunContext } from "./context.js";
import type { ControllerState } from "./state.js";
import { coefficients } from "./stepping.js";

/** A final discrepancy above this many τ marks the result over-regularised (run card, WARNING). */
export const OVER_REGULARISED = 2;

/** The tuner's task target's reading of the current state (null without a target or when the state is not finite). */
export function readTarget(s: ControllerState, ctx: RunContext): TargetReading | null {
  const target = ctx.tune?.taskTarget;
  if (!target || !Number.isFinite(ctx.runner.energy)) return null;
  const sparse = ctx.flow.prox.some((p) => p.term.sparsity);
  return target.read(ctx.flow.unflatten(ctx.runner.state) as { [slot: string]: Float64Array | Float32Array }, sparse ? coefficients(s, ctx) : null);
}

/** A target reading's fields in an event payload (SCHEMA.md). */
export function targetFields(r: TargetReading): { [key: string]: Json } {
  return { target: r.target, discrepancy: r.discrepancy, target_value: r.value };
}

/** The plain warning of a certified result that explains the data far worse than the noise does. */
export function overRegularised(discrepancy: number): string {
  return `over-regularised: discrepancy ${discrepancy.toPrecision(3)}× the noise level (‖Kx − y‖² = ${discrepancy.toPrecision(3)}·m·σ²)`;
}
