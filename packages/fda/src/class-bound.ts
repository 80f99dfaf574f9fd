import { type Band, type Dtype, type RealArray, zeros } from "@cflow/core";
import { type CertTransform, type LApply, frameScale } from "./wspace-operator.js";

/** A transform whose bands are shift-covariant (periodised wavelets): what the class bound needs. */
export type ShiftCovariantTransform = CertTransform & {
  readonly bands: readonly Band[];
  translationStride(band: Band): readonly number[];
};

export interface ClassBound {
  /** Upper bound of η_dd over the restricted operator (sound when L is shift-invariant). */
  etaUpper: number;
  /** Lower bound of min_i(L_ii − Σ_{j≠i}|L_ij|) over the restricted operator. */
  gershgorinLower: number;
  /** Largest exact restricted row ratio among the representatives (a lower bound of η_dd). */
  etaLower: number;
  /** Shift classes touched by the active set (= operator applications). */
  classes: number;
  ms: number;
}

/**
 * A sound η_dd bound from a few rows, for L commuting with circular shifts and W periodised:
 * translating x by Smax samples (the coarsest band's stride) shifts every band's coefficients by
 * whole positions, so two rows of L_W = W L Wᵀ whose coefficients differ by such a translation
 * are permutations of each other. Rows of band b therefore fall into ∏_d Smax_d / stride_b,d shift
 * classes; one row per class touched by the active set S gives, for every row i of that class,
 * its diagonal exactly and Σ_{j∈S, j≠i}|L_ij| ≤ Σ_{bands c meeting S} Σ_{j∈c, j≠i}|L_ij| — an upper
 * bound of each restricted row sum. So η_dd ≤ max over classes of that bound over |L_ii| + ε.
 */
export function classRowBound(L_apply: LApply, W: ShiftCovariantTransform, options: { n: number; dtype: Dtype; active: Int32Array; epsilonRel?: number }): ClassBound {
  const t0 = performance.now();
  const { n, dtype, active } = options;
  const m = W.coeffSize;
  const bands = [...W.bands].sort((a, b) => a.offset - b.offset);
  const dims = bands[0].shape.length;
  const strides = bands.map((b) => W.translationStride(b));
  const smax = Array.from({ length: dims }, (_, d) => Math.max(...strides.map((s) => s[d])));
  const sizes = bands.map((b) => b.shape.reduce((a, c) => a * c, 1));
  const bandOf = (j: number): number => {
    let lo = 0;
    let hi = bands.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (bands[mid].offset <= j) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const classOf = (b: number, j: number): number => {
    const band = bands[b];
    let local = j - band.offset;
    let id = 0;
    let mult = 1;
    for (let d = dims - 1; d >= 0; d--) {
      const extent = band.shape[d];
      const p = local % extent;
      local = (local - p) / extent;
      const k = smax[d] / strides[b][d];
      id += (p % k) * mult;
      mult *= k;
    }
    return id;
  };
  // one representative (the first active row) per (band, class); the bands S meets
  const reps = new Map<string, number>();
  const inS = new Uint8Array(bands.length);
  const activeMask = new Uint8Array(m);
  for (const j of active) {
    const b = bandOf(j);
    inS[b] = 1;
    activeMask[j] = 1;
    const key = `${b}:${classOf(b, j)}`;
    if (!reps.has(key)) reps.set(key, j);
  }
  const scale = 1 / frameScale(W);
  const e = zeros(dtype, m);
  const y = zeros(dtype, n);
  const rows: { diag: number; bound: number; exact: number }[] = [];
  for (const i of reps.values()) {
    e.fill(0);
    e[i] = 1;
    const x = W.adjoint(e);
    L_apply(x, y);
    const col: RealArray = W.forward(y);
    let bound = 0;
    let exact = 0;
    for (let b = 0; b < bands.length; b++) {
      if (!inS[b]) continue;
      for (let j = bands[b].offset; j < bands[b].offset + sizes[b]; j++) {
        if (j === i) continue;
        const v = Math.abs(col[j]) * scale;
        bound += v;
        if (activeMask[j]) exact += v;
      }
    }
    rows.push({ diag: col[i] * scale, bound, exact });
  }
  const maxDiag = Math.max(0, ...rows.map((r) => Math.abs(r.diag)));
  const eps = (options.epsilonRel ?? 1e-12) * maxDiag;
  let etaUpper = 0;
  let etaLower = 0;
  let gershgorinLower = Number.POSITIVE_INFINITY;
  for (const r of rows) {
    const den = Math.abs(r.diag) + eps;
    etaUpper = Math.max(etaUpper, r.bound === 0 ? 0 : den > 0 ? r.bound / den : Number.POSITIVE_INFINITY);
    etaLower = Math.max(etaLower, r.exact === 0 ? 0 : den > 0 ? r.exact / den : Number.POSITIVE_INFINITY);
    gershgorinLower = Math.min(gershgorinLower, r.diag - r.bound);
  }
  return { etaUpper, gershgorinLower, etaLower, classes: rows.length, ms: performance.now() - t0 };
}

/** Whether a certificate transform declares shift covariance. */
export function isShiftCovariant(W: CertTransform | null): W is ShiftCovariantTransform {
  const w = W as Partial<ShiftCovariantTransform> | null;
  return w !== null && typeof w.translationStride === "function" && Array.isArray(w.bands);
}
