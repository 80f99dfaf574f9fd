import { describe, expect, it } from "vitest";
import { DTYPES, type Dtype, type RealArray } from "../src/dtype.js";
import { ShapeError } from "../src/errors.js";
import type { WaveletName } from "../src/transforms/filters.js";
import { SwtTransform } from "../src/transforms/swt.js";
import { expectPywt, swtCases } from "./pywt-golden.js";
import { expectArrayNear, maxAbs, mulberry32, randomArray } from "@cflow/test-kit";

// As for the DWT: PyWavelets agreement to pywtTol; the filters are exact, so the frame identities
// (WᵀW = I, energy) hold to 1e-14 relative in float64.
const TOL = { float64: { frame: 1e-14 }, float32: { frame: 2e-6 } };

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function swt(name: WaveletName, shape: number[], levels: number, dtype: Dtype): SwtTransform {
  return new SwtTransform(name, { shape, levels, dtype });
}

describe.each(DTYPES)("stationary wavelet transform (%s)", (dtype) => {
  const tol = TOL[dtype];
  const rand = mulberry32(123);
  const arr = (v: number[]): RealArray => (dtype === "float64" ? Float64Array.from(v) : Float32Array.from(v));

  it("pywt/tests/test_swt.py test_swt_decomposition, rescaled by 2^(−ℓ/2) for norm=True", () => {
    // pywt.swt([3, 7, 1, 3, -2, 6, 4, 6], 'db1', level=3) prints the norm=False coefficients; with
    // norm=True every filter carries 1/√2, so level ℓ is scaled by 2^(−ℓ/2).
    const W = swt("haar", [8], 3, dtype);
    const u = W.forward(arr([3, 7, 1, 3, -2, 6, 4, 6]));
    const cA3 = new Array(8).fill(9.89949494);
    const cD3 = [0, -3.53553391, -4.24264069, -2.12132034, 0, 3.53553391, 4.24264069, 2.12132034];
    const cD2 = [3, 3.5, 0, -4.5, -3, 0.5, 0, 0.5];
    const cD1 = [-2.82842712, 4.24264069, -1.41421356, 3.53553391, -5.65685425, 1.41421356, -1.41421356, 2.12132034];
    const s = (l: number) => 2 ** (-l / 2);
    const expected = [...cA3.map((v) => v * s(3)), ...cD3.map((v) => v * s(3)), ...cD2.map((v) => v * s(2)), ...cD1.map((v) => v * s(1))];
    expectArrayNear(u, expected, 1e-7);
    W.dispose();
  });

  it.each(swtCases.map((c) => [`${c.wavelet} on [${c.shape}], ${c.levels} levels`, c] as const))(
    "equals pywt.swt / swt2(trim_approx=True, norm=True), test/golden/pywt-swt.json: %s",
    (_, c) => {
      const W = swt(c.wavelet, c.shape, c.levels, dtype);
      expectPywt(W, c);
      W.dispose();
    },
  );

  it.each([
    ["haar", [16], 3],
    ["db4", [16], 2],
    ["sym5", [8, 4], 2],
  ] as [WaveletName, number[], number][])("%s on %j, %i levels: the dense WᵀW equals c·I (c = 1)", (name, shape, L) => {
    // columns of W from unit vectors, then every entry of WᵀW
    const W = swt(name, shape, L, dtype);
    expect(W.frame).toBe("tight");
    expect(W.c).toBe(1);
    const n = W.size;
    const cols: RealArray[] = [];
    for (let j = 0; j < n; j++) {
      const e = arr(new Array(n).fill(0));
      e[j] = 1;
      cols.push(W.forward(e));
    }
    let worst = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let g = 0;
        for (let k = 0; k < W.coeffSize; k++) g += cols[i][k] * cols[j][k];
        worst = Math.max(worst, Math.abs(g - (i === j ? W.c : 0)));
      }
    }
    expect(worst).toBeLessThan(tol.frame);
    W.dispose();
  });

  it.each([
    ["db4", [1 << 9], 5],
    ["sym8", [32, 48], 3],
    ["haar", [40], 3],
  ] as [WaveletName, number[], number][])("%s on %j, %i levels: inverse = Wᵀ/c undoes W, energy ‖Wx‖² = c‖x‖², ⟨Wx, u⟩ = ⟨x, Wᵀu⟩", (name, shape, L) => {
    const W = swt(name, shape, L, dtype);
    const x = randomArray(dtype, W.size, rand);
    const u = W.forward(x);
    expectArrayNear(W.inverse(u), x, tol.frame * maxAbs(x));
    const nx = dot(x, x);
    const nu = dot(u, u);
    expect(Math.abs(nu - W.c * nx) / (W.c * nx)).toBeLessThan(tol.frame);
    const v = randomArray(dtype, W.coeffSize, rand);
    expect(Math.abs(dot(u, v) - dot(x, W.adjoint(v))) / Math.sqrt(nu * dot(v, v))).toBeLessThan(dtype === "float64" ? 1e-13 : 1e-6);
    // a redundant frame: coefficients outside the range of W are not reproduced (WWᵀ ≠ I)
    const back = W.forward(W.inverse(v));
    expect(maxAbs(Array.from(back, (b, i) => b - v[i]))).toBeGreaterThan(0.1);
    W.dispose();
  });

  it("bands: (L + 1) signal-sized bands in 1D, 3L + 1 in 2D, coarsest first", () => {
    const W1 = swt("db2", [16], 2, dtype);
    expect(W1.coeffSize).toBe(48);
    expect(W1.bands.map((b) => [b.level, b.orientation, b.offset])).toEqual([
      [0, "a", 0],
      [2, "d", 16],
      [1, "d", 32],
    ]);
    const W2 = swt("db2", [8, 4], 2, dtype);
    expect(W2.coeffSize).toBe(7 * 32);
    expect(W2.bands.map((b) => [b.level, b.orientation, b.offset, ...b.shape])).toEqual([
      [0, "a", 0, 8, 4],
      [2, "h", 32, 8, 4],
      [2, "v", 64, 8, 4],
      [2, "d", 96, 8, 4],
      [1, "h", 128, 8, 4],
      [1, "v", 160, 8, 4],
      [1, "d", 192, 8, 4],
    ]);
    expect(W2.name).toBe("swtDb2");
    W1.dispose();
    W2.dispose();
  });

  it("refuses levels the shape does not allow (pywt requires a multiple of 2^level)", () => {
    expect(() => swt("db2", [12], 3, dtype)).toThrow(ShapeError);
    expect(() => swt("db2", [12], 3, dtype)).toThrow(/largest level shape \[12\] allows is 2/);
  });
});
