import { type Band, CflowError } from "@cflow/core";
import { ArrayPool } from "./array-pool.js";
import { composeBounds, periodisedDwtBound, tapRoundingBound, unitRoundoff } from "./rounding.js";
import { flatIndex, isCentre, markAtom, mod, unflat } from "./shift-class-geometry.js";
import type { PeriodisedWavelet, ShiftClassRowsOptions, ShiftInvariantOperator } from "./shift-class-rows.js";

/** What probing computes: the class rows of W L Wᵀ and the tables that index them (shift-class-rows.ts). */
export interface ClassRowTable {
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
}

export interface ClassRow {
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

export interface Block {
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
 * Computes the class rows of W L Wᵀ (float64 W, unitary) by a few applications of L on probes
 * whose atoms have disjoint footprints (the argument is in shift-class-rows.ts, ShiftClassRows).
 */
export function probeClassRows(L: ShiftInvariantOperator, W: PeriodisedWavelet, options: ShiftClassRowsOptions = {}): ClassRowTable {
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
  const arrays = options.arrays ?? new ArrayPool();
  const x = arrays.take(n);
  const y = arrays.take(n);
  // each probe's coefficients, then (once synthesised into x) its W y, written over: fresh memory
  // costs more than the passes that fill it
  const v = arrays.take(m);
  const mark = new Uint8Array(n);
  let applications = 0;
  // Packings: the representatives of each level on a lattice of cells P_d ≥ 2H_ℓ + 1 + (Smax − s)
  // apart along axes that can be split (whole axes otherwise), `cells` of them per probe; or, when it
  // takes fewer probes, those of every level on one lattice spaced for the coarsest level and offset
  // for the finest: a pair of representatives interacts only through coefficients within H of both
  // anchors, H that of the coarser level (shift-class-rows.ts), so anchors ≥ 2H_L + 1 apart, L the
  // coarsest level, separate any two.
  type Rep = { band: number; cls: number; level: number; k: number[] };
  const pack = (lv: number[]): Rep[][] => {
    const top = Math.max(...lv);
    const sLo = 2 ** Math.min(...lv);
    const unit = lv.length === 1 ? sLo : 2 ** top; // P is a multiple of every included stride
    const h = H(top);
    const full = fullAxis(top);
    const P = shape.map((N, d) => (full[d] ? N : unit * Math.ceil((2 * h[d] + 1 + smax[d] - sLo) / unit)));
    const q = shape.map((N, d) => (full[d] ? 1 : Math.max(1, Math.floor(N / P[d]))));
    const cells = q.reduce((a, c) => a * c, 1);
    const reps: Rep[] = [];
    for (const level of lv) {
      const s = 2 ** level;
      bands.forEach((_, b) => {
        if (levelOf[b] !== level) return;
        const cs = classStride[b];
        const count = cs.reduce((a, c) => a * c, 1);
        for (let c = 0; c < count; c++) {
          const rho = unflat(c, cs);
          const cell = unflat(reps.length % cells, q);
          reps.push({ band: b, cls: classBase[b] + c, level, k: rho.map((r, d) => (cell[d] * P[d]) / s + r) });
        }
      });
    }
    const groups: Rep[][] = [];
    for (let start = 0; start < reps.length; start += cells) groups.push(reps.slice(start, start + cells));
    return groups;
  };
  const all = Array.from({ length: levels }, (_, i) => i + 1);
  const perLevel = all.flatMap((level) => pack([level]));
  const merged = pack(all);
  for (const group of merged.length < perLevel.length ? merged : perLevel) {
    v.fill(0);
    mark.fill(0);
    for (const r of group) {
      const s = 2 ** r.level;
      v[bands[r.band].offset + flatIndex(r.k, bands[r.band].shape)] = 1;
      markAtom(mark, shape, r.k.map((k) => k * s - (s - 1) * off), E(r.level));
    }
    W.adjoint(v, x);
    const outside = firstOutside(x, mark);
    if (outside >= 0) {
      const lv = [...new Set(group.map((r) => r.level))].join(", ");
      throw new CflowError("SUPPORT_MODEL", `ShiftClassRows: the synthesis of level-${lv} coefficients of ${name} is non-zero at sample ${outside}, outside the atom supports the shift-class rows assume (filter length ${F}, offset ${off})`, {
        path: `${name}.adjoint`,
        expected: "atoms supported in 2^ℓk − (2^ℓ − 1)(F/2 − 1) + [0, (2^ℓ − 1)(F − 1)]",
        found: outside,
      });
    }
    L.apply(x, y);
    const out = W.forward(y, v);
    applications++;
    const err = app.relErr * Math.sqrt(group.length);
    probeErr.push(err);
    for (const r of group) {
      const level = r.level;
      const h = H(level);
      const full = fullAxis(level);
      const anchor = r.k.map((k) => k * 2 ** level);
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
  arrays.give(x, y, v); // for the restrictions' storage (ShiftClassRows.build)
  return {
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
  };
}

/** The first sample where the synthesis x is non-zero outside the marked atom supports, or −1. */
function firstOutside(x: Float64Array, mark: Uint8Array): number {
  for (let p = 0; p < x.length; p++) if (x[p] !== 0 && mark[p] === 0) return p;
  return -1;
}
