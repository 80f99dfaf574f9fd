// Independent truth for the restricted-operator certificates: a plain-TypeScript periodised DWT
// (PyWavelets' periodization convention, the kernel's layout) and circular convolution in float64,
// from which the dense L_S = E_Sᵀ W KᵀK Wᵀ E_S is formed column by column — none of it shares code
// with the shift-class rows, the CSR assembly or the kernel.
import { type Dtype, waveletFilters } from "@cflow/core";

/** One analysis pass along a stride-`step` line of length n: a_k = Σ_m lo[F−1−m] x[(2k + m − o) mod n]. */
function analyse(x: Float64Array, start: number, step: number, n: number, lo: number[], hi: number[], a: Float64Array, d: Float64Array, outStart: number, outStep: number): void {
  const F = lo.length;
  const off = F / 2 - 1;
  for (let k = 0; k < n / 2; k++) {
    let sa = 0;
    let sd = 0;
    for (let m = 0; m < F; m++) {
      const v = x[start + step * ((((2 * k + m - off) % n) + n) % n)];
      sa += lo[F - 1 - m] * v;
      sd += hi[F - 1 - m] * v;
    }
    a[outStart + outStep * k] = sa;
    d[outStart + outStep * k] = sd;
  }
}

/** The transpose of `analyse`: x[(2k + m − o) mod n] += lo[F−1−m] a_k + hi[F−1−m] d_k. */
function synthesise(a: Float64Array, d: Float64Array, inStart: number, inStep: number, n: number, lo: number[], hi: number[], x: Float64Array, start: number, step: number): void {
  const F = lo.length;
  const off = F / 2 - 1;
  for (let i = 0; i < n; i++) x[start + step * i] = 0;
  for (let k = 0; k < n / 2; k++) {
    const ak = a[inStart + inStep * k];
    const dk = d[inStart + inStep * k];
    for (let m = 0; m < F; m++) x[start + step * ((((2 * k + m - off) % n) + n) % n)] += lo[F - 1 - m] * ak + hi[F - 1 - m] * dk;
  }
}

export interface PlainDwt {
  m: number;
  forward(x: Float64Array): Float64Array;
  adjoint(u: Float64Array): Float64Array;
}

/** The periodised DWT of `wavelet` (taps rounded to float32 when dtype is float32), 1D or 2D, core's coefficient layout. */
export function plainDwt(wavelet: string, shape: number[], levels: number, dtype: Dtype): PlainDwt {
  const f = waveletFilters(wavelet);
  const r = (v: number) => (dtype === "float32" ? Math.fround(v) : v);
  const lo = f.decLo.map(r);
  const hi = f.decHi.map(r);
  const m = shape.reduce((a, b) => a * b, 1);
  if (shape.length === 1) {
    return {
      m,
      forward(x) {
        const out = new Float64Array(m);
        let cur = Float64Array.from(x);
        let len = m;
        for (let l = 1; l <= levels; l++) {
          const a = new Float64Array(len / 2);
          const d = new Float64Array(len / 2);
          analyse(cur, 0, 1, len, lo, hi, a, d, 0, 1);
          out.set(d, len / 2);
          cur = a;
          len /= 2;
        }
        out.set(cur, 0);
        return out;
      },
      adjoint(u) {
        let len = m / 2 ** levels;
        let cur = Float64Array.from(u.subarray(0, len));
        for (let l = levels; l >= 1; l--) {
          const x = new Float64Array(2 * len);
          synthesise(cur, u.subarray(len, 2 * len) as Float64Array, 0, 1, 2 * len, lo, hi, x, 0, 1);
          cur = x;
          len *= 2;
        }
        return cur;
      },
    };
  }
  const [H, Wd] = shape;
  return {
    m,
    forward(x) {
      const out = new Float64Array(m);
      let cur = Float64Array.from(x);
      let h = H;
      let w = Wd;
      for (let l = 1; l <= levels; l++) {
        // rows (axis 1) into lo | hi (each h × w/2), then columns of each half
        const L = new Float64Array(h * (w / 2));
        const Hh = new Float64Array(h * (w / 2));
        for (let i = 0; i < h; i++) analyse(cur, i * w, 1, w, lo, hi, L, Hh, i * (w / 2), 1);
        const s = (h / 2) * (w / 2);
        const aa = new Float64Array(s);
        const da = new Float64Array(s);
        const ad = new Float64Array(s);
        const dd = new Float64Array(s);
        for (let c = 0; c < w / 2; c++) {
          analyse(L, c, w / 2, h, lo, hi, aa, da, c, w / 2);
          analyse(Hh, c, w / 2, h, lo, hi, ad, dd, c, w / 2);
        }
        out.set(da, s);
        out.set(ad, 2 * s);
        out.set(dd, 3 * s);
        cur = aa;
        h /= 2;
        w /= 2;
      }
      out.set(cur, 0);
      return out;
    },
    adjoint(u) {
      let h = H / 2 ** levels;
      let w = Wd / 2 ** levels;
      let cur = Float64Array.from(u.subarray(0, h * w));
      for (let l = levels; l >= 1; l--) {
        const s = h * w;
        const L = new Float64Array(2 * h * w);
        const Hh = new Float64Array(2 * h * w);
        for (let c = 0; c < w; c++) {
          synthesise(cur, u.subarray(s, 2 * s) as Float64Array, c, w, 2 * h, lo, hi, L, c, w);
          synthesise(u.subarray(2 * s, 3 * s) as Float64Array, u.subarray(3 * s, 4 * s) as Float64Array, c, w, 2 * h, lo, hi, Hh, c, w);
        }
        const x = new Float64Array(4 * s);
        for (let i = 0; i < 2 * h; i++) synthesise(L, Hh, i * w, 1, 2 * w, lo, hi, x, i * 2 * w, 1);
        cur = x;
        h *= 2;
        w *= 2;
      }
      return cur;
    },
  };
}

/** y = K x for the circular convolution with taps centred at ⌊m/2⌋ (1D) or (⌊mh/2⌋, ⌊mw/2⌋) (2D, square kernel); `adjoint` correlates. */
export function plainConv(taps: ArrayLike<number>, shape: number[], adjoint: boolean, x: Float64Array): Float64Array {
  const y = new Float64Array(x.length);
  if (shape.length === 1) {
    const n = shape[0];
    const M = taps.length;
    const c = M >> 1;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < M; j++) s += taps[j] * x[(((adjoint ? i + j - c : i - j + c) % n) + n) % n];
      y[i] = s;
    }
    return y;
  }
  const [H, Wd] = shape;
  const M = Math.round(Math.sqrt(taps.length));
  const c = M >> 1;
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < Wd; j++) {
      let s = 0;
      for (let a = 0; a < M; a++) {
        for (let b = 0; b < M; b++) {
          const ii = adjoint ? i + a - c : i - a + c;
          const jj = adjoint ? j + b - c : j - b + c;
          s += taps[a * M + b] * x[(((ii % H) + H) % H) * Wd + (((jj % Wd) + Wd) % Wd)];
        }
      }
      y[i * Wd + j] = s;
    }
  }
  return y;
}

/** Dense L_S (row-major |S|²) of W KᵀK Wᵀ on the active set, symmetrised (its asymmetry is rounding). */
export function denseRestricted(W: PlainDwt, taps: ArrayLike<number>, shape: number[], S: ArrayLike<number>): Float64Array {
  const s = S.length;
  const a = new Float64Array(s * s);
  for (let q = 0; q < s; q++) {
    const e = new Float64Array(W.m);
    e[S[q]] = 1;
    const col = W.forward(plainConv(taps, shape, true, plainConv(taps, shape, false, W.adjoint(e))));
    for (let p = 0; p < s; p++) a[p * s + q] = col[S[p]];
  }
  for (let p = 0; p < s; p++) for (let q = 0; q < p; q++) a[p * s + q] = a[q * s + p] = (a[p * s + q] + a[q * s + p]) / 2;
  return a;
}
