import type { Dtype } from "@cflow/core";
import { type PowerIterationOptions, type PowerIterationResult, powerIteration } from "@cflow/core/linalg";
import { type LApply, xSpaceOperator } from "./wspace-operator.js";

/**
 * β = λ_max(L) of the smooth part's Hessian in x-space by power iteration (the step size is
 * α = c/β, docs/design.md §2.2). The estimate approaches β from below: give α a margin (c < 1)
 * unless converged to a tight tol.
 */
export function estimateLipschitz(
  L_apply: LApply,
  options: { n: number; dtype: Dtype } & PowerIterationOptions,
): PowerIterationResult & { beta: number } {
  const op = xSpaceOperator(L_apply, { n: options.n, dtype: options.dtype, counter: { L: 0, W: 0 } });
  const r = powerIteration(op, options);
  return { ...r, beta: r.lambda };
}
