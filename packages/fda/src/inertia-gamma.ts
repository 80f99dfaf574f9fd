import type { Json } from "@cflow/core";
import type { GammaCertificate } from "./gamma-certificate.js";
import type { RestrictedMatrix } from "./restricted-matrix.js";
import { gammaN } from "./rounding.js";
import { fillReducingOrdering, type Permutation } from "./nested-dissection.js";
import { sparseCholesky } from "./sparse-cholesky.js";

const U = 2 ** -53;

export interface InertiaOptions {
  /**
   * An upper estimate of λ_min(L̂_S) (a Lanczos Ritz value θ_min): shifts 0.9θ, 0.45θ, 0.09θ are
   * tried in turn (the first factorisation that completes is kept).
   */
  theta?: number;
  /** The gate: a last shift s = γ_min + (the margins) decides λ_min ≥ γ_min when the others fail. */
  gammaMin?: number;
  /** Explicit shifts (tried in order) instead of those from θ and γ_min. */
  shifts?: readonly number[];
  /** The fractions of θ tried as shifts before the gate's (default 0.9, 0.45, 0.09). */
  thetaFractions?: readonly number[];
  /** A fill-reducing ordering to reuse (e.g. from an earlier call on the same pattern). */
  ordering?: Permutation;
}

/**
 * γ from the inertia of L̂_S − s·I: when the floating-point Cholesky of A = fl(L̂_S − s·I)
 * completes with positive pivots, the computed factor satisfies R̃ᵀR̃ = A + ΔA with
 * |ΔA| ≤ γ_{k+1}|R̃ᵀ||R̃|, k the longest inner product (≤ the factor's longest row) — Higham,
 * Accuracy and Stability of Numerical Algorithms (2002), Thm 10.3, whose proof is entrywise
 * (Lemma 8.4), so only the non-zero terms of each sparse inner product count; Demmel (1989) and
 * Rump, "Verification of positive definiteness", BIT 46 (2006), use the same bound to certify
 * definiteness. Then ‖ΔA‖₂ ≤ γ_{k+1}‖R̃‖_F² = γ_{k+1} tr(A + ΔA), so
 * ‖ΔA‖₂ ≤ γ_{k+1}/(1 − γ_{k+1})·tr(A); A + ΔA = R̃ᵀR̃ ⪰ 0 gives λ_min(A) ≥ −‖ΔA‖₂, and
 * λ_min(L_S) ≥ s − ‖ΔA‖₂ − (rounding of the shift) − ‖L_S − L̂_S‖₂ (Weyl), plus a term for
 * underflow. The trace is a computed sum of positive terms: inflated by γ_n.
 */
export function inertiaGamma(R: RestrictedMatrix, options: InertiaOptions = {}): GammaCertificate & { ordering: Permutation } {
  const t0 = performance.now();
  const a = R.matrix;
  const n = a.n;
  const tOrder = performance.now();
  const ordering = options.ordering ?? fillReducingOrdering(a, { coordinates: R.coordinates ?? null, dims: R.dims ?? 0 });
  const orderMs = performance.now() - tOrder;
  // the backward-error margin depends on the trace and the factor's longest row: estimate it from L̂ for the gate's shift
  let traceL = 0;
  let maxDiag = 0;
  for (let i = 0; i < n; i++) {
    for (let p = a.rowPtr[i]; p < a.rowPtr[i + 1]; p++) {
      if (a.col[p] === i) {
        traceL += a.val[p];
        maxDiag = Math.max(maxDiag, Math.abs(a.val[p]));
      }
    }
  }
  const underflow = (n + 2) * 2 ** -1022;
  const marginFor = (trace: number, maxRow: number, shiftRounding: number) => {
    const g = gammaN(maxRow + 1, U);
    const backward = (g / (1 - g)) * Math.max(trace, 0) * (1 + gammaN(n, U));
    return { backward, shift: shiftRounding, perturbation: R.perturbation, underflow, total: (backward + shiftRounding + R.perturbation + underflow) * (1 + 2 ** -50) };
  };
  let shifts: number[];
  if (options.shifts) shifts = [...options.shifts];
  else {
    shifts = [];
    const theta = options.theta;
    if (theta !== undefined && theta > 0) for (const f of options.thetaFractions ?? [0.9, 0.45, 0.09]) shifts.push(f * theta);
    if (options.gammaMin !== undefined) {
      // a generous margin estimate (factor rows as long as n): the gate's shift
      const est = marginFor(traceL, n, U * (maxDiag + options.gammaMin)).total;
      const floor = options.gammaMin + 2 * est;
      shifts = shifts.filter((s) => s > floor);
      shifts.push(floor);
    }
  }
  const attempts: Json[] = [];
  let best: GammaCertificate | null = null;
  let lastMargins = marginFor(traceL, 0, 0);
  let fill = 0;
  let maxRowCount = 0;
  for (const s of shifts) {
    const c = sparseCholesky(a, s, ordering);
    fill = c.factorEntries;
    maxRowCount = c.longestInnerProduct;
    attempts.push({ shift: s, ok: c.ok, failedAt: c.failedAt, ms: c.ms, flops: c.flops });
    if (!c.ok) continue;
    const m = marginFor(c.trace, c.longestInnerProduct, c.shiftRounding);
    lastMargins = m;
    const gamma = s - m.total;
    best = {
      route: "inertia",
      gamma,
      failureProbability: 0,
      margins: { perturbation: m.perturbation, backward: m.backward, shift: m.shift, underflow: m.underflow },
      ms: 0,
      detail: {},
      statement: `λ_min(L_S) ≥ ${gamma.toPrecision(4)}: the Cholesky factorisation of L̂_S − ${s.toPrecision(4)}·I completed (all pivots positive), minus its backward error, the shift's rounding and ‖L_S − L̂_S‖`,
    };
    break;
  }
  const detail: { [key: string]: Json } = { size: n, matrixNonzeros: a.rowPtr[n], factorEntries: fill, longestInnerProduct: maxRowCount, orderingMs: orderMs, attempts };
  if (best) return { ...best, ms: performance.now() - t0, detail, ordering };
  return {
    route: "inertia",
    gamma: Number.NEGATIVE_INFINITY,
    failureProbability: 0,
    margins: { perturbation: lastMargins.perturbation },
    ms: performance.now() - t0,
    detail,
    statement: `nothing proven: the Cholesky factorisation of L̂_S − s·I met a non-positive pivot for every shift tried (${shifts.map((s) => s.toPrecision(3)).join(", ")})`,
    ordering,
  };
}
