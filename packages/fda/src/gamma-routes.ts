import { type Json, type RngKey, split } from "@cflow/core";
import { congruenceGamma } from "./congruence-gamma.js";
import type { Dominance } from "./dominance.js";
import { type GammaCertificate, gershgorinGamma, lambdaMaxUpper } from "./gamma-certificate.js";
import { inertiaGamma } from "./inertia-gamma.js";
import { lanczos } from "./lanczos.js";
import { lanczosGamma } from "./lanczos-gamma.js";
import type { RestrictedMatrix } from "./restricted-matrix.js";
import { csrMultiply, csrNonzeros } from "./sparse-symmetric.js";

/** When each γ route is tried (README "Certificates"; the sizes are measured in BENCHMARKS.md). */
export interface GammaRouteOptions {
  /** Failure probability of a probabilistic γ, over every probabilistic route tried (default 1e-6). */
  failureProbability?: number;
  /** The inertia route (dense-ish Cholesky, |S|³/3 flops) up to this |S| (default 2500: ~1–2 s), or any |S| when L̂_S has ≤ 64 entries per row. */
  inertiaMax?: number;
  /** Lanczos steps the Kuczyński–Woźniakowski route may take (default 300); it is tried only when the steps it needs, predicted from θ, fit. */
  kwMaxSteps?: number;
  /** The congruence route up to this many stored entries of L̂_S (default 6e7). */
  congruenceMaxEntries?: number;
  /** Lanczos steps of the first estimate θ ≥ λ_min(L̂_S) that places the shifts (default 40). */
  thetaSteps?: number;
  /** Side of the congruence tiles in samples (default 64; 1D: 1024). */
  tile?: number;
}

export interface GammaChain {
  /** The certificate that decided (γ ≥ γ_min), or the best bound of those tried. */
  best: GammaCertificate;
  /** A proven upper bound of λ_max(L_S). */
  sigma: number;
  /** The stated failure probability: the sum over the probabilistic routes tried (0 when the deciding route is proven and no probabilistic one ran). */
  failureProbability: number;
  tried: Json[];
}

/**
 * γ of L_S by the routes in order — Gershgorin, Gershgorin after the Collatz–Wielandt scaling,
 * the inertia of L̂_S − s·I (|S| ≤ inertiaMax, or a sparse L̂_S), Lanczos with the
 * Kuczyński–Woźniakowski bound (when the steps it needs fit), the block congruence — stopping at
 * the first whose bound reaches γ_min: a verdict is all the gate needs. The shifts of the inertia and
 * congruence routes are half an estimate θ of λ_min(L̂_S) (40 Lanczos steps; an upper bound, used
 * only to place shifts), then the gate's own shift.
 */
export function gammaChain(R: RestrictedMatrix, dom: Dominance | null, gammaMin: number, key: RngKey, normBound: number, o: GammaRouteOptions = {}): GammaChain {
  const sigma = lambdaMaxUpper(R, normBound);
  const tried: Json[] = [];
  const done = (best: GammaCertificate, failureProbability: number): GammaChain => ({ best, sigma, failureProbability, tried });
  const note = (c: GammaCertificate) => tried.push({ route: c.route, gamma: c.gamma, ms: c.ms, failureProbability: c.failureProbability });
  let best = gershgorinGamma(R);
  note(best);
  if (best.gamma >= gammaMin) return done(best, 0);
  if (dom) {
    const scaled = gershgorinGamma(R, dom.v);
    note(scaled);
    if (scaled.gamma > best.gamma) best = scaled;
    if (scaled.gamma >= gammaMin) return done(scaled, 0);
  }
  const n = R.matrix.n;
  const nnz = csrNonzeros(R.matrix);
  const delta = o.failureProbability ?? 1e-6;
  const [thetaKey, kwKey, cgKey] = split(key, 3);
  const op = { size: n, apply: (v: Float64Array, out: Float64Array) => csrMultiply(R.matrix, v, out) };
  const theta = lanczos(op, { key: thetaKey, maxIter: Math.min(o.thetaSteps ?? 40, n), tol: 0, absTol: 0 }).min;
  if (n <= (o.inertiaMax ?? 2500) || nnz <= 64 * n) {
    const ie = inertiaGamma(R, { theta, thetaFractions: [0.5], gammaMin });
    note(ie);
    if (ie.gamma > best.gamma) best = ie;
    if (ie.gamma >= gammaMin) return done(ie, 0);
  }
  // the KW route needs k ≈ ln(1.648√n·k/δ)/(2√ε) steps to prove γ_min from θ/2, ε = (θ/2 − γ_min)/σ
  const target = theta / 2 - gammaMin - R.perturbation;
  const kwMax = o.kwMaxSteps ?? 300;
  let k = Number.POSITIVE_INFINITY;
  if (target > 0 && sigma > 0) {
    const root = Math.sqrt(target / sigma);
    k = 50;
    for (let it = 0; it < 3; it++) k = Math.ceil((Math.log((1.648 * Math.sqrt(n) * k) / (delta / 2)) / root + 1) / 2);
  }
  const cgAllowed = nnz <= (o.congruenceMaxEntries ?? 6e7);
  let spent = 0;
  if (k <= kwMax && k < n) {
    const share = cgAllowed ? delta / 2 : delta;
    spent += share;
    const lz = lanczosGamma(R, { key: kwKey, sigma, steps: Math.ceil(k * 1.2), failureProbability: share });
    note(lz);
    if (lz.gamma > best.gamma) best = lz;
    if (lz.gamma >= gammaMin) return done(lz, lz.failureProbability === 0 ? 0 : spent);
  }
  if (cgAllowed) {
    const share = delta - spent;
    const cg = congruenceGamma(R, { key: cgKey, theta, thetaFractions: [0.5], gammaMin, failureProbability: share, tile: o.tile ?? (R.dims === 1 ? 1024 : 64) });
    spent += share;
    note(cg);
    if (cg.gamma > best.gamma) best = cg;
    if (cg.gamma >= gammaMin) return done(cg, spent);
  }
  return done(best, best.failureProbability > 0 ? spent : 0);
}
