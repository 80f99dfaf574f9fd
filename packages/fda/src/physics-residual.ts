import { CflowError, type RealArray } from "@cflow/core";

export interface PhysicsResidualOptions {
  /** Default "l2". */
  norm?: "l2" | "linf";
  /** Divide by this scale (e.g. ‖b‖ for ‖Ax − b‖/‖b‖); default 1. */
  reference?: number;
}

/**
 * The physics residual of a state: ‖r(x)‖ / reference for a user residual r (a PDE or balance
 * law the solution must satisfy, a measurement equation). Non-finite entries give Infinity.
 */
export function physicsResidual(residual: (x: RealArray) => ArrayLike<number>, x: RealArray, options: PhysicsResidualOptions = {}): number {
  const ref = options.reference ?? 1;
  if (!(ref > 0) || !Number.isFinite(ref)) {
    throw new CflowError("BAD_OPTION", `physicsResidual: reference must be finite and > 0, found ${ref}`, { path: "physicsResidual.reference", expected: "> 0", found: ref });
  }
  const r = residual(x);
  let acc = 0;
  for (let i = 0; i < r.length; i++) {
    const v = Math.abs(r[i]);
    if (!Number.isFinite(v)) return Infinity;
    acc = options.norm === "linf" ? Math.max(acc, v) : acc + v * v;
  }
  return (options.norm === "linf" ? acc : Math.sqrt(acc)) / ref;
}
