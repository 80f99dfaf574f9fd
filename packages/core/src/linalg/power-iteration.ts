import { CflowError } from "../errors.js";
import { type RngKey, normal } from "../rng.js";

/** A symmetric linear operator on float64 vectors of length `size`: out ← A v. */
export interface SymmetricOperator {
  readonly size: number;
  apply(v: Float64Array, out: Float64Array): void;
}

export interface PowerIterationOptions {
  /** Key of the random start vector: the same key gives the same result. */
  key: RngKey;
  /** Default 200. */
  maxIter?: number;
  /** Default 1e-6; see `stop`. */
  tol?: number;
  /**
   * When to stop: "residual" (default) once ‖A v − θ v‖ ≤ tol·|θ| — then some eigenvalue lies
   * within the residual of θ; "rayleigh" once θ changes by at most tol·|θ| between iterations —
   * cheaper to reach, enough for a norm estimate that is given a margin.
   */
  stop?: "residual" | "rayleigh";
}

export interface PowerIterationResult {
  /** Rayleigh quotient θ of the last iterate: the dominant eigenvalue (λ_max for a PSD operator). */
  lambda: number;
  /** ‖A v − θ v‖ at the last iterate: some eigenvalue lies within it of θ. */
  residual: number;
  converged: boolean;
  iterations: number;
  applications: number;
}

/**
 * The dominant eigenvalue of a symmetric operator by power iteration, in float64 whatever the
 * operator computes in. For a PSD operator θ ≤ λ_max at every iterate, so λ_max — a Lipschitz
 * constant β = ‖∇²f‖, or ‖A‖² through AᵀA — is approached from below: a step size taken from it
 * needs a margin unless converged to a tight tolerance (docs/design.md §2.2).
 */
export function powerIteration(op: SymmetricOperator, options: PowerIterationOptions): PowerIterationResult {
  const s = op.size;
  if (s === 0) throw new CflowError("EMPTY_OPERATOR", "powerIteration: the operator has size 0", { path: "powerIteration", expected: "size ≥ 1", found: 0 });
  const maxIter = options.maxIter ?? 200;
  const tol = options.tol ?? 1e-6;
  const byResidual = (options.stop ?? "residual") === "residual";
  let v = Float64Array.from(normal(options.key, s, "float64"));
  let w = new Float64Array(s);
  const nv = norm2(v);
  for (let i = 0; i < s; i++) v[i] /= nv;
  let lambda = Number.NaN;
  let residual = Infinity;
  let converged = false;
  let it = 0;
  while (it < maxIter) {
    op.apply(v, w);
    it++;
    const previous = lambda;
    lambda = dot(v, w);
    if (!Number.isFinite(lambda)) {
      throw new CflowError("NOT_FINITE", `powerIteration: the operator produced a non-finite value at iteration ${it} (θ = ${lambda})`, { path: "powerIteration", expected: "finite A v", found: String(lambda) });
    }
    let r2 = 0;
    for (let i = 0; i < s; i++) {
      const r = w[i] - lambda * v[i];
      r2 += r * r;
    }
    residual = Math.sqrt(r2);
    const nw = norm2(w);
    // A v = 0 from a random start happens only for A = 0 (almost surely)
    converged = nw === 0 || (byResidual ? residual <= tol * Math.abs(lambda) : Math.abs(lambda - previous) <= tol * Math.abs(lambda));
    if (converged) break;
    for (let i = 0; i < s; i++) w[i] /= nw;
    [v, w] = [w, v];
  }
  return { lambda, residual, converged, iterations: it, applications: it };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function norm2(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}
