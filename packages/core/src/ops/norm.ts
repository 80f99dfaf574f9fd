import { shapeSize } from "../dtype.js";
import { CflowError } from "../errors.js";
import { Kernel } from "../kernel/kernel.js";
import { CellBank, PlanBuilder } from "../kernel/plan.js";
import { type RngKey, normal, rngKey } from "../rng.js";
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
 * ‖A‖₂ by power iteration on AᵀA over kernel buffers. Each iteration is one plan run: rescale v,
 * w = A v, z = Aᵀw, and the three squared norms; λ = ‖w‖²/‖v‖² is the Rayleigh quotient of AᵀA
 * at v, whose error shrinks like (σ₂/σ₁)^{4k}, and v ← z/‖z‖ happens at the start of the next run.
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
  const v = kernel.from(normal(key, n, op.dtype), "estimateOpNorm");
  const w = kernel.alloc(m);
  const z = kernel.alloc(n);
  const cells = new CellBank(kernel);
  const inv = cells.cell(1);
  const vv = cells.cell();
  const ww = cells.cell();
  const zz = cells.cell();
  const p = new PlanBuilder(kernel).call("scale", n, inv, v);
  op.emitApply(p, v, w);
  op.emitAdjoint(p, w, z);
  p.call("norm2sq", n, v, vv).call("norm2sq", m, w, ww).call("norm2sq", n, z, zz).call("copy", n, z, v);
  const prog = p.build();
  try {
    let lambda = Number.NaN;
    for (let k = 1; k <= maxIters; k++) {
      prog.run();
      const next = ww.value / vv.value;
      if (!Number.isFinite(next)) {
        throw new CflowError("NORM_NOT_FINITE", `estimateOpNorm: the ${op.kind} operator produced a non-finite value at iteration ${k} (‖Av‖² = ${ww.value}, ‖v‖² = ${vv.value})`, {
          path: `estimateOpNorm(${op.kind})`,
          expected: "finite A v and Aᵀ w",
          found: String(next),
        });
      }
      // A v = 0 for a random start happens only for A = 0 (almost surely)
      if (next === 0 || zz.value === 0) return { norm: Math.sqrt(next), iterations: k, converged: true };
      if (Math.abs(next - lambda) <= tol * next) return { norm: Math.sqrt(next), iterations: k, converged: true };
      lambda = next;
      inv.value = 1 / Math.sqrt(zz.value);
    }
    return { norm: Math.sqrt(lambda), iterations: maxIters, converged: false };
  } finally {
    prog.dispose();
    cells.dispose();
    for (const b of [v, w, z]) b.free();
  }
}
