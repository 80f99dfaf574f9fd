// The restricted operator from shift-class rows against the dense L_S formed independently (plain
// TS DWT and circular convolution, column by column): every entry within the stated perturbation,
// in 1D and 2D, with probes packed several representatives at a time and with one per probe, for a
// float64 run and a float32 run (whose W has float32 taps: the tap margin covers the difference).
import { DTYPES, type Dtype, createTransform, gaussianKernel1d, gaussianKernel2d } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { convolutionGram, csrToDense, type PeriodisedWavelet, ShiftClassRows, type ShiftInvariantOperator } from "../src/index.js";
import { ArrayPool } from "../src/array-pool.js";
import { jacobiEigenvalues } from "./helpers.js";
import { denseRestricted, plainDwt } from "./restricted-problems.js";
import { mulberry32 } from "@cflow/test-kit";

function randomSupport(m: number, coarse: number, rand: () => number, pFine: number): Int32Array {
  const S: number[] = [];
  for (let i = 0; i < m; i++) if (i < coarse ? rand() < 0.7 : rand() < pFine) S.push(i);
  return Int32Array.from(S);
}

// `probes`: the applications of L the packing takes — one lattice per level in the first two cases,
// every level on one lattice (fewer probes) in the third
const CASES = [
  { name: "1D, N = 256, db4 × 3, σ = 1.5", shape: [256], wavelet: "db4", levels: 3, sigma: 1.5, probes: 3 },
  { name: "2D, 64 × 64, db2 × 2, σ = 1", shape: [64, 64], wavelet: "db2", levels: 2, sigma: 1, probes: 4 },
  { name: "1D, N = 512, db2 × 3, σ = 1 (levels packed together)", shape: [512], wavelet: "db2", levels: 3, sigma: 1, probes: 1 },
] as const;

describe.each(DTYPES)("shift-class rows (%s run)", (dtype: Dtype) => {
  describe.each(CASES)("$name", (c) => {
    const shape = [...c.shape];
    const taps = shape.length === 1 ? gaussianKernel1d(c.sigma, dtype) : gaussianKernel2d(c.sigma, dtype);
    const L = convolutionGram(taps, { shape });
    const W = createTransform(c.wavelet, { shape, levels: c.levels, dtype: "float64" }) as unknown as PeriodisedWavelet;
    const rows = ShiftClassRows.build(L, W, { runDtype: dtype });
    const truthW = plainDwt(c.wavelet, shape, c.levels, dtype);

    it("computes one row per shift class with a few packed probes", () => {
      const classesPerLevel = (l: number) => (shape.length === 1 ? 1 : 3) * (2 ** (c.levels - l)) ** shape.length;
      let classes = 1; // the approximation band
      for (let l = 1; l <= c.levels; l++) classes += classesPerLevel(l);
      expect(rows.classes).toBe(classes);
      expect(rows.applications).toBe(c.probes);
      expect(rows.applications).toBeLessThan(classes / 2);
      expect(rows.perturbation).toBeGreaterThan(0);
      expect(rows.perturbation).toBeLessThan(dtype === "float64" ? 1e-9 : 2e-6);
    });

    it("assembles L̂_S within the stated perturbation of the dense L_S, over random supports", () => {
      const rand = mulberry32(shape.length * 17 + (dtype === "float64" ? 1 : 2));
      for (let trial = 0; trial < 4; trial++) {
        const S = randomSupport(truthW.m, truthW.m >> (2 * c.levels - 1), rand, (shape.length === 1 ? 0.1 : 0.015) * (1 + trial));
        const R = rows.restrict(S);
        const got = csrToDense(R.matrix);
        const want = denseRestricted(truthW, taps, shape, S);
        let worst = 0;
        for (let k = 0; k < got.length; k++) worst = Math.max(worst, Math.abs(got[k] - want[k]));
        // an entry's error is at most the row sum of |L_S − L̂_S|, which the perturbation bounds;
        // the dense truth carries ~1e-15 of its own rounding
        expect(worst).toBeLessThanOrEqual(R.rowPerturbation + 1e-14);
        if (dtype === "float64") expect(worst).toBeLessThan(1e-13);
        expect(R.coordinates?.length).toBe(S.length * shape.length);
      }
    });

    it("built on lent arrays full of garbage, gives the rows built on fresh ones, bit for bit, and takes the lent arrays", () => {
      const n = shape.reduce((a, b) => a * b, 1);
      const lent: Float64Array[] = [new Float64Array(n).fill(Number.NaN), new Float64Array(n).fill(-7), new Float64Array(n).fill(Infinity)];
      const arrays = new ArrayPool();
      arrays.give(...lent);
      const pooled = ShiftClassRows.build(L, W, { runDtype: dtype, arrays });
      expect([0, 1, 2].map(() => arrays.take(n)).some((a) => lent.includes(a))).toBe(false); // all three taken
      const S = randomSupport(truthW.m, truthW.m >> (2 * c.levels - 1), mulberry32(5), shape.length === 1 ? 0.1 : 0.02);
      const R = pooled.restrict(S);
      const F = rows.restrict(S);
      expect(Array.from(R.matrix.col)).toEqual(Array.from(F.matrix.col));
      expect(Array.from(R.matrix.val)).toEqual(Array.from(F.matrix.val));
      expect(R.perturbation).toBe(F.perturbation);
      rows.release(F);
    });

    it("takes a slab: the members whose first-axis band position lies in the first fraction of their band", () => {
      const rand = mulberry32(41);
      for (const fraction of [1 / 8, 1 / 3, 1]) {
        const S = randomSupport(truthW.m, truthW.m >> (2 * c.levels - 1), rand, 0.2);
        // one member at a time: its band, its position along the band's first axis
        const want = Array.from(S).filter((i) => {
          const band = [...W.bands].reverse().find((b) => b.offset <= i)!;
          const inner = band.shape.reduce((a, x) => a * x, 1) / band.shape[0];
          return Math.floor((i - band.offset) / inner) < Math.ceil(band.shape[0] * fraction);
        });
        expect(want.length).toBeGreaterThan(0);
        expect(Array.from(rows.slab(S, fraction))).toEqual(want);
      }
    });

    it("writes a released matrix's storage with the same matrix a fresh restriction gives, across overlapping supports", () => {
      // a chain of supports, each overlapping the last (some coefficients leave, some enter), the
      // largest in the middle (storage grows); each matrix is compared bit for bit with a fresh
      // restriction on a separate copy of the class rows that never reuses storage
      const fresh = ShiftClassRows.build(L, W, { runDtype: dtype });
      const rand = mulberry32(23);
      let S = randomSupport(truthW.m, truthW.m >> (2 * c.levels - 1), rand, shape.length === 1 ? 0.1 : 0.02);
      let reused = 0;
      let previous: ArrayBufferLike | null = null;
      for (let step = 0; step < 6; step++) {
        const R = rows.restrict(S);
        const F = fresh.restrict(S);
        expect(Array.from(R.matrix.rowPtr)).toEqual(Array.from(F.matrix.rowPtr));
        expect(Array.from(R.matrix.col)).toEqual(Array.from(F.matrix.col));
        expect(Array.from(R.matrix.val)).toEqual(Array.from(F.matrix.val));
        expect(Array.from(R.coordinates ?? [])).toEqual(Array.from(F.coordinates ?? []));
        if (step > 0 && R.matrix.val.buffer === previous) reused++;
        previous = R.matrix.val.buffer;
        rows.release(R);
        // next support: drop ~10% of S, add fresh coefficients (more in the first steps)
        const next = new Set<number>();
        for (const i of S) if (rand() > 0.1) next.add(i);
        for (let k = 0; k < (step < 3 ? 0.3 : 0.05) * S.length; k++) next.add(Math.floor(rand() * truthW.m));
        S = Int32Array.from([...next].sort((a, b) => a - b));
      }
      expect(reused).toBeGreaterThan(0);
    });

    it("drops entries below a tolerance and carries their mass into the perturbation", () => {
      const dropped = ShiftClassRows.build(L, W, { runDtype: dtype, dropTolerance: 1e-5 });
      expect(dropped.parts.dropped).toBeGreaterThan(0);
      expect(dropped.perturbation).toBeGreaterThan(rows.perturbation + dropped.parts.dropped * 0.999);
      // a support small enough for the dense Jacobi check (its cost grows as |S|³)
      const S = randomSupport(truthW.m, Math.min(160, truthW.m >> (2 * c.levels - 1)), mulberry32(11), shape.length === 1 ? 0.3 : 0.03);
      const R = dropped.restrict(S);
      expect(R.matrix.rowPtr[S.length]).toBeLessThan(rows.restrict(S).matrix.rowPtr[S.length]);
      const got = csrToDense(R.matrix);
      const want = denseRestricted(truthW, taps, shape, S);
      // ‖L_S − L̂_S‖₂ (dense eigenvalues of the difference) within the stated bound
      const diff = got.map((v, k) => v - want[k]);
      const ev = jacobiEigenvalues({ rows: S.length, cols: S.length, a: diff });
      expect(Math.max(-ev[0], ev[S.length - 1])).toBeLessThanOrEqual(R.perturbation);
    });

    it("reads every row in full when L's stencil is unknown (one probe per class), with the same entries", () => {
      const unknown: ShiftInvariantOperator = { shape: L.shape, apply: L.apply, bound: L.bound, radius: null };
      const full = ShiftClassRows.build(unknown, W, { runDtype: dtype });
      expect(full.applications).toBe(full.classes);
      const S = randomSupport(truthW.m, 16, mulberry32(5), 0.1);
      const a = csrToDense(full.restrict(S).matrix);
      const b = csrToDense(rows.restrict(S).matrix);
      for (let k = 0; k < a.length; k++) expect(Math.abs(a[k] - b[k])).toBeLessThan(1e-13);
    });
  });
});

describe("shift-class rows: every level on one lattice in 2D", () => {
  it("packs a 128 × 64 Haar × 2 in one probe, with the entries of one probe per class and of the dense L_S", () => {
    const shape = [128, 64];
    const taps = gaussianKernel2d(0.5, "float64");
    const L = convolutionGram(taps, { shape });
    const W = createTransform("haar", { shape, levels: 2, dtype: "float64" }) as unknown as PeriodisedWavelet;
    const rows = ShiftClassRows.build(L, W);
    expect(rows.applications).toBe(1);
    const full = ShiftClassRows.build({ shape: L.shape, apply: L.apply, bound: L.bound, radius: null }, W);
    expect(full.applications).toBe(full.classes);
    const truthW = plainDwt("haar", shape, 2, "float64");
    const S = randomSupport(truthW.m, 64, mulberry32(11), 0.004);
    const R = rows.restrict(S);
    const got = csrToDense(R.matrix);
    const other = csrToDense(full.restrict(S).matrix);
    const want = denseRestricted(truthW, taps, shape, S);
    for (let k = 0; k < got.length; k++) {
      expect(Math.abs(got[k] - other[k])).toBeLessThan(1e-13);
      expect(Math.abs(got[k] - want[k])).toBeLessThanOrEqual(R.rowPerturbation + 1e-14);
    }
  });
});

describe("shift-class rows: the probes' arrays as the restrictions' storage", () => {
  it("restricts into the lent arrays (no fresh memory), with the matrices of rows built without them, bit for bit", () => {
    const shape = [8192];
    const L = convolutionGram(gaussianKernel1d(1.5, "float64"), { shape });
    const W = createTransform("db4", { shape, levels: 3, dtype: "float64" }) as unknown as PeriodisedWavelet;
    const lent = [new Float64Array(8192).fill(Number.NaN), new Float64Array(8192).fill(-7), new Float64Array(8192).fill(Infinity)];
    const arrays = new ArrayPool();
    arrays.give(...lent);
    const pooled = ShiftClassRows.build(L, W, { arrays });
    expect(arrays.count(8192)).toBe(0); // the probes' three arrays, kept for the restrictions
    const plain = ShiftClassRows.build(L, W);
    const rand = mulberry32(31);
    for (let step = 0; step < 3; step++) {
      const S = randomSupport(8192, 1024 >> step, rand, 0.01 * (step + 1));
      const R = pooled.restrict(S);
      const F = plain.restrict(S);
      if (step === 0) {
        expect(lent.map((a) => a.buffer)).toContain(R.matrix.val.buffer);
        expect(lent.map((a) => a.buffer)).toContain(R.matrix.col.buffer);
      }
      expect(R.matrix.val.length).toBeGreaterThan(1000);
      expect(Array.from(R.matrix.rowPtr)).toEqual(Array.from(F.matrix.rowPtr));
      expect(Array.from(R.matrix.col)).toEqual(Array.from(F.matrix.col));
      expect(Array.from(R.matrix.val)).toEqual(Array.from(F.matrix.val));
      expect(Array.from(R.coordinates ?? [])).toEqual(Array.from(F.coordinates ?? []));
      pooled.release(R);
      plain.release(F);
    }
  });
});

describe("shift-class rows: bad input", () => {
  const W = createTransform("db2", { shape: [64], levels: 2, dtype: "float64" }) as unknown as PeriodisedWavelet;
  const L = convolutionGram(gaussianKernel1d(1, "float64"), { shape: [64] });

  it("names the transform, the found and expected values", () => {
    const W32 = createTransform("db2", { shape: [64], levels: 2, dtype: "float32" }) as unknown as PeriodisedWavelet;
    expect(() => ShiftClassRows.build(L, W32)).toThrow(/must be float64/);
    const L2 = convolutionGram(gaussianKernel1d(1, "float64"), { shape: [128] });
    expect(() => ShiftClassRows.build(L2, W)).toThrow(/operator shape \[128\] differs from db2\.shape \[64\]/);
    const rows = ShiftClassRows.build(L, W);
    expect(() => rows.restrict(Int32Array.from([3, 2]))).toThrow(/active\[1\] = 2; expected distinct ascending indices in \[0, 64\)/);
  });

  it("detects a transform whose atoms leave the supports the packing assumes", () => {
    // synthesis shifted by one sample: the atoms no longer sit where the periodised filter bank puts them
    const shifted: PeriodisedWavelet = {
      ...W,
      bands: W.bands,
      levels: W.levels,
      wavelet: W.wavelet,
      translationStride: (b) => W.translationStride(b),
      forward: (x, out) => W.forward(x, out),
      adjoint: (u, out) => {
        const x = W.adjoint(u);
        const y = out ?? new Float64Array(x.length);
        for (let i = 0; i < x.length; i++) y[(i + 5) % x.length] = x[i];
        return y;
      },
    };
    expect(() => ShiftClassRows.build(L, shifted)).toThrow(/outside the atom supports/);
  });
});
