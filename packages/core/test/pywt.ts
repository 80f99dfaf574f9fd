// PyWavelets' periodization formulas as dense matrices, written from its C source independently
// of cflow's kernels (which use a re-derived correlation form), plus the multilevel drivers of
// pywt/_multilevel.py, pywt/_multidim.py and pywt/_swt.py. Matrices are row-major number[][].
//
// pywt/_extensions/c/convolution.template.c, downsampling_convolution_periodization (step 2, even
// N, so no padding): output[o] = Σ_j filter[j]·input[(i − j) mod N] with i = F/2 + 2o.
// upsampling_convolution_valid_sf_periodization (output length 2N): for each input position i
// (mod N), with start = ⌊F/4⌋ and shift = 1 if F/2 is even else 0, o = 2(i − start) + shift:
//   output[o mod 2N]     += Σ_{j<F/2} filter[2j]   · input[(i − j) mod N]
//   output[(o+1) mod 2N] += Σ_{j<F/2} filter[2j+1] · input[(i − j) mod N]
// pywt/_extensions/c/wt.template.c, swt_ at level ℓ: the filter upsampled by 2^(ℓ−1) (length
// F·2^(ℓ−1)), then the periodization convolution with step 1: output[o] = Σ_t e[t]·input[(o + Fe/2 − t) mod N].
import type { WaveletFilters } from "../src/transforms/filters.js";

type Mat = number[][];
const mod = (i: number, n: number): number => ((i % n) + n) % n;

function zeros(r: number, c: number): Mat {
  return Array.from({ length: r }, () => new Array<number>(c).fill(0));
}

export function analysisMatrix(filter: readonly number[], N: number): Mat {
  const F = filter.length;
  const M = zeros(N / 2, N);
  for (let o = 0; o < N / 2; o++) {
    const i = Math.floor(F / 2) + 2 * o;
    for (let j = 0; j < F; j++) M[o][mod(i - j, N)] += filter[j];
  }
  return M;
}

export function synthesisMatrix(filter: readonly number[], N: number): Mat {
  const F = filter.length;
  const start = Math.floor(F / 4);
  const shift = (F / 2) % 2 === 0 ? 1 : 0;
  const M = zeros(2 * N, N);
  for (let i = 0; i < N; i++) {
    const o = 2 * (i - start) + shift;
    for (let j = 0; j < F / 2; j++) {
      M[mod(o, 2 * N)][mod(i - j, N)] += filter[2 * j];
      M[mod(o + 1, 2 * N)][mod(i - j, N)] += filter[2 * j + 1];
    }
  }
  return M;
}

export function swtMatrix(filter: readonly number[], N: number, level: number): Mat {
  const step = 2 ** (level - 1);
  const e = new Array<number>(filter.length * step).fill(0);
  filter.forEach((v, i) => (e[i * step] = v));
  const Fe = e.length;
  const M = zeros(N, N);
  for (let o = 0; o < N; o++) for (let t = 0; t < Fe; t++) M[o][mod(o + Math.floor(Fe / 2) - t, N)] += e[t];
  return M;
}

export function matvec(M: Mat, x: ArrayLike<number>): number[] {
  return M.map((row) => row.reduce((s, v, j) => s + v * x[j], 0));
}

export function transpose(M: Mat): Mat {
  return M[0].map((_, j) => M.map((row) => row[j]));
}

export function matmul(A: Mat, B: Mat): Mat {
  return A.map((row) => B[0].map((_, j) => row.reduce((s, v, k) => s + v * B[k][j], 0)));
}

/** pywt.dwt(x, w, 'periodization') */
export function dwt(x: ArrayLike<number>, w: WaveletFilters): [number[], number[]] {
  return [matvec(analysisMatrix(w.decLo, x.length), x), matvec(analysisMatrix(w.decHi, x.length), x)];
}

/** pywt.idwt(cA, cD, w, 'periodization') */
export function idwt(a: ArrayLike<number>, d: ArrayLike<number>, w: WaveletFilters): number[] {
  const ya = matvec(synthesisMatrix(w.recLo, a.length), a);
  const yd = matvec(synthesisMatrix(w.recHi, d.length), d);
  return ya.map((v, i) => v + yd[i]);
}

/** pywt.wavedec(x, w, 'periodization', level) flattened: [cA_L, cD_L, …, cD_1]. */
export function wavedec(x: ArrayLike<number>, w: WaveletFilters, level: number): number[] {
  const details: number[][] = [];
  let a = Array.from(x);
  for (let l = 0; l < level; l++) {
    const [ca, cd] = dwt(a, w);
    details.push(cd);
    a = ca;
  }
  return [a, ...details.reverse()].flat();
}

/** pywt.waverec(coeffs, w, 'periodization') from the flattened layout. */
export function waverec(u: ArrayLike<number>, w: WaveletFilters, N: number, level: number): number[] {
  let len = N / 2 ** level;
  let a = Array.from(u).slice(0, len);
  for (let l = level; l >= 1; l--) {
    a = idwt(a, Array.from(u).slice(len, 2 * len), w);
    len *= 2;
  }
  return a;
}

/** A row-major 2D array. */
export interface Grid {
  rows: number;
  cols: number;
  data: number[];
}

/** Applies a 1D map to every line along `axis` (0: columns, 1: rows) — pywt's dwt_axis / idwt_axis. */
function alongAxis(g: Grid, axis: 0 | 1, f: (line: number[]) => number[]): Grid {
  if (axis === 1) {
    const lines = Array.from({ length: g.rows }, (_, r) => f(g.data.slice(r * g.cols, (r + 1) * g.cols)));
    return { rows: g.rows, cols: lines[0].length, data: lines.flat() };
  }
  const lines = Array.from({ length: g.cols }, (_, c) => f(Array.from({ length: g.rows }, (_, r) => g.data[r * g.cols + c])));
  const rows = lines[0].length;
  const data = new Array<number>(rows * g.cols);
  lines.forEach((line, c) => line.forEach((v, r) => (data[r * g.cols + c] = v)));
  return { rows, cols: g.cols, data };
}

/** pywt.dwtn over axes (0, 1): keys 'aa', 'ad', 'da', 'dd' (first letter: axis 0). */
export function dwtn(g: Grid, w: WaveletFilters): Record<string, Grid> {
  let coeffs: [string, Grid][] = [["", g]];
  for (const axis of [0, 1] as const) {
    const next: [string, Grid][] = [];
    for (const [key, x] of coeffs) {
      next.push([`${key}a`, alongAxis(x, axis, (l) => dwt(l, w)[0])], [`${key}d`, alongAxis(x, axis, (l) => dwt(l, w)[1])]);
    }
    coeffs = next;
  }
  return Object.fromEntries(coeffs);
}

/** pywt.wavedec2(x, w, 'periodization', level) flattened: cA_L, then (cH, cV, cD) = ('da', 'ad', 'dd') per level, coarsest first. */
export function wavedec2(g: Grid, w: WaveletFilters, level: number): number[] {
  const details: number[][] = [];
  let a = g;
  for (let l = 0; l < level; l++) {
    const c = dwtn(a, w);
    details.push([...c.da.data, ...c.ad.data, ...c.dd.data]);
    a = c.aa;
  }
  return [a.data, ...details.reverse()].flat();
}

/** pywt.idwtn over axes (0, 1), undoing axis 1 first then axis 0 (as pywt iterates reversed axes). */
export function idwtn(c: Record<string, Grid>, w: WaveletFilters): Grid {
  const pairAxis1 = (a: Grid, d: Grid): Grid => {
    const rows = Array.from({ length: a.rows }, (_, r) => idwt(a.data.slice(r * a.cols, (r + 1) * a.cols), d.data.slice(r * d.cols, (r + 1) * d.cols), w));
    return { rows: a.rows, cols: rows[0].length, data: rows.flat() };
  };
  const lo = pairAxis1(c.aa, c.ad);
  const hi = pairAxis1(c.da, c.dd);
  // axis 0: column by column
  const cols = Array.from({ length: lo.cols }, (_, j) =>
    idwt(
      Array.from({ length: lo.rows }, (_, r) => lo.data[r * lo.cols + j]),
      Array.from({ length: hi.rows }, (_, r) => hi.data[r * hi.cols + j]),
      w,
    ),
  );
  const rows = cols[0].length;
  const data = new Array<number>(rows * lo.cols);
  cols.forEach((col, j) => col.forEach((v, r) => (data[r * lo.cols + j] = v)));
  return { rows, cols: lo.cols, data };
}

/** pywt.waverec2 from the flattened layout. */
export function waverec2(u: ArrayLike<number>, w: WaveletFilters, shape: [number, number], level: number): Grid {
  let h = shape[0] / 2 ** level;
  let wd = shape[1] / 2 ** level;
  const arr = Array.from(u);
  let a: Grid = { rows: h, cols: wd, data: arr.slice(0, h * wd) };
  for (let l = level; l >= 1; l--) {
    const s = h * wd;
    const band = (k: number): Grid => ({ rows: h, cols: wd, data: arr.slice(k * s, (k + 1) * s) });
    a = idwtn({ aa: a, da: band(1), ad: band(2), dd: band(3) }, w);
    h *= 2;
    wd *= 2;
  }
  return a;
}

/** pywt.swt(x, w, level, trim_approx=True, norm=…) flattened: [cA_L, cD_L, …, cD_1]. */
export function swt(x: ArrayLike<number>, w: WaveletFilters, level: number, norm: boolean): number[] {
  const s = norm ? Math.SQRT1_2 : 1;
  const lo = w.decLo.map((v) => v * s);
  const hi = w.decHi.map((v) => v * s);
  const details: number[][] = [];
  let a = Array.from(x);
  for (let l = 1; l <= level; l++) {
    details.push(matvec(swtMatrix(hi, a.length, l), a));
    a = matvec(swtMatrix(lo, a.length, l), a);
  }
  return [a, ...details.reverse()].flat();
}

/** pywt.swt2(x, w, level, trim_approx=True, norm=True) flattened: cA_L, then (cH, cV, cD) per level, coarsest first. */
export function swt2(g: Grid, w: WaveletFilters, level: number): number[] {
  const lo = w.decLo.map((v) => v * Math.SQRT1_2);
  const hi = w.decHi.map((v) => v * Math.SQRT1_2);
  const details: number[][] = [];
  let a = g;
  for (let l = 1; l <= level; l++) {
    const split = (x: Grid, axis: 0 | 1): [Grid, Grid] => [
      alongAxis(x, axis, (line) => matvec(swtMatrix(lo, line.length, l), line)),
      alongAxis(x, axis, (line) => matvec(swtMatrix(hi, line.length, l), line)),
    ];
    const [xa, xd] = split(a, 0);
    const [aa, ad] = split(xa, 1);
    const [da, dd] = split(xd, 1);
    details.push([...da.data, ...ad.data, ...dd.data]);
    a = aa;
  }
  return [a.data, ...details.reverse()].flat();
}
