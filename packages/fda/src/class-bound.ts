import { type Band, type Dtype, type RealArray, zeros } from "@cflow/core";
import { bandIndexOf } from "./shift-class-geometry.js";
import { type CertTransform, type LApply, frameScale } from "./wspace-operator.js";

/** A transform whose bands are shift-covariant (periodised wavelets): what the class bound needs. */
export type ShiftCovariantTransform = CertTransform & {
  readonly bands: readonly Band[];
  translationStride(band: Band): readonly number[];
};

export interface ClassBound {
  /** η_dd over every restricted row (an upper bound by the negligible entries' mass: sound). */
  etaUpper: number;
  /** Lower bound of min_i(L_ii − Σ_{j≠i}|L_ij|) over the restricted operator. */
  gershgorinLower: number;
  /** A representative's restricted ratio without the margin (a lower bound of η_dd). */
  etaLower: number;
  /** Shift classes touched by the active set (= operator applications). */
  classes: number;
  ms: number;
}

/**
 * Every restricted row of L_W from a few computed ones, for L commuting with circular shifts and W
 * periodised: translating x by Smax samples (the coarsest band's stride) shifts every band's
 * coefficients by whole positions, so two rows of L_W = W L Wᵀ whose coefficients differ by such a
 * translation are the same row, re-indexed. Rows of band b fall into ∏_d Smax_d / stride_b,d shift
 * classes; one computed row per class touched by the active set S gives every other row of the
 * class by index arithmetic: its diagonal, and Σ_{j∈S, j≠i}|L_ij| summed over the translated
 * significant entries (|L_ij| > 1e-13·max), plus the whole mass of the negligible ones as a
 * conservative margin. So η_dd and the Gershgorin bound are those of every row, up to that margin
 * (upward for η_dd, downward for Gershgorin): sound, and exact to ~1e-13 relative.
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
  const bandOf = (j: number): number => bandIndexOf(bands, j);
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
  // band c coordinates of a flat index j, and back
  const coords = (b: number, j: number): number[] => {
    const shape = bands[b].shape;
    let local = j - bands[b].offset;
    const c = new Array<number>(dims);
    for (let d = dims - 1; d >= 0; d--) {
      c[d] = local % shape[d];
      local = (local - c[d]) / shape[d];
    }
    return c;
  };
  const flat = (b: number, c: readonly number[]): number => {
    const shape = bands[b].shape;
    let local = 0;
    for (let d = 0; d < dims; d++) local = local * shape[d] + c[d];
    return bands[b].offset + local;
  };
  // active rows grouped by their shift class
  const members = new Map<string, number[]>();
  for (const j of active) {
    const b = bandOf(j);
    const key = `${b}:${classOf(b, j)}`;
    const list = members.get(key);
    if (list) list.push(j);
    else members.set(key, [j]);
  }
  let etaUpper = 0;
  let etaLower = 0;
  let gershgorinLower = Number.POSITIVE_INFINITY;
  let maxDiag = 0;
  const perRow: { diag: number; off: number }[] = [];
  for (const [key, rowsOfClass] of members) {
    const i = reps.get(key)!;
    const bi = bandOf(i);
    e.fill(0);
    e[i] = 1;
    L_apply(W.adjoint(e), y);
    const col: RealArray = W.forward(y);
    const diag = col[i] * scale;
    // the row's significant entries (band, coordinates, |value|); the rest is carried as a bound
    let peak = 0;
    for (let j = 0; j < m; j++) peak = Math.max(peak, Math.abs(col[j]));
    const floor = 1e-13 * peak;
    const sig: { b: number; c: number[]; v: number }[] = [];
    let residual = 0;
    for (let b = 0; b < bands.length; b++) {
      if (!inS[b]) continue;
      for (let j = bands[b].offset; j < bands[b].offset + sizes[b]; j++) {
        if (j === i) continue;
        const v = Math.abs(col[j]) * scale;
        if (v > floor * scale) sig.push({ b, c: coords(b, j), v });
        else residual += v;
      }
    }
    const ci = coords(bi, i);
    for (const r of rowsOfClass) {
      // r is i translated by T samples (T_d a multiple of smax_d): band c moves by T_d / stride_c,d
      const cr = coords(bi, r);
      const T = cr.map((v, d) => (v - ci[d]) * strides[bi][d]);
      let off = residual;
      const shifted = new Array<number>(dims);
      for (const s of sig) {
        for (let d = 0; d < dims; d++) {
          const ext = bands[s.b].shape[d];
          shifted[d] = (((s.c[d] + T[d] / strides[s.b][d]) % ext) + ext) % ext;
        }
        const j = flat(s.b, shifted);
        if (j !== r && activeMask[j]) off += s.v;
      }
      perRow.push({ diag, off });
      maxDiag = Math.max(maxDiag, Math.abs(diag));
      if (r === i) etaLower = Math.max(etaLower, off - residual);
    }
  }
  const eps = (options.epsilonRel ?? 1e-12) * maxDiag;
  for (const r of perRow) {
    const den = Math.abs(r.diag) + eps;
    etaUpper = Math.max(etaUpper, r.off === 0 ? 0 : den > 0 ? r.off / den : Number.POSITIVE_INFINITY);
    gershgorinLower = Math.min(gershgorinLower, r.diag - r.off);
  }
  etaLower = perRow.length > 0 ? Math.min(etaLower / (Math.abs(perRow[0].diag) + eps), etaUpper) : 0;
  return { etaUpper, gershgorinLower, etaLower, classes: members.size, ms: performance.now() - t0 };
}

/** Whether a certificate transform declares shift covariance. */
export function isShiftCovariant(W: CertTransform | null): W is ShiftCovariantTransform {
  const w = W as Partial<ShiftCovariantTransform> | null;
  return w !== null && typeof w.translationStride === "function" && Array.isArray(w.bands);
}
