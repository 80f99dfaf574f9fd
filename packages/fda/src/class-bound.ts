import { type Band, type Dtype, zeros } from "@cflow/core";
import { bandIndexOf, unflat } from "./shift-class-geometry.js";
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
  /** The largest ratio of a row's significant restricted entries to its diagonal, without the margin (a lower bound of η_dd). */
  etaLower: number;
  /** Shift classes touched by the active set. */
  classes: number;
  /**
   * Every touched class was evaluated. False when `failAbove` stopped the bound early: a row's
   * significant restricted entries alone exceed it (η_dd > failAbove for certain; `etaLower` is
   * that row's ratio), and etaUpper = ∞, gershgorinLower = −∞ say nothing more.
   */
  complete: boolean;
  /** Classes evaluated (= `classes` when complete). */
  evaluated: number;
  /** Operator applications made (the touched classes whose columns were not kept yet). */
  applications: number;
  ms: number;
}

/** One shift class's column of L_W, computed at its first coefficient (the class's canonical representative). */
interface ClassColumn {
  /** (L_W)_ii/frameScale at the representative. */
  diag: number;
  /** The significant off-diagonal entries (|L_ij| > 1e-13·max), band by band: band b's are [bandStart[b], bandStart[b + 1]), with their band coordinates (`dims` per entry) and |L_ij|/frameScale. */
  bandStart: Int32Array;
  coords: Int32Array;
  value: Float64Array;
  /** Per band, the mass of the negligible off-diagonal entries (the margin). */
  residual: Float64Array;
}

/**
 * The shift-class columns of one (L, W), computed on demand by `classRowBound` and kept: a class is
 * computed at its canonical representative whatever active set first touches it, so a bound read
 * from kept columns equals a fresh one bit for bit, and later active sets cost no application.
 */
export class ClassColumns {
  private readonly columns = new Map<number, ClassColumn>();

  /** Columns kept. */
  get size(): number {
    return this.columns.size;
  }

  get(id: number): ClassColumn | undefined {
    return this.columns.get(id);
  }

  set(id: number, c: ClassColumn): void {
    this.columns.set(id, c);
  }
}

/** Bands (sorted by offset) and their shift classes: band b has ∏_d k_b,d classes, k_b,d = Smax_d / stride_b,d. */
interface ClassGeometry {
  bands: Band[];
  dims: number;
  strides: number[][];
  /** Classes per axis, per band. */
  k: number[][];
  /** Global id of band b's first class. */
  classBase: Int32Array;
}

function classGeometry(W: ShiftCovariantTransform): ClassGeometry {
  const bands = [...W.bands].sort((a, b) => a.offset - b.offset);
  const dims = bands[0].shape.length;
  const strides = bands.map((b) => [...W.translationStride(b)]);
  const smax = Array.from({ length: dims }, (_, d) => Math.max(...strides.map((s) => s[d])));
  const k = strides.map((s) => s.map((v, d) => smax[d] / v));
  const classBase = new Int32Array(bands.length + 1);
  k.forEach((kb, b) => (classBase[b + 1] = classBase[b] + kb.reduce((a, c) => a * c, 1)));
  return { bands, dims, strides, k, classBase };
}

/** Column of the representative (coordinates `rep` in band `b`): one application of L through W. */
function computeColumn(L_apply: LApply, W: ShiftCovariantTransform, g: ClassGeometry, b: number, rep: readonly number[], n: number, dtype: Dtype): ClassColumn {
  const { bands, dims } = g;
  const m = W.coeffSize;
  const scale = 1 / frameScale(W);
  const i = flatOf(bands[b], rep);
  const e = zeros(dtype, m);
  e[i] = 1;
  const y = zeros(dtype, n);
  L_apply(W.adjoint(e), y);
  const col = W.forward(y);
  let peak = 0;
  for (let j = 0; j < m; j++) peak = Math.max(peak, Math.abs(col[j]));
  const floor = 1e-13 * peak;
  const bandStart = new Int32Array(bands.length + 1);
  const coords: number[] = [];
  const value: number[] = [];
  const residual = new Float64Array(bands.length);
  const c = new Array<number>(dims);
  for (let bb = 0; bb < bands.length; bb++) {
    const shape = bands[bb].shape;
    const size = shape.reduce((a, v) => a * v, 1);
    for (let local = 0; local < size; local++) {
      const j = bands[bb].offset + local;
      if (j === i) continue;
      const v = Math.abs(col[j]) * scale;
      if (!(Math.abs(col[j]) > floor)) {
        residual[bb] += v;
        continue;
      }
      let rem = local;
      for (let d = dims - 1; d >= 0; d--) {
        c[d] = rem % shape[d];
        rem = (rem - c[d]) / shape[d];
      }
      coords.push(...c);
      value.push(v);
    }
    bandStart[bb + 1] = value.length;
  }
  return { diag: col[i] * scale, bandStart, coords: Int32Array.from(coords), value: Float64Array.from(value), residual };
}

function flatOf(band: Band, c: readonly number[]): number {
  let local = 0;
  for (let d = 0; d < c.length; d++) local = local * band.shape[d] + c[d];
  return band.offset + local;
}

/**
 * Every restricted row of L_W from a few computed ones, for L commuting with circular shifts and W
 * periodised: translating x by Smax samples (the coarsest band's stride) shifts every band's
 * coefficients by whole positions, so two rows of L_W = W L Wᵀ whose coefficients differ by such a
 * translation are the same row, re-indexed. Rows of band b fall into ∏_d Smax_d / stride_b,d shift
 * classes; one computed column per class touched by the active set S (at the class's first
 * coefficient, whatever S is: L_W is symmetric) gives every other row of the class by index
 * arithmetic: its diagonal, and Σ_{j∈S, j≠i}|L_ij| summed over the translated significant entries
 * (|L_ij| > 1e-13·max), plus the whole mass of the negligible ones in the bands S meets as a
 * conservative margin. So η_dd and the Gershgorin bound are those of every row, up to that margin
 * (upward for η_dd, downward for Gershgorin): sound, and exact to ~1e-13 relative.
 *
 * `columns` keeps the computed columns for the next active set of the same (L, W): the caller
 * guarantees that identity (CertificateCache keys it by the transform and the checked declared
 * structure). Without it every touched class costs one application. With `failAbove`, the
 * classes are evaluated from the finest band up and the bound stops after the first class that
 * has a row whose significant restricted entries alone exceed failAbove·|L_ii| (`complete` false):
 * the gate η_dd ≤ failAbove fails for certain, at the cost of the classes evaluated so far.
 */
export function classRowBound(
  L_apply: LApply,
  W: ShiftCovariantTransform,
  options: { n: number; dtype: Dtype; active: Int32Array; epsilonRel?: number; columns?: ClassColumns; failAbove?: number },
): ClassBound {
  const t0 = performance.now();
  const { n, dtype, active } = options;
  const g = classGeometry(W);
  const { bands, dims, strides, k, classBase } = g;
  const columns = options.columns ?? new ClassColumns();
  // active rows grouped by their shift class, and the bands S meets
  const members = new Map<number, number[]>();
  const inS = new Uint8Array(bands.length);
  const activeMask = new Uint8Array(W.coeffSize);
  const c = new Array<number>(dims);
  for (let a = 0; a < active.length; a++) {
    const j = active[a];
    const b = bandIndexOf(bands, j);
    inS[b] = 1;
    activeMask[j] = 1;
    let local = j - bands[b].offset;
    let id = 0;
    let mult = 1;
    for (let d = dims - 1; d >= 0; d--) {
      const extent = bands[b].shape[d];
      c[d] = local % extent;
      local = (local - c[d]) / extent;
      id += (c[d] % k[b][d]) * mult;
      mult *= k[b][d];
    }
    const key = classBase[b] + id;
    const list = members.get(key);
    if (list) list.push(j);
    else members.set(key, [j]);
  }
  let applications = 0;
  let maxDiag = 0;
  let etaLower = 0;
  const diags: number[] = [];
  const offs: number[] = [];
  const cr = new Array<number>(dims);
  const shift = new Int32Array(dims);
  const shapes = bands.map((band) => Int32Array.from(band.shape));
  let evaluated = 0;
  // finest bands first: a blur damps fine atoms most, so their rows are the least dominant and a
  // failure shows there first (class ids ascend with the band offset)
  const order = [...members.keys()].sort((a, b) => b - a);
  for (const key of order) {
    const rowsOfClass = members.get(key)!;
    if (options.failAbove !== undefined && etaLower > options.failAbove) break;
    evaluated++;
    let b = 0;
    while (classBase[b + 1] <= key) b++;
    const rep = unflat(key - classBase[b], k[b]);
    let col = columns.get(key);
    if (!col) {
      col = computeColumn(L_apply, W, g, b, rep, n, dtype);
      columns.set(key, col);
      applications++;
    }
    let residual = 0;
    for (let bb = 0; bb < bands.length; bb++) if (inS[bb]) residual += col.residual[bb];
    const diag = col.diag;
    maxDiag = Math.max(maxDiag, Math.abs(diag));
    const { bandStart, coords, value } = col;
    for (const r of rowsOfClass) {
      // r is the representative translated by T samples (T_d a multiple of Smax_d, T_d ≥ 0): band c moves by T_d / stride_c,d (< its extent)
      let local = r - bands[b].offset;
      for (let d = dims - 1; d >= 0; d--) {
        cr[d] = local % bands[b].shape[d];
        local = (local - cr[d]) / bands[b].shape[d];
      }
      let sig = 0;
      for (let bb = 0; bb < bands.length; bb++) {
        if (!inS[bb]) continue;
        const offset = bands[bb].offset;
        const shape = shapes[bb];
        for (let d = 0; d < dims; d++) shift[d] = ((cr[d] - rep[d]) * strides[b][d]) / strides[bb][d];
        const end = bandStart[bb + 1];
        if (dims === 1) {
          const ext = shape[0];
          const sh = shift[0];
          for (let t = bandStart[bb]; t < end; t++) {
            let p = coords[t] + sh;
            if (p >= ext) p -= ext;
            if (activeMask[offset + p]) sig += value[t];
          }
          continue;
        }
        for (let t = bandStart[bb]; t < end; t++) {
          let j = 0;
          for (let d = 0; d < dims; d++) {
            let p = coords[t * dims + d] + shift[d];
            if (p >= shape[d]) p -= shape[d];
            j = j * shape[d] + p;
          }
          if (activeMask[offset + j]) sig += value[t];
        }
      }
      diags.push(diag);
      offs.push(sig + residual);
      etaLower = Math.max(etaLower, sig / Math.abs(diag));
    }
  }
  const eps = (options.epsilonRel ?? 1e-12) * maxDiag;
  let etaUpper = 0;
  let gershgorinLower = Number.POSITIVE_INFINITY;
  for (let r = 0; r < diags.length; r++) {
    const den = Math.abs(diags[r]) + eps;
    const off = offs[r];
    etaUpper = Math.max(etaUpper, off === 0 ? 0 : den > 0 ? off / den : Number.POSITIVE_INFINITY);
    gershgorinLower = Math.min(gershgorinLower, diags[r] - off);
  }
  const complete = evaluated === members.size;
  if (!complete) return { etaUpper: Number.POSITIVE_INFINITY, gershgorinLower: Number.NEGATIVE_INFINITY, etaLower, classes: members.size, complete, evaluated, applications, ms: performance.now() - t0 };
  return { etaUpper, gershgorinLower, etaLower: Math.min(etaLower, etaUpper), classes: members.size, complete, evaluated, applications, ms: performance.now() - t0 };
}

/** Whether a certificate transform declares shift covariance. */
export function isShiftCovariant(W: CertTransform | null): W is ShiftCovariantTransform {
  const w = W as Partial<ShiftCovariantTransform> | null;
  return w !== null && typeof w.translationStride === "function" && Array.isArray(w.bands);
}
