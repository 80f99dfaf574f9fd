import { type Band, CflowError, type Dtype } from "@cflow/core";
import type { ShiftCovariantTransform } from "./class-bound.js";
import type { RestrictedMatrix } from "./restricted-matrix.js";
import type { ApplicationBound, WaveletTaps } from "./rounding.js";
import { bandIndexOf, mod } from "./shift-class-geometry.js";
import type { ArrayPool } from "./array-pool.js";
import { type Block, type ClassRow, type ClassRowTable, probeClassRows } from "./shift-class-probes.js";
import type { SymmetricCsr } from "./sparse-symmetric.js";

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
  /**
   * Where the probes' vectors come from (default: fresh arrays). The probes give them back, and the
   * rows keep three of the coefficient count as their rank array and first restriction's storage.
   */
  arrays?: ArrayPool;
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
 * over anchors within H_ℓ = E_ℓ + R of its own: its footprint. Representatives whose footprints
 * are pairwise disjoint (anchors ≥ 2H + 1 apart, cyclically, along some axis, H that of the coarser
 * of the two levels; shift-class-probes.ts packs them) share one probe Σ e_r: at each footprint
 * coefficient only its own representative contributes, in exact arithmetic. Every probe checks the
 * support model on the computed synthesis Wᵀv (a non-zero outside the predicted atom supports
 * raises an error).
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
  /** The storage of the last restricted matrix, and of a released one (`release`). */
  private lent: { matrix: SymmetricCsr; storage: { col: Int32Array; val: Float64Array } } | null = null;
  private spare: { col: Int32Array; val: Float64Array } | null = null;
  /** `rankOf`'s array, reused by every restriction. */
  private rankScratch: Int32Array | null = null;

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
    const rows = new ShiftClassRows(probeClassRows(L, W, options));
    if (options.arrays) rows.adopt(options.arrays);
    return rows;
  }

  /**
   * Takes the probes' arrays (written already, so no page faults on first use) as the rank array
   * and the first restriction's storage, when the pool holds three of the coefficient count.
   */
  private adopt(arrays: ArrayPool): void {
    const m = this.coeffSize;
    if (arrays.count(m) < 3) return;
    const taken = [arrays.take(m), arrays.take(m), arrays.take(m)];
    this.rankScratch = new Int32Array(taken[0].buffer, taken[0].byteOffset, m + 1);
    this.spare = { col: new Int32Array(taken[1].buffer, taken[1].byteOffset, m), val: taken[2] };
  }

  /**
   * L̂_S for the active set S (coefficient indices, ascending, distinct): each pair's entry from
   * its owner's class row, the upper triangle stored, each row's entries in assembly order (block
   * by block, window row by window row), written into the storage of the last released matrix when
   * it is large enough for the entries expected (else new storage; grown when short). Cost: Σ over
   * rows of the S-members inside their footprints, plus one step per footprint row (the members of a
   * window row are one range of S, read from the rank of its ends).
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
    const rank = this.rankOf(S);
    // the storage of a released matrix (writing into fresh memory costs more than the walk
    // itself), else new storage for the entries expected were S spread evenly over each band
    let storage = this.spare;
    this.spare = null;
    const expected = Math.ceil(1.25 * this.expectedEntries(S)) + 1024;
    if (!storage || storage.col.length < expected) storage = { col: new Int32Array(expected), val: new Float64Array(expected) };
    const rowPtr = new Int32Array(nS + 1);
    const coordinates = new Float64Array(nS * this.dims);
    const out = { rowPtr, coordinates, col: storage.col, val: storage.val };
    const size = this.walk(S, rank, out);
    const matrix = { n: nS, rowPtr, col: out.col.subarray(0, size), val: out.val.subarray(0, size) };
    this.lent = { matrix, storage: { col: out.col, val: out.val } };
    return {
      active: S,
      matrix,
      perturbation: this.perturbation,
      rowPerturbation: this.perturbation,
      parts: this.parts,
      coordinates,
      dims: this.dims,
      source: "shift-class rows",
      ms: performance.now() - t0,
    };
  }

  /**
   * Hands back the storage of the last matrix `restrict` returned: the next restriction may write
   * into it. Only for a caller done with `R` (and every view of its matrix); any other R is ignored.
   * Reusing storage changes no value: the next matrix is written in full.
   */
  release(R: RestrictedMatrix): void {
    if (this.lent && this.lent.matrix === R.matrix) {
      this.spare = this.lent.storage;
      this.lent = null;
    }
  }

  /**
   * The members of S (ascending) whose position along a band's first axis lies in the first
   * `fraction` of that band: one slab of the domain across every level. Each row of L_S's principal
   * submatrix on a slab holds a subset of that row's entries in L_S, so its off-diagonal sums are
   * lower bounds of L_S's. `active` ascending.
   */
  slab(active: Int32Array, fraction: number): Int32Array {
    // a row-major band's members whose first-axis position is below the slab's end c are those with
    // index below offset + c·(the band's size / its first extent): one range of `active` per band
    const parts: Int32Array[] = [];
    let size = 0;
    for (const band of this.bands) {
      const inner = band.shape.reduce((a, c) => a * c, 1) / band.shape[0];
      const part = active.subarray(lowerBound(active, band.offset), lowerBound(active, band.offset + Math.min(Math.ceil(band.shape[0] * fraction), band.shape[0]) * inner));
      parts.push(part);
      size += part.length;
    }
    const out = new Int32Array(size);
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  /** The stored entries `restrict(active)` is expected to hold (`active` ascending in [0, coeffSize)), to size its storage before building it. */
  expectedEntriesOf(active: Int32Array): number {
    return this.expectedEntries(active);
  }

  /**
   * rank[j] = #{p : S[p] < j}: the S-members with indices in [a, b) are S[rank[a] .. rank[b]).
   * Written over one array kept for the next restriction (a restriction reads it only while it
   * walks; fresh memory costs more than the pass that fills it).
   */
  private rankOf(S: Int32Array): Int32Array {
    const m = this.coeffSize;
    const rank = (this.rankScratch ??= new Int32Array(m + 1));
    // rank is p on (S[p − 1], S[p]]: one native fill per member of S (S ascending, inside [0, m))
    let from = 0;
    for (let p = 0; p < S.length; p++) {
      rank.fill(p, from, S[p] + 1);
      from = S[p] + 1;
    }
    rank.fill(S.length, from, m + 1);
    return rank;
  }

  /** Σ over S of each class row's window sizes times the fraction of its band in S (halved within a level). */
  private expectedEntries(S: Int32Array): number {
    const bands = this.bands;
    const fraction = bands.map((b) => {
      const size = b.shape.reduce((a, c) => a * c, 1);
      return (lowerBound(S, b.offset + size) - lowerBound(S, b.offset)) / size;
    });
    const perClass = this.rows.map((row) => row.blocks.reduce((t, blk) => t + blk.values.length * fraction[blk.band] * (this.levelOf[blk.band] === row.level ? 0.5 : 1), 0));
    let total = 0;
    const kk = new Int32Array(this.dims);
    for (let p = 0; p < S.length; p++) total += perClass[this.classOf(S[p], kk)];
    return total;
  }

  /** Index into `rows` of coefficient i's class; its band position is left in `kk`. */
  private classOf(i: number, kk: Int32Array): number {
    const dims = this.dims;
    const b = bandIndexOf(this.bands, i);
    const band = this.bands[b];
    let local = i - band.offset;
    for (let d = dims - 1; d >= 0; d--) {
      kk[d] = local % band.shape[d];
      local = (local - kk[d]) / band.shape[d];
    }
    const cs = this.classStride[b];
    let cls = 0;
    for (let d = 0; d < dims; d++) cls = cls * cs[d] + (kk[d] % cs[d]);
    return this.classBase[b] + cls;
  }

  /**
   * Writes the rows p = 0, 1, … of L̂_S in turn into `out` (the atom centres too): the ranges
   * [lo, hi) of S-positions its class row reads (its own-level members from p on: a pair is owned by
   * the coarser coefficient, or the lower index between equal levels), a member's value being
   * `values[S[q] + shift]`, exact zeros left out. `out.col`/`out.val` are replaced by larger copies
   * when short. Returns the number of stored entries.
   *
   * A restriction runs a few times per run, so most of a walk used to run before V8 had compiled it
   * (in the interpreter, and again after each deoptimisation: 5–15× the compiled time). Its work is
   * therefore cut into small functions called many times (a block, a range), which are compiled
   * within the first rows; the walk's own loop does little per row.
   */
  private walk(S: Int32Array, rank: Int32Array, out: { rowPtr: Int32Array; coordinates: Float64Array; col: Int32Array; val: Float64Array }): number {
    const { rowPtr, coordinates } = out;
    const sink = new EntrySink(out.col, out.val);
    const dims = this.dims;
    const kk = new Int32Array(dims);
    const w0 = new Int32Array(dims);
    for (let p = 0; p < S.length; p++) {
      rowPtr[p] = sink.size;
      const row = this.rows[this.classOf(S[p], kk)];
      this.centre(row, kk, coordinates, p);
      const blocks = row.blocks;
      for (let x = 0; x < blocks.length; x++) this.appendBlock(S, rank, p, row, blocks[x], kk, w0, sink);
    }
    rowPtr[S.length] = sink.size;
    out.col = sink.col;
    out.val = sink.val;
    return sink.size;
  }

  /** The atom centre of row p (class row `row`, band position kk) into coordinates[p·dims …]. */
  private centre(row: ClassRow, kk: Int32Array, coordinates: Float64Array, p: number): void {
    const dims = this.dims;
    const sb = this.strides[row.band];
    for (let d = 0; d < dims; d++) coordinates[p * dims + d] = kk[d] * sb[d] + this.atomCentre[row.level];
  }

  /** Row p's entries in one block of its class row (band position kk): the S-members inside the block's window, translated to row p. */
  private appendBlock(S: Int32Array, rank: Int32Array, p: number, row: ClassRow, blk: Block, kk: Int32Array, w0: Int32Array, sink: EntrySink): void {
    const dims = this.dims;
    const b2 = blk.band;
    const band2 = this.bands[b2];
    const qMin = this.levelOf[b2] === row.level ? p : 0;
    const sb = this.strides[row.band];
    const s2 = this.strides[b2];
    // window start of this row in band b2: the representative's, translated by T/s2
    for (let d = 0; d < dims; d++) w0[d] = mod(blk.k0[d] + ((kk[d] - row.k[d]) * sb[d]) / s2[d], band2.shape[d]);
    const height = dims === 1 ? 1 : band2.shape[0];
    const width = dims === 1 ? band2.shape[0] : band2.shape[1];
    const rowsInWindow = dims === 1 ? 1 : blk.ext[0];
    const extX = dims === 1 ? blk.ext[0] : blk.ext[1];
    const x0 = dims === 1 ? w0[0] : w0[1];
    const y0 = dims === 1 ? 0 : w0[0];
    const wrapped = x0 + extX > width;
    const values = blk.values;
    for (let ty = 0; ty < rowsInWindow; ty++) {
      let yRow = y0 + ty;
      if (yRow >= height) yRow -= height;
      const base = band2.offset + yRow * width;
      const tRow = ty * extX;
      // members of row yRow with x in [x0, x0 + extX) mod width: one or two ranges
      if (!wrapped) sink.append(values, S, Math.max(rank[base + x0], qMin), rank[base + x0 + extX], tRow - x0 - base);
      else {
        sink.append(values, S, Math.max(rank[base + x0], qMin), rank[base + width], tRow - x0 - base);
        sink.append(values, S, Math.max(rank[base], qMin), rank[base + x0 + extX - width], tRow + width - x0 - base);
      }
    }
  }
}

/** The stored entries of a matrix being walked: positions and values, grown (copied into 1.5× the length) when short. */
class EntrySink {
  size = 0;

  constructor(
    public col: Int32Array,
    public val: Float64Array,
  ) {}

  /** Appends the non-zero values[S[q] + shift], q in [lo, hi), with their positions q. */
  append(values: Float64Array, S: Int32Array, lo: number, hi: number, shift: number): void {
    if (!(lo < hi)) return;
    if (this.size + (hi - lo) > this.col.length) this.grow(this.size + (hi - lo));
    const { col, val } = this;
    let size = this.size;
    for (let q = lo; q < hi; q++) {
      const v = values[S[q] + shift];
      if (v === 0) continue;
      col[size] = q;
      val[size] = v;
      size++;
    }
    this.size = size;
  }

  private grow(least: number): void {
    const cap = Math.max(Math.ceil(1.5 * this.col.length), least);
    const col = new Int32Array(cap);
    const val = new Float64Array(cap);
    col.set(this.col.subarray(0, this.size));
    val.set(this.val.subarray(0, this.size));
    this.col = col;
    this.val = val;
  }
}

/** #{p : S[p] < j} for ascending S (a binary search). */
function lowerBound(S: Int32Array, j: number): number {
  let lo = 0;
  let hi = S.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (S[mid] < j) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
