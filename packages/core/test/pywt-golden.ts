// PyWavelets' outputs and the exact filter table, read from the golden files that
// scripts/gen-wavelet-golden.py writes under test/golden/ (so the tests need no Python).
import { readFileSync } from "node:fs";
import type { Dtype } from "../src/dtype.js";
import type { WaveletName } from "../src/transforms/filters.js";
import type { Band, TransformOp } from "../src/transforms/transform.js";
import { expectArrayClose, expectArrayNear, maxAbs } from "@cflow/test-kit";

interface Golden<T> {
  generator: string;
  pywt: string;
  cases: T;
}

/** One wavelet's dec_lo: PyWavelets' table and the exact filter rounded to float64. */
export interface FilterGolden {
  pywt: number[];
  exact: number[];
}

/**
 * One transform of a fixed integer input `x` (row-major for 2D) and pywt's output list:
 *   1D  [cA_L, cD_L, …, cD_1]
 *   2D  [cA_L, [cH_L, cV_L, cD_L], …, [cH_1, cV_1, cD_1]], each band row-major
 */
export interface TransformCase {
  wavelet: WaveletName;
  shape: number[];
  levels: number;
  x: number[];
  coeffs: (number[] | number[][])[];
}

function read<T>(file: string): T {
  return JSON.parse(readFileSync(new URL(`./golden/${file}`, import.meta.url), "utf8")) as T;
}

const filters = read<{ pywt: string; wavelets: Record<WaveletName, FilterGolden> }>("wavelet-filters.json");

/** PyWavelets' version the files were made with. */
export const PYWT_VERSION = filters.pywt;
export const goldenFilters: Readonly<Record<WaveletName, FilterGolden>> = filters.wavelets;
/** pywt.wavedec / wavedec2(x, w, mode='periodization', level=L). */
export const wavedecCases: readonly TransformCase[] = read<Golden<TransformCase[]>>("pywt-wavedec.json").cases;
/** pywt.swt / swt2(x, w, level=L, trim_approx=True, norm=True). */
export const swtCases: readonly TransformCase[] = read<Golden<TransformCase[]>>("pywt-swt.json").cases;

/**
 * `W` (built for case `c`) reproduces pywt: its forward of the input equals pywt's list placed at
 * the offsets of `W.bands` (so values and layout are checked together), and its inverse of pywt's
 * coefficients is the input (pywt's inverse undoes its forward).
 */
export function expectPywt(W: TransformOp, c: TransformCase): void {
  const tol = pywtTol(W.dtype, c.wavelet);
  const expected = goldenCoeffs(c, W.bands, W.coeffSize);
  const x = asDtype(W.dtype, c.x);
  expectArrayClose(W.forward(x), expected, tol);
  expectArrayNear(W.inverse(asDtype(W.dtype, expected)), x, tol * maxAbs(expected));
}

/** The band of pywt's output list that a cflow band (level 0: the approximation) describes. */
function goldenBand(c: TransformCase, band: Band): number[] {
  if (band.level === 0) return c.coeffs[0] as number[];
  const entry = c.coeffs[c.levels - band.level + 1];
  if (c.shape.length === 1) return entry as number[];
  return (entry as number[][])["hvd".indexOf(band.orientation)];
}

/** pywt's coefficients placed at the offsets of `bands`: cflow's flattened layout, built from pywt's list. */
function goldenCoeffs(c: TransformCase, bands: readonly Band[], size: number): Float64Array {
  const out = new Float64Array(size).fill(Number.NaN);
  for (const b of bands) out.set(goldenBand(c, b), b.offset);
  return out;
}

/** An array of the dtype (the inputs are integers, exact in both). */
function asDtype(dtype: Dtype, v: ArrayLike<number>): Float64Array | Float32Array {
  return dtype === "float64" ? Float64Array.from(v) : Float32Array.from(v);
}

/**
 * How closely cflow can match pywt's coefficients, relative to their largest magnitude. float64:
 * rounding for Haar and dbN (same filters bit for bit); for symN pywt's own table is ~2e-12 off the
 * exact filters cflow holds (src/transforms/filters.ts), which moves coefficients by up to ~6e-12.
 * float32: the filters and every sum rounded to float32.
 */
export function pywtTol(dtype: Dtype, wavelet: WaveletName): number {
  if (dtype === "float32") return 2e-6;
  return wavelet.startsWith("sym") ? 1e-11 : 1e-12;
}
