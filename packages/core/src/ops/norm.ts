import { shapeSize } from "../dtype.js";
import { CflowError } from "../errors.js";
import { Kernel } from "../kernel/kernel.js";
import { PlanBuilder } from "../kernel/plan.js";
import { powerIteration } from "../linalg/power-iteration.js";
import { type RngKey, rngKey } from "../rng.js";
import type { Op } from "./op.js";
import { opArg } from "./validate.js";

export interface OpNormOptions {
  /** Key of the random start vector (default rngKey(0)); the same key gives the same estimate. */
  key?: RngKey;
  /** Iteration cap (default 200). */
  maxIters?: number;
  /**
   * Stop when ‖A‖² changes by at most tol·‖A‖² between iterations (default 1e-6). In float32 the
   * estimate jitters by ~1e-7 from rounding alone, so a smaller tol runs to maxIters.
   */
  tol?: number;
}

export interface OpNormEstimate {
  /** Estimate of ‖A‖₂ (from below: a Rayleigh quotient of AᵀA). */
  norm: number;
  iterations: number;
  converged: boolean;
}

/**
 * ‖A‖₂ by power iteration on AᵀA (linalg/power-iteration.ts): each application is one plan run
 * over kernel buffers, w = A v then z = Aᵀ w; θ = vᵀz = ‖A v‖² for the unit iterate v is the
 * Rayleigh quotient of AᵀA, whose error shrinks like (σ₂/σ₁)^{4k}. Stops once θ changes by at
 * most tol·θ between iterations.
 */
export function estimateOpNorm(op: Op, options: OpNormOptions = {}): OpNormEstimate {
  opArg("estimateOpNorm", "op", op);
  const { key = rngKey(0), maxIters = 200, tol = 1e-6 } = options;
  if (!Number.isSafeInteger(maxIters) || maxIters < 1) {
    throw new CflowError("BAD_ARGUMENT", `estimateOpNorm: maxIters must be a positive integer, found ${maxIters}`, { path: "estimateOpNorm.maxIters", expected: "an integer ≥ 1", found: maxIters });
  }
  if (!(typeof tol === "number" && tol > 0 && Number.isFinite(tol))) {
    throw new CflowError("BAD_ARGUMENT", `estimateOpNorm: tol must be a positive number, found ${tol}`, { path: "estimateOpNorm.tol", expected: "a finite number > 0", found: tol });
  }
  const n = shapeSize(op.inShape);
  const m = shapeSize(op.outShape);
  if (n === 0 || m === 0) return { norm: 0, iterations: 0, converged: true };

  const kernel = Kernel.get(op.dtype);
  const v = kernel.alloc(n);
  const w = kernel.alloc(m);
  const z = kernel.alloc(n);
  const p = new PlanBuilder(kernel);
  op.emitApply(p, v, w);
  op.emitAdjoint(p, w, z);
  const prog = p.build();
  const gram = {
    size: n,
    apply(x: Float64Array, out: Float64Array) {
      v.view.set(x);
      prog.run();
      out.set(z.view);
    },
  };
  try {
    const r = powerIteration(gram, { key, maxIter: maxIters, tol, stop: "rayleigh" });
    return { norm: Math.sqrt(Math.max(r.lambda, 0)), iterations: r.iterations, converged: r.converged };
  } catch (err) {
    if (err instanceof CflowError && err.code === "NOT_FINITE") {
      throw new CflowError("NORM_NOT_FINITE", `estimateOpNorm: the ${op.kind} operator produced a non-finite value (${err.message})`, {
        path: `estimateOpNorm(${op.kind})`,
        expected: "finite A v and Aᵀ w",
        found: String(err.details.found),
      });
    }
    throw err;
  } finally {
    prog.dispose();
    for (const b of [v, w, z]) b.free();
  }
}
