import type { Json } from "@cflow/core";
import type { RestrictedMatrix } from "./restricted-matrix.js";
import { gammaN } from "./rounding.js";
import { csrRowSums } from "./sparse-symmetric.js";

const U = 2 ** -53;

/** The ways γ is certified (README "Certificates"). */
export type GammaRoute = "gershgorin" | "scaled-gershgorin" | "inertia" | "lanczos" | "lanczos-congruence";

/**
 * A lower bound of λ_min(L_S) and how it was obtained. A Ritz value alone is an upper bound and
 * never appears here as γ.
 */
export interface GammaCertificate {
  route: GammaRoute;
  /**
   * λ_min(L_S) ≥ gamma: proven when failureProbability is 0, else with probability ≥ 1 −
   * failureProbability over the route's random draws. −Infinity when the route proved nothing.
   */
  gamma: number;
  failureProbability: number;
  /** What was subtracted from the computed quantity to make it a bound (perturbation, rounding, …). */
  margins: { [name: string]: number };
  ms: number;
  /** Route-specific figures (attempts, fill, Lanczos steps, …). */
  detail: { [key: string]: Json };
  /** One sentence saying what was proven. */
  statement: string;
}

/**
 * Gershgorin's lower bound λ_min(L̂_S) ≥ min_i (L̂_ii − Σ_{j≠i}|L̂_ij|), then Weyl for L_S. With a
 * positive vector v (e.g. `dominance().v`) the discs of the similar matrix D_v⁻¹ L̂ D_v:
 * L̂_ii − Σ_{j≠i}|L̂_ij| v_j / v_i. Rounding: each computed row sum of k non-negative terms is within
 * γ_{k+1} of the exact one (one more rounding for the division by v_i). `offV`, when given, is
 * |L̂ − D̂|·v as `csrRowSums(L̂, v)` sums it (`dominance().offV`), so no pass over L̂ is needed.
 */
export function gershgorinGamma(R: RestrictedMatrix, v: Float64Array | null = null, offV: Float64Array | null = null): GammaCertificate {
  const t0 = performance.now();
  const plain = csrRowSums(R.matrix);
  const { diag, maxRow } = plain;
  const off = !v ? plain.off : (offV ?? csrRowSums(R.matrix, v).off);
  const g = gammaN(maxRow + 2, U);
  let lower = Number.POSITIVE_INFINITY;
  let rounding = 0;
  for (let i = 0; i < diag.length; i++) {
    const radius = v ? off[i] / v[i] : off[i];
    lower = Math.min(lower, diag[i] - radius);
    rounding = Math.max(rounding, g * (Math.abs(diag[i]) + radius) + U * Math.abs(diag[i] - radius));
  }
  const gamma = diag.length === 0 ? Number.NEGATIVE_INFINITY : lower - rounding - R.perturbation;
  const route: GammaRoute = v ? "scaled-gershgorin" : "gershgorin";
  return {
    route,
    gamma,
    failureProbability: 0,
    margins: { perturbation: R.perturbation, rounding },
    ms: performance.now() - t0,
    detail: { computed: lower, size: diag.length },
    statement: v
      ? `λ_min(L_S) ≥ ${gamma.toPrecision(4)}: Gershgorin discs after the positive diagonal scaling v (Collatz–Wielandt vector of |J|), minus rounding and ‖L_S − L̂_S‖`
      : `λ_min(L_S) ≥ ${gamma.toPrecision(4)}: Gershgorin discs of the explicit restricted matrix, minus rounding and ‖L_S − L̂_S‖`,
  };
}

/**
 * A proven upper bound of λ_max(L_S): Gershgorin's max_i (L̂_ii + Σ_{j≠i}|L̂_ij|) plus rounding and
 * the perturbation, or `normBound` (‖L_W‖ ≥ λ_max(L_S), e.g. ‖k‖₁² for KᵀK) when smaller.
 */
export function lambdaMaxUpper(R: RestrictedMatrix, normBound = Number.POSITIVE_INFINITY): number {
  const { diag, off, maxRow } = csrRowSums(R.matrix);
  const g = gammaN(maxRow + 2, U);
  let upper = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < diag.length; i++) upper = Math.max(upper, diag[i] + off[i] + g * (Math.abs(diag[i]) + off[i]) + U * Math.abs(diag[i] + off[i]));
  return Math.min(upper + R.perturbation, normBound);
}
