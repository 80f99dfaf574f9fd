import { CflowError, type RngKey, foldIn, rademacher } from "@cflow/core";

/** y ← M v for a symmetric linear operator M of size n (Float64 vectors). */
export type LinearApply = (v: Float64Array, out: Float64Array) => void;

export interface TraceEstimate {
  /** (1/p) Σ_k z_kᵀ M z_k. */
  trace: number;
  /** Standard error of the mean over the probes (0 with one probe). */
  stdError: number;
  probes: number;
}

/**
 * Hutchinson's estimator of tr(M): the mean of z_kᵀ M z_k over p Rademacher probes z_k (entries ±1
 * with probability ½), drawn from `key` — unbiased, with variance 2(‖M‖_F² − Σ M_ii²)/p for
 * symmetric M. The same key gives the same probes, so estimates at different λ share their noise.
 */
export function hutchinsonTrace(apply: LinearApply, n: number, probes: number, key: RngKey): TraceEstimate {
  if (!(Number.isInteger(probes) && probes >= 1)) {
    throw new CflowError("BAD_OPTION", `hutchinsonTrace: probes must be an integer ≥ 1, found ${probes}`, { path: "traceProbes", expected: "an integer ≥ 1", found: probes });
  }
  const z = new Float64Array(n);
  const mz = new Float64Array(n);
  const samples: number[] = [];
  for (let k = 0; k < probes; k++) {
    rademacher(foldIn(key, k), z);
    apply(z, mz);
    let s = 0;
    for (let i = 0; i < n; i++) s += z[i] * mz[i];
    samples.push(s);
  }
  const mean = samples.reduce((a, b) => a + b, 0) / probes;
  const variance = probes > 1 ? samples.reduce((a, b) => a + (b - mean) ** 2, 0) / (probes - 1) : 0;
  return { trace: mean, stdError: Math.sqrt(variance / probes), probes };
}

export interface SolveResult {
  x: Float64Array;
  iterations: number;
  /** ‖b − M x‖/‖b‖ at the end. */
  relResidual: number;
  converged: boolean;
}

/**
 * Conjugate gradients for M x = b, M symmetric positive definite (on a certified support: the
 * restricted operator's γ > 0 is what makes it so). Stops at ‖b − M x‖ ≤ tol·‖b‖ or after
 * maxIterations.
 */
export function conjugateGradient(apply: LinearApply, b: Float64Array, tol: number, maxIterations: number): SolveResult {
  const n = b.length;
  const x = new Float64Array(n);
  const r = Float64Array.from(b);
  const p = Float64Array.from(b);
  const mp = new Float64Array(n);
  const bNorm = Math.sqrt(dot(b, b));
  if (bNorm === 0) return { x, iterations: 0, relResidual: 0, converged: true };
  let rr = dot(r, r);
  let k = 0;
  while (k < maxIterations && Math.sqrt(rr) > tol * bNorm) {
    apply(p, mp);
    const pmp = dot(p, mp);
    if (!(pmp > 0)) break; // not positive definite along p (or a non-finite value): stop where we are
    const a = rr / pmp;
    for (let i = 0; i < n; i++) {
      x[i] += a * p[i];
      r[i] -= a * mp[i];
    }
    const next = dot(r, r);
    const beta = next / rr;
    rr = next;
    for (let i = 0; i < n; i++) p[i] = r[i] + beta * p[i];
    k++;
  }
  const rel = Math.sqrt(rr) / bNorm;
  return { x, iterations: k, relResidual: rel, converged: rel <= tol };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
