import { type Json, type RngKey, split } from "@cflow/core";
import { congruenceGamma } from "./congruence-gamma.js";
import type { Dominance } from "./dominance.js";
import { type GammaCertificate, gershgorinGamma, lambdaMaxUpper } from "./gamma-certificate.js";
import { inertiaGamma } from "./inertia-gamma.js";
import { KernelCsrOperator } from "./kernel-csr-operator.js";
import { lanczos } from "./lanczos.js";
import type { RestrictedMatrix } from "./restricted-matrix.js";
import { csrNonzeros } from "./sparse-symmetric.js";

/** When each γ route is tried (README "Certificates"; the sizes are measured in BENCHMARKS.md). */
export interface GammaRouteOptions {
  /** Failure probability of a probabilistic γ (default 1e-6). */
  failureProbability?: number;
  /**
   * The inertia route (one Cholesky factorisation, proven) up to this |S| (default 1000: ≤ ~0.3 s on a
   * 2D blur, where the factor is dense), or up to `inertiaSparseMax` when L̂_S has ≤ 64 entries per row.
   */
  inertiaMax?: number;
  /** The inertia route for a sparse L̂_S (≤ 64 entries per row) up to this |S| (default 20000). */
  inertiaSparseMax?: number;
  /** The congruence route up to this many stored entries of L̂_S (default 6e7). */
  congruenceMaxEntries?: number;
}

export interface GammaChain {
  /** The certificate that decided (γ ≥ γ_min), or the best bound of those tried. */
  best: GammaCertificate;
  /** A proven upper bound of λ_max(L_S). */
  sigma: number;
  /** The stated failure probability of `best` (0 when proven). */
  failureProbability: number;
  tried: Json[];
}

/**
 * Decides λ_min(L_S) ≥ γ_min by the routes in order of cost — Gershgorin, Gershgorin after the
 * Collatz–Wielandt scaling (both free once L̂_S is assembled), the inertia of L̂_S − s·I (one
 * factorisation, proven; small or sparse L̂_S), the incomplete-Cholesky congruence (probabilistic) — stopping at
 * the first that decides. The congruence route shifts at the gate itself (s = γ_min plus its
 * margins) and stops the moment the sign is known: the gate needs a verdict, not the sharpest γ, so
 * γ is the bound it proved (γ_min or just above). The inertia route, whose factorisations are cheap
 * at the sizes it is tried, first shifts at half a 30-step Ritz estimate of λ_min (a γ that makes
 * the error bar informative), then at the gate. A congruence at whose shift a diagonal entry of L̂_S − s·I is not positive has
 * decided the other way.
 */
export function gammaChain(R: RestrictedMatrix, dom: Dominance | null, gammaMin: number, key: RngKey, normBound: number, o: GammaRouteOptions = {}): GammaChain {
  const sigma = lambdaMaxUpper(R, normBound);
  const tried: Json[] = [];
  const done = (best: GammaCertificate): GammaChain => ({ best, sigma, failureProbability: best.failureProbability, tried });
  const note = (c: GammaCertificate) => tried.push({ route: c.route, gamma: c.gamma, ms: c.ms, failureProbability: c.failureProbability, detail: c.detail });
  let best = gershgorinGamma(R);
  note(best);
  if (best.gamma >= gammaMin) return done(best);
  if (dom) {
    const scaled = gershgorinGamma(R, dom.v, dom.offV);
    note(scaled);
    if (scaled.gamma > best.gamma) best = scaled;
    if (scaled.gamma >= gammaMin) return done(scaled);
  }
  const n = R.matrix.n;
  const nnz = csrNonzeros(R.matrix);
  const sparse = nnz <= 64 * n;
  if (n <= (o.inertiaMax ?? 1000) || (sparse && n <= (o.inertiaSparseMax ?? 20000))) {
    // a factorisation this small is cheap: first at half a 30-step Ritz estimate θ ≥ λ_min(L̂_S) (an
    // upper bound: it only places the shift), for an error bar worth printing, then at the gate
    const [thetaKey] = split(key, 1);
    const op = new KernelCsrOperator(R.matrix);
    let theta: number;
    try {
      theta = lanczos(op, { key: thetaKey, maxIter: Math.min(30, n), tol: 0, absTol: 0 }).min;
    } finally {
      op.dispose();
    }
    const ie = inertiaGamma(R, { theta, thetaFractions: [0.5], gammaMin });
    note(ie);
    if (ie.gamma > best.gamma) best = ie;
    // a proven verdict either way: the factorisation at the gate's shift completed, or met a non-positive pivot
    return done(best);
  }
  if (nnz <= (o.congruenceMaxEntries ?? 6e7)) {
    const [cgKey] = split(key, 1);
    const cg = congruenceGamma(R, { key: cgKey, gammaMin, failureProbability: o.failureProbability ?? 1e-6 });
    note(cg);
    if (cg.gamma > best.gamma) best = cg;
  }
  return done(best);
}
