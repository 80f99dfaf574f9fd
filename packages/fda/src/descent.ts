import { CflowError, type TracePoint } from "@cflow/core";

export interface DescentOptions {
  /** The family promises E(x_{k+1}) ≤ E(x_k) (plain forward–backward); accelerated families do not. */
  monotone: boolean;
  /** Absolute slack for rounding in E (e.g. a few ulps of |E| in the run's dtype). */
  tol: number;
  /** Lipschitz constant of ∇f when known: sharpens α₀ to α(1 − αβ/2). */
  beta?: number;
}

/**
 * The sufficient-decrease constant α₀ of the proximal-gradient step x⁺ = prox_{αg}(x − α∇f(x))
 * with gradient mapping G = (x − x⁺)/α, for f with β-Lipschitz gradient and convex g:
 *
 *   F(x⁺) ≤ F(x) − α(1 − αβ/2)‖G‖².
 *
 * (Descent lemma f(x⁺) ≤ f(x) − α⟨∇f(x), G⟩ + βα²‖G‖²/2, plus the prox optimality
 * G − ∇f(x) ∈ ∂g(x⁺), which gives g(x⁺) ≤ g(x) − α‖G‖² + α⟨∇f(x), G⟩.) It is tight: f = βx²/2,
 * g = 0 attains it. Positive exactly for 0 < α < 2/β. Without β, α₀ = α/2 — the value at
 * α = 1/β, valid for every α ≤ 1/β (the default step α = c/β with c ≤ 1).
 */
export function descentConstant(alpha: number, beta?: number): number {
  if (!(alpha > 0) || !Number.isFinite(alpha)) {
    throw new CflowError("BAD_TRACE", `descentConstant: step α must be finite and > 0, found ${alpha}`, { path: "TracePoint.alpha", expected: "α > 0", found: alpha });
  }
  if (beta === undefined) return alpha / 2;
  if (!(beta >= 0) || !Number.isFinite(beta)) {
    throw new CflowError("BAD_OPTION", `descentConstant: β must be finite and ≥ 0, found ${beta}`, { path: "descent.beta", expected: "β ≥ 0", found: beta });
  }
  return alpha * (1 - (alpha * beta) / 2);
}

/**
 * Violation of E(x_{k+1}) ≤ E(x_k) − α₀‖G_α(x_k)‖² + tol on one step of the trace (0 when it
 * holds). `next` is the telemetry row of the step x_k → x_{k+1}: its E is E(x_{k+1}), its
 * gradNorm ‖G_α(x_k)‖ = ‖x_k − x_{k+1}‖/α and its alpha the step used. A non-finite energy is an
 * infinite violation for every family; non-monotone families (or a momentum restart) are
 * otherwise not checked.
 */
export function descentViolation(prev: TracePoint, next: TracePoint, options: DescentOptions): number {
  if (next.iter !== prev.iter + 1) {
    throw new CflowError("BAD_TRACE", `descentViolation: expected consecutive iterations, found ${prev.iter} → ${next.iter}`, {
      path: "TracePoint.iter",
      expected: prev.iter + 1,
      found: next.iter,
    });
  }
  if (!(options.tol >= 0)) throw new CflowError("BAD_OPTION", `descentViolation: tol must be ≥ 0, found ${options.tol}`, { path: "descent.tol", expected: "tol ≥ 0", found: options.tol });
  if (!Number.isFinite(next.E) || !Number.isFinite(prev.E) || !Number.isFinite(next.gradNorm)) return Infinity;
  if (!options.monotone || next.restarted) return 0;
  const a0 = descentConstant(next.alpha, options.beta);
  const bound = prev.E - a0 * next.gradNorm * next.gradNorm + options.tol;
  return Math.max(0, next.E - bound);
}

/** The descent check over a whole trace: the largest violation, where, and how many steps violated. */
export function traceDescent(trace: readonly TracePoint[], options: DescentOptions): { maxViolation: number; worstIter: number | null; violations: number; steps: number } {
  let maxViolation = 0;
  let worstIter: number | null = null;
  let violations = 0;
  for (let k = 1; k < trace.length; k++) {
    const v = descentViolation(trace[k - 1], trace[k], options);
    if (v > 0) violations++;
    if (v > maxViolation) {
      maxViolation = v;
      worstIter = trace[k].iter;
    }
  }
  return { maxViolation, worstIter, violations, steps: Math.max(0, trace.length - 1) };
}
