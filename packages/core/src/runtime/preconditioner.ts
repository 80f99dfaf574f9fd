// The diagonal (Jacobi) preconditioner of the `preconditioned` flow family: D ≈ diag(H) with H
// the smooth part's Hessian (the core operator of the certificates), and the step size
// α = c/λ_max(D^{-1/2} H D^{-1/2}), so the step x⁺ = P_C(y − α D⁻¹∇f(y)) descends in the D-metric.
import type { CompiledFlow } from "../compiler/types.js";
import { type RealArray, zeros } from "../dtype.js";
import { CflowError } from "../errors.js";
import { type PowerIterationResult, type SymmetricOperator, powerIteration } from "../linalg/power-iteration.js";
import { foldIn, randomBits } from "../rng.js";

export interface DiagonalPreconditioner {
  /** D (float64, every entry > 0). */
  d: Float64Array;
  /**
   * How diag(H) was obtained: "analytic" (every smooth term knows its Hessian diagonal),
   * "unit-probes" (H e_i for every i: exact, for small states), "stochastic-probes" (the
   * Bekas–Kokiopoulou–Saad estimate E[v ⊙ Hv] over Rademacher vectors v).
   */
  method: "analytic" | "unit-probes" | "stochastic-probes";
  /** Hessian-vector products spent on the diagonal. */
  probes: number;
  /** λ_max(D^{-1/2} H D^{-1/2}) by power iteration (times 1.01: power iteration approaches it from below). */
  lambdaMax: number;
  powerIterations: number;
}

export interface PreconditionerOptions {
  /** Largest state probed exactly with unit vectors (default 512). */
  maxUnitProbes?: number;
  /** Rademacher probes of the stochastic estimate (default 64). */
  stochasticProbes?: number;
  /** Power-iteration cap (default 500) and relative tolerance on λ (default 1e-7). */
  maxPowerIterations?: number;
  powerTol?: number;
}

/**
 * Exact diagonal entries below 1e-12·max are raised to it (a coordinate f does not touch has a
 * zero row in H, so any positive D_ii is exact there). Stochastic estimates below a tenth of
 * their mean are dominated by the estimator's noise and are raised to that tenth.
 */
const EXACT_FLOOR = 1e-12;
const STOCHASTIC_FLOOR = 0.1;

export function jacobiPreconditioner(flow: CompiledFlow, options: PreconditionerOptions = {}): DiagonalPreconditioner {
  const { maxUnitProbes = 512, stochasticProbes = 64, maxPowerIterations = 500, powerTol = 1e-7 } = options;
  const n = flow.n;
  const hv = hessianProduct(flow);
  let d = analyticDiagonal(flow);
  let method: DiagonalPreconditioner["method"] = "analytic";
  let probes = 0;
  if (!d) {
    d = new Float64Array(n);
    const v = new Float64Array(n);
    if (n <= maxUnitProbes) {
      method = "unit-probes";
      for (let i = 0; i < n; i++) {
        v[i] = 1;
        d[i] = hv(v)[i];
        v[i] = 0;
      }
      probes = n;
    } else {
      method = "stochastic-probes";
      const key = foldIn(flow.key, 0x9ac0b1);
      for (let k = 0; k < stochasticProbes; k++) {
        const bits = randomBits(foldIn(key, k), n);
        for (let i = 0; i < n; i++) v[i] = bits[i] & 1 ? 1 : -1;
        const h = hv(v);
        for (let i = 0; i < n; i++) d[i] += (v[i] * h[i]) / stochasticProbes;
      }
      probes = stochasticProbes;
    }
  }
  clip(d, method === "stochastic-probes");

  // power iteration on M = D^{-1/2} H D^{-1/2} (linalg/power-iteration.ts)
  const s = d.map((x) => 1 / Math.sqrt(x));
  const scaled = new Float64Array(n);
  const m: SymmetricOperator = {
    size: n,
    apply(v, out) {
      for (let i = 0; i < n; i++) scaled[i] = v[i] * s[i];
      const w = hv(scaled);
      for (let i = 0; i < n; i++) out[i] = w[i] * s[i];
    },
  };
  let power: PowerIterationResult;
  try {
    power = powerIteration(m, { key: foldIn(flow.key, 0x9ac0b2), maxIter: maxPowerIterations, tol: powerTol, stop: "rayleigh" });
  } catch (err) {
    if (err instanceof CflowError && err.code === "NOT_FINITE") {
      throw new CflowError("NORM_NOT_FINITE", `preconditioned: the Hessian of the smooth part produced a non-finite value (${err.message})`, {
        path: "policies.flow.family",
        expected: "a finite Hessian",
        found: String(err.details.found),
      });
    }
    throw err;
  }
  return { d, method, probes, lambdaMax: Math.max(power.lambda, 0) * 1.01, powerIterations: power.iterations };
}

/** v ↦ H v in float64 through the flow's core operator (the state's dtype in between). */
function hessianProduct(flow: CompiledFlow): (v: Float64Array) => Float64Array {
  const vin = zeros(flow.dtype, flow.n);
  const out = zeros(flow.dtype, flow.n);
  return (v) => {
    vin.set(v);
    flow.L_apply(vin as RealArray, out as RealArray);
    return Float64Array.from(out);
  };
}

/** Σ of the smooth terms' exact Hessian diagonals (at x0), or null if one of them lacks it. */
function analyticDiagonal(flow: CompiledFlow): Float64Array | null {
  if (flow.smooth.length === 0) return null;
  const d = new Float64Array(flow.n);
  const k = flow.kernel;
  for (const t of flow.smooth) {
    if (!t.term.hessianDiagonal) return null;
    const s = t.slot;
    const x = k.from(flow.x0.subarray(s.offset, s.offset + s.size), "preconditioner");
    try {
      const h = t.term.hessianDiagonal(x);
      if (!h) return null;
      for (let i = 0; i < s.size; i++) d[s.offset + i] += h[i];
    } finally {
      x.free();
    }
  }
  return d;
}

function clip(d: Float64Array, stochastic: boolean): void {
  let max = 0;
  let sum = 0;
  for (const x of d) {
    max = Math.max(max, x);
    sum += Math.max(x, 0);
  }
  const floor = stochastic ? (STOCHASTIC_FLOOR * sum) / d.length : EXACT_FLOOR * max;
  // H = 0 (no curvature anywhere): the identity metric
  const f = floor > 0 ? floor : 1;
  for (let i = 0; i < d.length; i++) if (!(d[i] >= f)) d[i] = f;
}
