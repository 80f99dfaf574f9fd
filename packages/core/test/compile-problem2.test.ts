// Reference problem 2 (docs/design.md §7): 2D wavelet-L1 deconvolution on 512×512, σ = 2 px circular
// Gaussian blur, db4, 4 levels. The compiled energy f(x) + g(x) must equal an independent plain-TS
// computation — direct circular convolution and PyWavelets' periodization formula in loops — to
// 1e-12 relative in float64.
import { describe, expect, it } from "vitest";
import { compileFlow } from "../src/compiler/compile.js";
import { gaussianKernel2d } from "../src/ops/gaussian.js";
import { defineFlow } from "../src/spec/define.js";
import { waveletFilters } from "../src/transforms/filters.js";
import { mulberry32, randn } from "@cflow/test-kit";

const N = 512;
const levels = 4;
const lambda = 2e-3;

/** y = k ⊛ x, circular, kernel centred at ⌊m/2⌋ (numpy.convolve 'same' convention). */
function circularConv2d(x: Float64Array, k: ArrayLike<number>, m: number): Float64Array {
  const y = new Float64Array(N * N);
  const c = Math.floor(m / 2);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let a = 0; a < m; a++) {
        const row = ((i - a + c) % N + N) % N;
        for (let b = 0; b < m; b++) s += k[a * m + b] * x[row * N + (((j - b + c) % N) + N) % N];
      }
      y[i * N + j] = s;
    }
  }
  return y;
}

/** One level of pywt's periodization analysis along a line: out[o] = Σ_j f[j]·in[(F/2 + 2o − j) mod n]. */
function analyse(line: number[], f: readonly number[]): number[] {
  const n = line.length;
  const F = f.length;
  const out: number[] = [];
  for (let o = 0; o < n / 2; o++) {
    let s = 0;
    for (let j = 0; j < F; j++) s += f[j] * line[(((F >> 1) + 2 * o - j) % n + n) % n];
    out.push(s);
  }
  return out;
}

/** Σ|detail coefficients| of pywt.wavedec2(x, 'db4', 'periodization', levels). */
function detailL1(x: Float64Array): number {
  const w = waveletFilters("db4");
  let a: number[][] = Array.from({ length: N }, (_, i) => Array.from(x.subarray(i * N, (i + 1) * N)));
  let total = 0;
  for (let l = 0; l < levels; l++) {
    const n = a.length;
    // along axis 1 (rows), then axis 0 (columns)
    const lo = a.map((r) => analyse(r, w.decLo));
    const hi = a.map((r) => analyse(r, w.decHi));
    const col = (m: number[][], j: number) => m.map((r) => r[j]);
    const next: number[][] = Array.from({ length: n / 2 }, () => new Array(n / 2).fill(0));
    for (let j = 0; j < n / 2; j++) {
      const ll = analyse(col(lo, j), w.decLo);
      const lh = analyse(col(lo, j), w.decHi);
      const hl = analyse(col(hi, j), w.decLo);
      const hh = analyse(col(hi, j), w.decHi);
      for (let i = 0; i < n / 2; i++) {
        next[i][j] = ll[i];
        total += Math.abs(lh[i]) + Math.abs(hl[i]) + Math.abs(hh[i]);
      }
    }
    a = next;
  }
  return total;
}

describe("reference problem 2 compiles to the right energy", () => {
  it("fValue + gValue at a random x equals the independent computation to 1e-12 (float64)", () => {
    const rand = mulberry32(7);
    const psf = gaussianKernel2d(2, "float64");
    const m = Math.round(Math.sqrt(psf.length));
    const truth = Float64Array.from({ length: N * N }, (_, i) => ((i >> 9) - 256) ** 2 + ((i & 511) - 256) ** 2 < 150 ** 2 ? 1 : 0);
    const y = circularConv2d(truth, psf, m).map((v) => v + 0.01 * randn(rand));
    const spec = defineFlow({
      name: "problem-2",
      dtype: "float64",
      state: { x: { shape: [N, N] } },
      data: { y, psf },
      ops: { K: { type: "conv2d", kernel: "psf", shape: [N, N], boundary: "circular" } },
      transforms: { W: { name: "db4", levels } },
      terms: [
        { kind: "data", atom: "leastSquares", op: "K", target: "y" },
        { kind: "regularizer", atom: "waveletL1", transform: "W", weight: lambda },
      ],
    });
    const { compiled, report } = compileFlow(spec);
    expect(report.frameType).toBe("unitary");
    expect(report.split).toEqual({ f: ["leastSquares#0"], g: ["waveletL1#1"] });
    expect(report.transformValidation[0].pass).toBe(true);
    // β = ‖K‖² = max|k̂|² = 1 for a normalised non-negative PSF
    expect(report.lipschitzMethod).toBe("analytic");
    expect(report.lipschitz).toBeCloseTo(1, 12);

    const x = Float64Array.from({ length: N * N }, () => randn(rand));
    const Kx = circularConv2d(x, psf, m);
    let f = 0;
    for (let i = 0; i < Kx.length; i++) f += 0.5 * (Kx[i] - y[i]) ** 2;
    const g = lambda * detailL1(x);
    const E = compiled.fValue(x) + compiled.gValue(x);
    expect(Math.abs(E - (f + g)) / (f + g)).toBeLessThan(1e-12);
    expect(Math.abs(compiled.fValue(x) - f) / f).toBeLessThan(1e-12);
    expect(Math.abs(compiled.gValue(x) - g) / g).toBeLessThan(1e-12);
    // the unit table holds each term's energy at the initial state (x0 = 0: f = ½‖y‖², g = 0)
    const yy = y.reduce((s, v) => s + v * v, 0);
    expect(report.unitNormalizationTable[0].energy).toBeCloseTo(0.5 * yy, 6);
    expect(report.unitNormalizationTable[1].energy).toBe(0);
    compiled.dispose();
  });
});
