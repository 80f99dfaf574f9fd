import { CflowError, type Dtype, normal, type RngKey } from "@cflow/core";
import { dot, norm2 } from "./vector.js";
import { type LApply, type SymmetricOperator, xSpaceOperator } from "./wspace-operator.js";

export interface PowerIterationOptions {
  key: RngKey;
  /** Default 200. */
  maxIter?: number;
  /** Stop when ‖A v − θ v‖ ≤ tol · |θ| (default 1e-6). */
  tol?: number;
}

export interface PowerIterationResult {
  /** Rayleigh quotient θ of the last iterate: the dominant eigenvalue (λ_max, i.e. β, for a PSD operator). */
  lambda: number;
  /** ‖A v − θ v‖: some eigenvalue lies within it of θ. */
  residual: number;
  converged: boolean;
  iterations: number;
  applications: number;
}

/**
 * The dominant eigenvalue of a symmetric operator by power iteration — the step-size constant
 * β = ‖∇²f‖ when applied to the smooth part's Hessian. For PSD operators θ ≤ λ_max at every
 * iterate, so β is approached from below; scale α = c/β with margin when not converged.
 */
export function powerIteration(op: SymmetricOperator, options: PowerIterationOptions): PowerIterationResult {
  const s = op.size;
  if (s === 0) throw new CflowError("EMPTY_OPERATOR", "powerIteration: the operator has size 0", { path: "powerIteration", expected: "size ≥ 1", found: 0 });
  const maxIter = options.maxIter ?? 200;
  const tol = options.tol ?? 1e-6;
  let v = Float64Array.from(normal(options.key, s, "float64"));
  let w = new Float64Array(s);
  const nv = norm2(s, v);
  for (let i = 0; i < s; i++) v[i] /= nv;
  let lambda = 0;
  let residual = Infinity;
  let it = 0;
  while (it < maxIter) {
    op.apply(v, w);
    it++;
    lambda = dot(s, v, w);
    let r2 = 0;
    for (let i = 0; i < s; i++) {
      const r = w[i] - lambda * v[i];
      r2 += r * r;
    }
    residual = Math.sqrt(r2);
    const nw = norm2(s, w);
    if (residual <= tol * Math.abs(lambda) || nw === 0) break;
    for (let i = 0; i < s; i++) w[i] /= nw;
    [v, w] = [w, v];
  }
  return { lambda, residual, converged: residual <= tol * Math.abs(lambda), iterations: it, applications: it };
}

/**
 * β = λ_max(L) of the smooth part's Hessian in x-space by power iteration (the step size is
 * α = c/β, docs/design.md §2). The estimate approaches β from below: give α a margin (c < 1) unless
 * converged to a tight tol.
 */
export function estimateLipschitz(
  L_apply: LApply,
  options: { n: number; dtype: Dtype } & PowerIterationOptions,
): PowerIterationResult & { beta: number } {
  const op = xSpaceOperator(L_apply, { n: options.n, dtype: options.dtype, counter: { L: 0, W: 0 } });
  const r = powerIteration(op, options);
  return { ...r, beta: r.lambda };
}
