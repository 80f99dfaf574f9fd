import { describe, expect, it } from "vitest";
import { DTYPES, type Dtype, type RealArray } from "../src/dtype.js";
import { CflowError, DtypeError, ShapeError } from "../src/errors.js";
import { PlanBuilder } from "../src/kernel/plan.js";
import { DwtTransform } from "../src/transforms/dwt.js";
import { WAVELET_NAMES, type WaveletName } from "../src/transforms/filters.js";
import { expectPywt, pywtTol, wavedecCases } from "./pywt-golden.js";
import { expectArrayNear, maxAbs, mulberry32, randomArray } from "@cflow/test-kit";

// PyWavelets agreement: see pywtTol (1e-12 relative in float64, 1e-11 for the symlets, whose
// pywt table is ~2e-12 off). The filters are exact, so W is orthogonal to rounding: perfect
// reconstruction and energy to 1e-14 relative in float64.
const TOL = { float64: { ortho: 1e-14 }, float32: { ortho: 2e-6 } };

function dwt(name: WaveletName, shape: number[], levels: number | undefined, dtype: Dtype): DwtTransform {
  return new DwtTransform(name, { shape, levels, dtype });
}

function norm(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

describe.each(DTYPES)("orthogonal periodised DWT (%s)", (dtype) => {
  const tol = TOL[dtype];
  const rand = mulberry32(99);
  const arr = (v: number[]): RealArray => (dtype === "float64" ? Float64Array.from(v) : Float32Array.from(v));

  describe("equals PyWavelets' wavedec / wavedec2 (mode='periodization'): test/golden/pywt-wavedec.json", () => {
    it.each(wavedecCases.map((c) => [`${c.wavelet} on [${c.shape}], ${c.levels} levels`, c] as const))("%s", (_, c) => {
      const W = dwt(c.wavelet, c.shape, c.levels, dtype);
      expectPywt(W, c);
      W.dispose();
    });

    it("covers every wavelet in 1D and six in 2D, with filters longer than the coarsest level", () => {
      expect(new Set(wavedecCases.filter((c) => c.shape.length === 1).map((c) => c.wavelet)).size).toBe(WAVELET_NAMES.length);
      expect(wavedecCases.filter((c) => c.shape.length === 2).length).toBe(6);
      expect(wavedecCases.some((c) => c.wavelet === "db8" && c.shape[0] / 2 ** (c.levels - 1) < 16)).toBe(true);
    });
  });

  describe("printed PyWavelets examples", () => {
    it("pywt/tests/test_modes.py test_dwt_idwt_allmodes: dwt([1, 2, 1, 5, -1, 8, 4, 6], 'db2', 'periodization')", () => {
      const W = dwt("db2", [8], 1, dtype);
      const u = W.forward(arr([1, 2, 1, 5, -1, 8, 4, 6]));
      // printed to 8 significant digits
      expectArrayNear(u, [4.053172, 3.05257099, 2.85381112, 8.42522221, 0.18946869, 4.18258152, 4.33737503, 2.60428326], 1e-6);
      W.dispose();
    });

    it("pywt/tests/test_multilevel.py test_wavedec: wavedec([3, 7, 1, 1, -2, 5, 4, 6], 'db1') (Haar never reaches the boundary)", () => {
      const W = dwt("haar", [8], 3, dtype);
      const u = W.forward(arr([3, 7, 1, 1, -2, 5, 4, 6]));
      expectArrayNear(u, [8.83883476, -0.35355339, 4, -3.5, -2.82842712, 0, -4.94974747, -1.41421356], 1e-6);
      W.dispose();
    });

    it("pywt dwt2 docstring: dwt2(ones((4, 4)), 'haar') has cA = 2 and zero details", () => {
      const W = dwt("haar", [4, 4], 1, dtype);
      expectArrayNear(W.forward(arr(new Array(16).fill(1))), [2, 2, 2, 2, ...new Array(12).fill(0)], pywtTol(dtype, "haar") * 8);
      W.dispose();
    });
  });

  describe("hand-computed Haar cases", () => {
    const r = Math.SQRT1_2;

    it("1D [1, 2, 3, 4], 2 levels: [5, −2, −1/√2, −1/√2]", () => {
      const W = dwt("haar", [4], 2, dtype);
      expectArrayNear(W.forward(arr([1, 2, 3, 4])), [5, -2, -r, -r], pywtTol(dtype, "haar") * 8);
      W.dispose();
    });

    it("2D [[1, 2], [3, 4]]: cA = 5, cH = ((1+2) − (3+4))/2 = −2, cV = ((1+3) − (2+4))/2 = −1, cD = 0", () => {
      const W = dwt("haar", [2, 2], 1, dtype);
      expectArrayNear(W.forward(arr([1, 2, 3, 4])), [5, -2, -1, 0], pywtTol(dtype, "haar") * 8);
      W.dispose();
    });

    it("a horizontal edge shows in the horizontal band cH, a vertical edge in cV", () => {
      // rows 0–1 are 0, rows 2–3 are 1: level 1 sees constant 2×2 blocks; level 2 sees the edge along axis 0
      const W = dwt("haar", [4, 4], 2, dtype);
      const horizontal = W.forward(arr([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]));
      expectArrayNear(horizontal, [2, -2, 0, 0, ...new Array(12).fill(0)], pywtTol(dtype, "haar") * 8);
      const vertical = W.forward(arr([0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1]));
      expectArrayNear(vertical, [2, 0, -2, 0, ...new Array(12).fill(0)], pywtTol(dtype, "haar") * 8);
      W.dispose();
    });
  });

  describe.each([
    [[1 << 10], 6],
    [[96], 5],
    [[64, 32], 4],
    [[24, 40], 3],
  ] as [number[], number][])("unitary on shape %j, %i levels", (shape, L) => {
    it.each(["haar", "db3", "db4", "sym8"] as WaveletName[])("%s: W⁻¹W = I, ‖Wx‖ = ‖x‖, ⟨Wx, u⟩ = ⟨x, Wᵀu⟩", (name) => {
      const W = dwt(name, shape, L, dtype);
      const x = randomArray(dtype, W.size, rand);
      const u = W.forward(x);
      expectArrayNear(W.inverse(u), x, tol.ortho * maxAbs(x));
      expect(Math.abs(norm(u) - norm(x)) / norm(x)).toBeLessThan(tol.ortho);
      const v = randomArray(dtype, W.coeffSize, rand);
      const lhs = dot(u, v);
      const rhs = dot(x, W.adjoint(v));
      expect(Math.abs(lhs - rhs) / (norm(u) * norm(v))).toBeLessThan(dtype === "float64" ? 1e-13 : 1e-6);
      W.dispose();
    });
  });

  it("bands: approximation first, details coarsest to finest, tiling the coefficient array", () => {
    const W1 = dwt("db4", [64], 3, dtype);
    expect(W1.bands).toEqual([
      { level: 0, orientation: "a", offset: 0, shape: [8] },
      { level: 3, orientation: "d", offset: 8, shape: [8] },
      { level: 2, orientation: "d", offset: 16, shape: [16] },
      { level: 1, orientation: "d", offset: 32, shape: [32] },
    ]);
    const W2 = dwt("db4", [16, 32], 2, dtype);
    expect(W2.bands.map((b) => [b.level, b.orientation, b.offset, ...b.shape])).toEqual([
      [0, "a", 0, 4, 8],
      [2, "h", 32, 4, 8],
      [2, "v", 64, 4, 8],
      [2, "d", 96, 4, 8],
      [1, "h", 128, 8, 16],
      [1, "v", 256, 8, 16],
      [1, "d", 384, 8, 16],
    ]);
    // (the golden cases above place each pywt array at its band's offset, so they check the values per band)
    W1.dispose();
    W2.dispose();
  });

  it("the forward and inverse emitted into one plan run as one kernel call", () => {
    const W = dwt("db4", [32, 32], 3, dtype);
    const x = W.kernel.from(randomArray(dtype, W.size, rand));
    const u = W.kernel.alloc(W.coeffSize);
    const y = W.kernel.alloc(W.size);
    const p = new PlanBuilder(W.kernel);
    W.emitForward(p, x, u);
    W.emitInverse(p, u, y);
    const prog = p.build();
    expect(prog.kernelCalls).toBe(1);
    prog.run();
    expectArrayNear(y.view, x.view, tol.ortho * maxAbs(x.view));
    prog.dispose();
    for (const b of [x, u, y]) b.free();
    W.dispose();
  });

  it("defaults to PyWavelets' dwt_max_level, capped by divisibility", () => {
    // dwt_max_level(1024, 8) = floor(log2(1024 / 7)) = 7
    expect(dwt("db4", [1024], undefined, dtype).levels).toBe(7);
    // 96 = 2^5 · 3, dwt_max_level(96, 2) = 6 → 5
    expect(dwt("haar", [96], undefined, dtype).levels).toBe(5);
    expect(dwt("db2", [64, 16], undefined, dtype).levels).toBe(2);
  });

  it("refuses levels the shape does not allow, naming the shape, the levels and the largest allowed level", () => {
    const err = (() => {
      try {
        dwt("db4", [24], 4, dtype);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ShapeError);
    expect((err as Error).message).toMatch(/\[24\]/);
    expect((err as Error).message).toMatch(/levels = 4/);
    expect((err as Error).message).toMatch(/largest level shape \[24\] allows is 3/);
    expect(() => dwt("db4", [64, 48], 5, dtype)).toThrow(/largest level shape \[64, 48\] allows is 4/);
    expect(() => dwt("db4", [15], 1, dtype)).toThrow(ShapeError);
    expect(() => dwt("db4", [2, 2, 2], 1, dtype)).toThrow(/\[n\] or \[rows, cols\]/);
    expect(() => dwt("db4", [16], 0, dtype)).toThrow(CflowError);
  });

  it("refuses arrays of the other dtype and of the wrong length", () => {
    const W = dwt("db2", [16], 2, dtype);
    const other = dtype === "float64" ? new Float32Array(16) : new Float64Array(16);
    expect(() => W.forward(other)).toThrow(DtypeError);
    expect(() => W.forward(randomArray(dtype, 15, rand))).toThrow(ShapeError);
    expect(() => W.inverse(randomArray(dtype, 17, rand))).toThrow(ShapeError);
    W.dispose();
  });
});
