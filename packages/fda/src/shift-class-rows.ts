import { type Band, CflowError, type Dtype } from "@cflow/core";
import type { ShiftCovariantTransform } from "./class-bound.js";
import type { RestrictedMatrix } from "./restricted-matrix.js";
import type { ApplicationBound, WaveletTaps } from "./rounding.js";
import { bandIndexOf, mod } from "./shift-class-geometry.js";
import { type ClassRow, type ClassRowTable, probeClassRows } from "./shift-class-probes.js";
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

  private constructor(init: ClassRowTable) {
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

  /** Computes the class rows of W L Wᵀ (float64 W, unitary): shift-class-probes.ts. */
  static build(L: ShiftInvariantOperator, W: PeriodisedWavelet, options: ShiftClassRowsOptions = {}): ShiftClassRows {
    return new ShiftClassRows(probeClassRows(L, W, options));
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
