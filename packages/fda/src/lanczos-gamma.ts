import { CflowError, type RngKey } from "@cflow/core";
import type { GammaCertificate } from "./gamma-certificate.js";
import { KernelCsrOperator } from "./kernel-csr-operator.js";
import { lanczos } from "./lanczos.js";
import type { RestrictedMatrix } from "./restricted-matrix.js";

const U = 2 ** -53;

/**
 * The Kuczyński–Woźniakowski bound (SIAM J. Matrix Anal. Appl. 13, 1992, Thm 4.2(a)): for a
 * positive semi-definite B of order n and k Lanczos steps from a start uniform on the sphere, the
 * largest Ritz value ξ_k satisfies P(ξ_k < (1 − ε)λ_max(B)) ≤ 1.648·√n·e^{−√ε(2k−1)}. Applied to
 * B = σI − L with σ ≥ λ_max(L) proven (so B ⪰ 0, ξ_k = σ − θ_min): with probability ≥ 1 − δ,
 * λ_min(L) ≥ σ − (σ − θ_min)/(1 − ε), √ε = ln(1.648√n/δ)/(2k − 1). −Infinity when ε ≥ 1.
 */
export function kwLowerBound(thetaMin: number, sigma: number, n: number, k: number, delta: number): number {
  if (!(delta > 0 && delta < 1) || k < 1 || n < 1) return Number.NEGATIVE_INFINITY;
  const root = Math.log((1.648 * Math.sqrt(n)) / delta) / (2 * k - 1);
  const eps = root * root;
  if (!(eps < 1)) return Number.NEGATIVE_INFINITY;
  return sigma - (sigma - thetaMin) / (1 - eps);
}

export interface LanczosGammaOptions {
  key: RngKey;
  /** A proven upper bound of λ_max(L_S) (e.g. `lambdaMaxUpper`). */
  sigma: number;
  /** Failure probability of the stated bound (default 1e-6). */
  failureProbability?: number;
  /** Lanczos steps at most (default 200). */
  steps?: number;
}

/**
 * γ with a stated failure probability: Lanczos (the one in lanczos.ts: full reorthogonalisation)
 * on the explicit L̂_S from a Gaussian start for `steps` steps (fewer only when the Krylov space
 * becomes invariant), and the KW bound at the last step. The stopping step may depend on the run, so
 * the bound is taken with δ/steps (a union bound over the steps: all hold at once with probability
 * ≥ 1 − δ). The
 * theorem is for exact arithmetic; the computed Ritz value with full reorthogonalisation is that of
 * a nearby exact process (Paige; Musco, Musco & Sidford, SODA 2018, for randomised guarantees in
 * finite precision), for which an allowance of 10·k·√n·u·σ is subtracted — a model of the rounding,
 * not a theorem with these constants; it is far below the probabilistic term. Then Weyl for L_S.
 */
export function lanczosGamma(R: RestrictedMatrix, options: LanczosGammaOptions): GammaCertificate {
  const t0 = performance.now();
  const n = R.matrix.n;
  const delta = options.failureProbability ?? 1e-6;
  const steps = Math.min(options.steps ?? 200, n);
  const sigma = options.sigma;
  if (!(delta > 0 && delta < 1)) {
    throw new CflowError("BAD_OPTION", `lanczosGamma: failureProbability must lie in (0, 1), found ${delta}`, { path: "failureProbability", expected: "0 < δ < 1", found: delta });
  }
  if (!Number.isFinite(sigma)) throw new CflowError("BAD_OPTION", `lanczosGamma: sigma must be a finite upper bound of λ_max, found ${sigma}`, { path: "sigma", expected: "finite", found: sigma });
  const op = new KernelCsrOperator(R.matrix);
  // the KW bound improves with every step whether or not θ_min has converged: run them all
  let lz: ReturnType<typeof lanczos>;
  try {
    lz = lanczos(op, { key: options.key, maxIter: steps, tol: 0, absTol: 0 });
  } finally {
    op.dispose();
  }
  const k = lz.iterations;
  const allowance = 10 * k * Math.sqrt(n) * U * Math.abs(sigma);
  // after n steps the Krylov space is the whole space: θ_min is λ_min(L̂_S), no probability involved
  const exact = k === n && lz.invariant;
  const bound = exact ? lz.min : kwLowerBound(lz.min, sigma, n, k, delta / steps);
  const gamma = bound - allowance - R.perturbation;
  return {
    route: "lanczos",
    gamma,
    failureProbability: exact ? 0 : delta,
    margins: { probabilistic: lz.min - bound, rounding: allowance, perturbation: R.perturbation },
    ms: performance.now() - t0,
    detail: { steps: k, thetaMin: lz.min, thetaMax: lz.max, ritzResidual: lz.minResidual, sigma, invariant: lz.invariant },
    statement: exact
      ? `λ_min(L_S) ≥ ${gamma.toPrecision(4)}: ${k} Lanczos steps spanned the whole space (θ_min = λ_min(L̂_S)), minus rounding and ‖L_S − L̂_S‖`
      : `λ_min(L_S) ≥ ${gamma.toPrecision(4)} with probability ≥ ${1 - delta} over the random start: Kuczyński–Woźniakowski after ${k} Lanczos steps on σI − L̂_S (σ = ${sigma.toPrecision(4)}), minus rounding and ‖L_S − L̂_S‖`,
  };
}
