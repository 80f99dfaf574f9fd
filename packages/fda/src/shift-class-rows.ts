import { type Band, CflowError, type Dtype } from "@cflow/core";
import type { ShiftCovariantTransform } from "./class-bound.js";
import type { RestrictedMatrix } from "./restricted-matrix.js";
import { type ApplicationBound, composeBounds, periodisedDwtBound, tapRoundingBound, unitRoundoff, type WaveletTaps } from "./rounding.js";
import { UpperRowsBuilder } from "./sparse-symmetric.js";

/**
 * An operator L on x-space that commutes with circular shifts, applied in float64 with a stated
 * rounding bound. `radius` is its stencil: L_pq = 0 unless |p_d − q_d| ≤ radius[d] cyclically on
 * every axis d (KᵀK for a convolution K of m taps along d: m − 1); null when unknown (then every
 * class row is read in full, one application each).
 */
export interface ShiftInvariantOperator {
  readonly shape: readonly number[];
  apply(v: Float64Array, out: Float64Array): void;
  readonly radius: readonly number[] | null;
  readonly bound: ApplicationBound;
}

/** A periodised orthogonal DWT in float64 (core's `DwtTransform`): bands, strides, levels and filters. */
export type PeriodisedWavelet = ShiftCovariantTransform & {
  readonly levels: number;
  readonly wavelet: WaveletTaps & { readonly length: number };
};

export interface ShiftClassRowsOptions {
  /**
   * The run's dtype (default float64). A float32 run's W has float32 taps: its restricted operator
   * differs from the float64 copy's by at most ‖W₃₂ − W‖‖L‖(‖W₃₂‖ + ‖W‖) (`tapRoundingBound`),
   * which joins the perturbation. L's taps widen exactly, so L needs no such term.
   */
  runDtype?: Dtype;
  /**
   * Entries with |value| ≤ dropTolerance·max_i L_ii are left out of L̂_S (their mass joins the
   * perturbation bound); default 0: only structural zeros are left out.
   */
  dropTolerance?: number;
}

/** One computed row of a shift class, kept for the bands its owner reads (levels ≤ its own). */
interface ClassRow {
  band: number;
  level: number;
  /** Band position (per axis) of the representative coefficient. */
  k: number[];
  diag: number;
  /** One block per band of level ≤ `level`: the row's entries over the footprint window. */
  blocks: Block[];
  /** Σ over blocks of (dropped mass + rounding mass). */
  rowMass: number;
}

interface Block {
  band: number;
  /** First band position of the window (per axis, may be negative: taken mod the band extent). */
  k0: number[];
  /** Window extent per axis (≤ band extent). */
  ext: number[];
  values: Float64Array;
  /** Dropped |values| + √count·(probe rounding): a bound on Σ|exact − stored| over the block. */
  mass: number;
}

/**
 * The rows of L_W = W L Wᵀ for a shift-invariant L on a periodised DWT, computed once per (L, W)
 * and reused by every restricted operator of a run (`restrict(S)`).
 *
 * Why rows repeat: translating x by Smax samples (the coarsest stride) shifts every band's
 * coefficients by whole positions and commutes with L, so rows of L_W whose coefficients differ by
 * such a translation are the same row, re-indexed. A band of stride s has ∏_d Smax_d/s_d shift
 * classes; one computed row per class gives every row.
 *
 * Why a few applications compute them all (exactly, not approximately): with the kernel's
 * periodised filter bank (kernel/reference/dwt.ts: a_k = Σ_m f_m x_{(2k + m − o) mod n},
 * o = F/2 − 1), the synthesis atom of a level-ℓ coefficient at band position k is supported, along
 * each axis, in A − (2^ℓ − 1)o + [0, E_ℓ] (mod N), A = 2^ℓ k its anchor, E_ℓ = (2^ℓ − 1)(F − 1)
 * (induction over the levels: each synthesis pass maps position p to 2p − o + [0, F − 1]). So
 * (L_W)_ij = ⟨ψ_i, L ψ_j⟩ vanishes unless the anchors differ by at most E_ℓ + R along every axis,
 * where R is L's stencil radius and ℓ the coarser of the two levels (the two support offsets are
 * bounded by the same E_ℓ). Each pair's entry is taken from the row of its coarser coefficient
 * (the lower index between equal levels), so a level-ℓ row is only read on bands of level ≤ ℓ,
 * over anchors within H_ℓ = E_ℓ + R of its own: its footprint. Representatives of one level whose
 * footprints are pairwise disjoint (anchors ≥ 2H_ℓ + 1 apart, cyclically, along some axis) share
 * one probe Σ e_r: at each footprint coefficient only its own representative contributes, in exact
 * arithmetic. Every probe checks the support model on the computed synthesis Wᵀv (a non-zero
 * outside the predicted atom supports raises an error).
 *
 * What separates the stored matrix from L_S (`perturbation`, Weyl): the rounding of each probe,
 * ‖fl(L_W v) − L_W v‖₂ ≤ ε‖v‖₂ from the application bounds of Wᵀ, L and W (so the stored entries
 * of a block err by at most √count·ε‖v‖ in ℓ1), plus the entries dropped below the tolerance. A
 * row of E = L_S − L̂_S collects its own class's blocks and, for the pairs another row owns, the
 * blocks of the owners' classes in its band; the maximum of these sums bounds ‖E‖₂ (symmetric E:
 * ‖E‖₂ ≤ ‖E‖∞), for every S.
 */
export class ShiftClassRows {
  readonly coeffSize: number;
  /** Shift classes (= computed rows). */
  readonly classes: number;
  /** Operator applications used (probes). */
  readonly applications: number;
  /** Build time (ms). */
  readonly ms: number;
  /** Stored values over all class rows. */
  readonly storedEntries: number;
  /** ‖L_S − L̂_S‖₂ ≤ perturbation for every S (rounding + dropped entries + a float32 run's taps). */
  readonly perturbation: number;
  /** The largest dropped mass of a class row, the largest probe's rounding (2-norm), the taps' term. */
  readonly parts: { dropped: number; rounding: number; taps: number };
  /** max_i L_ii over W-space (from the class rows). */
  readonly maxDiag: number;
  /** The relative rounding bound ε of one application of W L Wᵀ. */
  readonly applicationRelErr: number;

  private readonly bands: Band[];
  private readonly levelOf: Int32Array;
  private readonly strides: number[][];
  private readonly classStride: number[][];
  private readonly classBase: Int32Array;
  private readonly rows: ClassRow[];
  private readonly dims: number;
  /** Offset of a level-ℓ atom's centre from its anchor (samples), by level. */
  private readonly atomCentre: number[];
  /** Stored entries per row of the last restriction: the next one's initial capacity (no regrowth). */
  private entriesPerRow = 64;

  private constructor(init: {
    bands: Band[];
    levelOf: Int32Array;
    strides: number[][];
    classStride: number[][];
    classBase: Int32Array;
    rows: ClassRow[];
    dims: number;
    atomCentre: number[];
    coeffSize: number;
    applications: number;
    ms: number;
    perturbation: number;
    parts: { dropped: number; rounding: number; taps: number };
    maxDiag: number;
    applicationRelErr: number;
  }) {
    this.bands = init.bands;
    this.levelOf = init.levelOf;
    this.strides = init.strides;
    this.classStride = init.classStride;
    this.classBase = init.classBase;
    this.rows = init.rows;
    this.dims = init.dims;
    this.atomCentre = init.atomCentre;
    this.coeffSize = init.coeffSize;
    this.classes = init.rows.length;
    this.applications = init.applications;
    this.ms = init.ms;
    this.perturbation = init.perturbation;
    this.parts = init.parts;
    this.maxDiag = init.maxDiag;
    this.applicationRelErr = init.applicationRelErr;
    this.storedEntries = init.rows.reduce((s, r) => s + r.blocks.reduce((t, b) => t + b.values.length, 0), 0);
  }

  /** Computes the class rows of W L Wᵀ (float64 W, unitary). */
  static build(L: ShiftInvariantOperator, W: PeriodisedWavelet, options: ShiftClassRowsOptions = {}): ShiftClassRows {
    const t0 = performance.now();
    const name = W.name ?? "W";
    if (W.dtype !== "float64") {
      throw new CflowError("DTYPE_MISMATCH", `ShiftClassRows: ${name} must be float64 (certificates of a float32 run use float64 copies of W and L)`, { path: `${name}.dtype`, expected: "float64", found: W.dtype });
    }
    if (W.frame !== "unitary") {
      throw new CflowError("BAD_FRAME", `ShiftClassRows: ${name} is a ${W.frame} frame; the shift-class rows need a unitary periodised DWT`, { path: `${name}.frame`, expected: "unitary", found: W.frame });
    }
    const shape = [...W.shape];
    const dims = shape.length;
    if (dims < 1 || dims > 2) throw new CflowError("BAD_OPTION", `ShiftClassRows: ${dims}-dimensional signals are not supported`, { path: `${name}.shape`, expected: "1D or 2D", found: `[${shape.join(", ")}]` });
    if (L.shape.length !== dims || L.shape.some((d, i) => d !== shape[i])) {
      throw new CflowError("SHAPE_MISMATCH", `ShiftClassRows: operator shape [${L.shape.join(", ")}] differs from ${name}.shape [${shape.join(", ")}]`, { path: "L.shape", expected: `[${shape.join(", ")}]`, found: `[${L.shape.join(", ")}]` });
    }
    if (L.radius !== null && (L.radius.length !== dims || L.radius.some((r) => !Number.isInteger(r) || r < 0))) {
      throw new CflowError("BAD_OPTION", `ShiftClassRows: L.radius must list one integer ≥ 0 per axis, found [${L.radius.join(", ")}]`, { path: "L.radius", expected: `${dims} integers ≥ 0`, found: `[${L.radius.join(", ")}]` });
    }
    const F = W.wavelet.length;
    const off = F / 2 - 1;
    const levels = W.levels;
    const bands = [...W.bands].sort((a, b) => a.offset - b.offset);
    const levelOf = Int32Array.from(bands, (b) => (b.level === 0 ? levels : b.level));
    const strides = bands.map((b) => [...W.translationStride(b)]);
    bands.forEach((b, i) => {
      if (strides[i].some((s) => s !== 2 ** levelOf[i])) {
        throw new CflowError("BAD_FRAME", `ShiftClassRows: band ${i} (level ${b.level}) of ${name} has stride [${strides[i].join(", ")}], expected 2^${levelOf[i]} (a dyadic periodised DWT)`, { path: `${name}.bands[${i}]`, expected: 2 ** levelOf[i], found: strides[i].join(",") });
      }
    });
    const smax = shape.map((_, d) => Math.max(...strides.map((s) => s[d])));
    const classStride = strides.map((s) => s.map((v, d) => smax[d] / v));
    const classBase = new Int32Array(bands.length + 1);
    bands.forEach((_, b) => (classBase[b + 1] = classBase[b] + classStride[b].reduce((a, c) => a * c, 1)));
    const m = W.coeffSize;
    const n = shape.reduce((a, b) => a * b, 1);

    // rounding of one application of W L Wᵀ (Wᵀ, then L, then W; all float64)
    const wBound = periodisedDwtBound(W.wavelet, levels, dims, unitRoundoff("float64"));
    const app = composeBounds(wBound, composeBounds(L.bound, wBound));
    const E = (l: number) => (2 ** l - 1) * (F - 1);
    const H = (l: number) => shape.map((_, d) => (L.radius === null ? Number.POSITIVE_INFINITY : E(l) + L.radius[d]));
    const fullAxis = (l: number) => H(l).map((h, d) => !(2 * h + 1 <= shape[d]));

    const rows: ClassRow[] = new Array(classBase[bands.length]);
    const probeErr: number[] = [];
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    const v = new Float64Array(m);
    const mark = new Uint8Array(n);
    let applications = 0;
    for (let level = 1; level <= levels; level++) {
      const s = 2 ** level;
      const h = H(level);
      const full = fullAxis(level);
      // cells of the packing lattice: spacing P_d ≥ 2H + 1 + (Smax − s) along axes that can be split
      const P = shape.map((N, d) => (full[d] ? N : s * Math.ceil((2 * h[d] + 1 + smax[d] - s) / s)));
      const q = shape.map((N, d) => (full[d] ? 1 : Math.max(1, Math.floor(N / P[d]))));
      const cells = q.reduce((a, c) => a * c, 1);
      const reps: { band: number; cls: number; k: number[] }[] = [];
      bands.forEach((_, b) => {
        if (levelOf[b] !== level) return;
        const cs = classStride[b];
        const count = cs.reduce((a, c) => a * c, 1);
        for (let c = 0; c < count; c++) {
          const rho = unflat(c, cs);
          const cell = unflat(reps.length % cells, q);
          reps.push({ band: b, cls: classBase[b] + c, k: rho.map((r, d) => (cell[d] * P[d]) / s + r) });
        }
      });
      for (let start = 0; start < reps.length; start += cells) {
        const group = reps.slice(start, start + cells);
        v.fill(0);
        mark.fill(0);
        for (const r of group) {
          v[bands[r.band].offset + flatIndex(r.k, bands[r.band].shape)] = 1;
          markAtom(mark, shape, r.k.map((k) => k * s - (s - 1) * off), E(level));
        }
        W.adjoint(v, x);
        for (let p = 0; p < n; p++) {
          if (x[p] !== 0 && mark[p] === 0) {
            throw new CflowError("SUPPORT_MODEL", `ShiftClassRows: the synthesis of level-${level} coefficients of ${name} is non-zero at sample ${p}, outside the atom supports the shift-class rows assume (filter length ${F}, offset ${off})`, {
              path: `${name}.adjoint`,
              expected: "atoms supported in 2^ℓk − (2^ℓ − 1)(F/2 − 1) + [0, (2^ℓ − 1)(F − 1)]",
              found: p,
            });
          }
        }
        L.apply(x, y);
        const out = W.forward(y);
        applications++;
        const err = app.relErr * Math.sqrt(group.length);
        probeErr.push(err);
        for (const r of group) {
          const anchor = r.k.map((k) => k * s);
          const blocks: Block[] = [];
          bands.forEach((band, b) => {
            if (levelOf[b] > level) return;
            const sb = strides[b];
            const k0: number[] = [];
            const ext: number[] = [];
            for (let d = 0; d < dims; d++) {
              const nb = band.shape[d];
              if (full[d]) {
                k0.push(0);
                ext.push(nb);
                continue;
              }
              const lo = Math.ceil((anchor[d] - h[d]) / sb[d]);
              const hi = Math.floor((anchor[d] + h[d]) / sb[d]);
              if (hi - lo + 1 >= nb) {
                k0.push(0);
                ext.push(nb);
              } else {
                k0.push(lo);
                ext.push(hi - lo + 1);
              }
            }
            const count = ext.reduce((a, c) => a * c, 1);
            const values = new Float64Array(count);
            const pos = new Array<number>(dims);
            for (let t = 0; t < count; t++) {
              let rem = t;
              for (let d = dims - 1; d >= 0; d--) {
                const td = rem % ext[d];
                rem = (rem - td) / ext[d];
                pos[d] = mod(k0[d] + td, band.shape[d]);
              }
              values[t] = out[band.offset + flatIndex(pos, band.shape)];
            }
            blocks.push({ band: b, k0, ext, values, mass: Math.sqrt(count) * err });
          });
          const self = out[bands[r.band].offset + flatIndex(r.k, bands[r.band].shape)];
          rows[r.cls] = { band: r.band, level, k: r.k, diag: self, blocks, rowMass: 0 };
        }
      }
    }
    let maxDiag = 0;
    for (const r of rows) maxDiag = Math.max(maxDiag, Math.abs(r.diag));
    const dropAbs = (options.dropTolerance ?? 0) * maxDiag;
    let droppedMax = 0; // the largest dropped mass of one class row
    for (const r of rows) {
      let droppedRow = 0;
      for (const blk of r.blocks) {
        let dropped = 0;
        if (dropAbs > 0) {
          const vals = blk.values;
          for (let t = 0; t < vals.length; t++) {
            const a = Math.abs(vals[t]);
            if (a !== 0 && a <= dropAbs && !(blk.band === r.band && isCentre(t, blk, r.k, bands[blk.band].shape))) {
              dropped += a;
              vals[t] = 0;
            }
          }
        }
        droppedRow += dropped;
        blk.mass += dropped;
        r.rowMass += blk.mass;
      }
      droppedMax = Math.max(droppedMax, droppedRow);
    }
    // ‖E‖₂ ≤ max over bands b of [max own row mass of a class of b + Σ_{owner classes} their block mass on b]
    const ownMax = new Float64Array(bands.length);
    const colIn = new Float64Array(bands.length);
    for (const r of rows) {
      ownMax[r.band] = Math.max(ownMax[r.band], r.rowMass);
      for (const blk of r.blocks) colIn[blk.band] += blk.mass;
    }
    let perturbation = 0;
    for (let b = 0; b < bands.length; b++) perturbation = Math.max(perturbation, ownMax[b] + colIn[b]);
    // a float32 run's operator: ‖W₃₂ L W₃₂ᵀ − W L Wᵀ‖ ≤ ‖ΔW‖‖L‖(‖W₃₂‖ + ‖W‖)
    const dW = tapRoundingBound(W.wavelet, levels, dims, options.runDtype ?? "float64");
    const taps = dW * L.bound.norm * (2 * wBound.norm + dW);
    perturbation += taps;
    perturbation *= 1 + 2 ** -40; // the sums above are themselves rounded
    return new ShiftClassRows({
      bands,
      levelOf,
      strides,
      classStride,
      classBase,
      rows,
      dims,
      atomCentre: Array.from({ length: levels + 1 }, (_, l) => -(2 ** l - 1) * off + E(l) / 2),
      coeffSize: m,
      applications,
      ms: performance.now() - t0,
      perturbation,
      parts: { dropped: droppedMax, rounding: Math.max(...probeErr), taps },
      maxDiag,
      applicationRelErr: app.relErr,
    });
  }

  /**
   * L̂_S for the active set S (coefficient indices, ascending, distinct): each pair's entry from
   * its owner's class row, both triangles stored. Cost: Σ over rows of the S-members inside their
   * footprints (S is walked band by band, row by row, so empty parts of a footprint cost nothing).
   */
  restrict(active: Int32Array): RestrictedMatrix {
    const t0 = performance.now();
    const S = active;
    const nS = S.length;
    const m = this.coeffSize;
    for (let p = 0; p < nS; p++) {
      if (!(S[p] >= 0 && S[p] < m) || (p > 0 && S[p] <= S[p - 1])) {
        throw new CflowError("BAD_OPTION", `ShiftClassRows.restrict: active[${p}] = ${S[p]}; expected distinct ascending indices in [0, ${m})`, { path: `active[${p}]`, expected: `ascending integers in [0, ${m})`, found: S[p] });
      }
    }
    const bands = this.bands;
    const dims = this.dims;
    // S-members per band: a contiguous range of S, sorted by (row, column); per band row, the start of its members
    const bandStart = new Int32Array(bands.length + 1);
    {
      let p = 0;
      for (let b = 0; b < bands.length; b++) {
        bandStart[b] = p;
        const end = bands[b].offset + bands[b].shape.reduce((a, c) => a * c, 1);
        while (p < nS && S[p] < end) p++;
      }
      bandStart[bands.length] = nS;
    }
    const rowStart: Int32Array[] = bands.map((band, b) => {
      const rowsN = dims === 1 ? 1 : band.shape[0];
      const width = dims === 1 ? band.shape[0] : band.shape[1];
      const rs = new Int32Array(rowsN + 1);
      for (let p = bandStart[b]; p < bandStart[b + 1]; p++) rs[Math.floor((S[p] - band.offset) / width) + 1]++;
      for (let r = 0; r < rowsN; r++) rs[r + 1] += rs[r];
      for (let r = 0; r <= rowsN; r++) rs[r] += bandStart[b];
      return rs;
    });
    const upper = new UpperRowsBuilder(nS, Math.max(1024, Math.ceil(1.1 * this.entriesPerRow * nS)));
    const coordinates = new Float64Array(nS * dims);
    const kk = new Int32Array(dims);
    const w0 = new Int32Array(dims);
    for (let p = 0; p < nS; p++) {
      const i = S[p];
      const b = bandIndexOf(bands, i);
      const band = bands[b];
      let local = i - band.offset;
      for (let d = dims - 1; d >= 0; d--) {
        kk[d] = local % band.shape[d];
        local = (local - kk[d]) / band.shape[d];
      }
      const cs = this.classStride[b];
      let cls = 0;
      for (let d = 0; d < dims; d++) cls = cls * cs[d] + (kk[d] % cs[d]);
      const row = this.rows[this.classBase[b] + cls];
      const level = row.level;
      const sb = this.strides[b];
      for (let d = 0; d < dims; d++) coordinates[p * dims + d] = kk[d] * sb[d] + this.atomCentre[level];
      for (const blk of row.blocks) {
        const b2 = blk.band;
        const band2 = bands[b2];
        const sameLevel = this.levelOf[b2] === level;
        const s2 = this.strides[b2];
        // window start of this row in band b2: the representative's, translated by T/s2
        for (let d = 0; d < dims; d++) w0[d] = mod(blk.k0[d] + ((kk[d] - row.k[d]) * sb[d]) / s2[d], band2.shape[d]);
        const rs = rowStart[b2];
        const height = dims === 1 ? 1 : band2.shape[0];
        const width = dims === 1 ? band2.shape[0] : band2.shape[1];
        const rowsInWindow = dims === 1 ? 1 : blk.ext[0];
        const extX = dims === 1 ? blk.ext[0] : blk.ext[1];
        const x0 = dims === 1 ? w0[0] : w0[1];
        const y0 = dims === 1 ? 0 : w0[0];
        const values = blk.values;
        for (let ty = 0; ty < rowsInWindow; ty++) {
          let yRow = y0 + ty;
          if (yRow >= height) yRow -= height;
          const from = rs[yRow];
          const to = rs[yRow + 1];
          if (from === to) continue;
          const base = band2.offset + yRow * width;
          const tRow = ty * extX;
          // members of row yRow with x in [x0, x0 + extX) mod width: one or two ranges
          for (let part = 0; part < 2; part++) {
            let xa: number;
            let xb: number;
            let shift: number;
            if (part === 0) {
              xa = x0;
              xb = Math.min(width, x0 + extX);
              shift = -x0;
            } else {
              if (x0 + extX <= width) break;
              xa = 0;
              xb = x0 + extX - width;
              shift = width - x0;
            }
            let lo = from;
            let hi = to;
            while (lo < hi) {
              const mid = (lo + hi) >> 1;
              if (S[mid] - base < xa) lo = mid + 1;
              else hi = mid;
            }
            for (let q = lo; q < to; q++) {
              const xj = S[q] - base;
              if (xj >= xb) break;
              if (sameLevel && q < p) continue; // the row of S[q] owns the pair
              const val = values[tRow + xj + shift];
              if (val === 0) continue;
              upper.push(p, q, val);
            }
          }
        }
      }
    }
    const matrix = upper.toCsr();
    if (nS > 0) this.entriesPerRow = Math.max(1, matrix.rowPtr[nS] / nS);
    return {
      active: S,
      matrix,
      perturbation: this.perturbation,
      rowPerturbation: this.perturbation,
      parts: this.parts,
      coordinates,
      dims,
      source: "shift-class rows",
      ms: performance.now() - t0,
    };
  }
}

/** Index of the band holding coefficient j (bands sorted by offset). */
export function bandIndexOf(bands: readonly Band[], j: number): number {
  let lo = 0;
  let hi = bands.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (bands[mid].offset <= j) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function mod(a: number, n: number): number {
  const r = a % n;
  return r < 0 ? r + n : r;
}

function unflat(c: number, ext: readonly number[]): number[] {
  const out = new Array<number>(ext.length);
  for (let d = ext.length - 1; d >= 0; d--) {
    out[d] = c % ext[d];
    c = (c - out[d]) / ext[d];
  }
  return out;
}

function flatIndex(k: readonly number[], shape: readonly number[]): number {
  let f = 0;
  for (let d = 0; d < shape.length; d++) f = f * shape[d] + k[d];
  return f;
}

/** Marks the box start + [0, len] (mod shape) along every axis. */
function markAtom(mark: Uint8Array, shape: readonly number[], start: readonly number[], len: number): void {
  if (shape.length === 1) {
    const N = shape[0];
    for (let t = 0; t <= Math.min(len, N - 1); t++) mark[mod(start[0] + t, N)] = 1;
    return;
  }
  const [h, w] = shape;
  for (let a = 0; a <= Math.min(len, h - 1); a++) {
    const r = mod(start[0] + a, h) * w;
    for (let c = 0; c <= Math.min(len, w - 1); c++) mark[r + mod(start[1] + c, w)] = 1;
  }
}

/** Whether window entry t of a block is the representative's own coefficient (never dropped). */
function isCentre(t: number, blk: Block, k: readonly number[], shape: readonly number[]): boolean {
  let rem = t;
  for (let d = blk.ext.length - 1; d >= 0; d--) {
    const td = rem % blk.ext[d];
    rem = (rem - td) / blk.ext[d];
    if (mod(blk.k0[d] + td, shape[d]) !== k[d]) return false;
  }
  return true;
}
