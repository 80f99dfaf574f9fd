// One level of the stationary (undecimated, "à trous") wavelet transform with periodic extension,
// and its adjoint, along rows or along columns (row combinations, vectorised across columns).
//
// `filt` is a Real filter bank [dec_lo | dec_hi | rec_lo | rec_hi] of F taps (the caller scales it,
// e.g. by 1/√2 for the energy-preserving normalisation); `dil` = 2^(level−1) spaces the taps. The
// alignment is PyWavelets' swt (pywt/_extensions/c/wt.template.c: the filter upsampled by `dil`,
// then convolution.template.c's periodization convolution with step 1), as a correlation:
//   a[o] = Σ_m dec_lo[F−1−m] · x[(o + dil·(m − off)) mod n],   off = F/2 − 1   (d: dec_hi)
// The adjoint scatters back with the same taps: x[p] = Σ_m dec_lo[F−1−m]·a[(p − dil·(m − off)) mod n] + ….
import { at, ld, st, vld, vst } from "./common/real";
import { madd, tap, vzero, wrap } from "./common/lanes";

export function swtRows(rows: i32, n: i32, dil: i32, x: usize, filt: usize, flen: i32, a: usize, d: usize): void {
  for (let r = 0; r < rows; r++) swtRow(n, dil, at(x, r * n), filt, flen, at(a, r * n), at(d, r * n));
}

export function swtRowsAdjoint(rows: i32, n: i32, dil: i32, a: usize, d: usize, filt: usize, flen: i32, x: usize): void {
  for (let r = 0; r < rows; r++) swtRowAdjoint(n, dil, at(a, r * n), at(d, r * n), filt, flen, at(x, r * n));
}

/** Analysis along columns of the rows × cols array at x; a and d are rows × cols. */
export function swtCols(rows: i32, cols: i32, dil: i32, x: usize, filt: usize, flen: i32, a: usize, d: usize): void {
  const off = (flen >> 1) - 1;
  const step = dil % rows;
  for (let o = 0; o < rows; o++) {
    const r0 = wrap(o - dil * off, rows);
    const ao = at(a, o * cols);
    const dout = at(d, o * cols);
    let c = 0;
    for (; c + 2 * LANES <= cols; c += 2 * LANES) {
      let sa0 = vzero();
      let sa1 = vzero();
      let sd0 = vzero();
      let sd1 = vzero();
      let r = r0;
      for (let m = 0; m < flen; m++) {
        const p = at(x, r * cols + c);
        const v0 = v128.load(p);
        const v1 = v128.load(p, LANES * sizeof<Real>());
        const lo = tap(filt, flen - 1 - m);
        const hi = tap(filt, 2 * flen - 1 - m);
        sa0 = madd(sa0, lo, v0);
        sa1 = madd(sa1, lo, v1);
        sd0 = madd(sd0, hi, v0);
        sd1 = madd(sd1, hi, v1);
        r += step;
        if (r >= rows) r -= rows;
      }
      v128.store(at(ao, c), sa0);
      v128.store(at(ao, c + LANES), sa1);
      v128.store(at(dout, c), sd0);
      v128.store(at(dout, c + LANES), sd1);
    }
    for (; c < cols; c++) {
      let sa: Real = 0;
      let sd: Real = 0;
      let r = r0;
      for (let m = 0; m < flen; m++) {
        const v = ld(x, r * cols + c);
        sa += ld(filt, flen - 1 - m) * v;
        sd += ld(filt, 2 * flen - 1 - m) * v;
        r += step;
        if (r >= rows) r -= rows;
      }
      st(ao, c, sa);
      st(dout, c, sd);
    }
  }
}

/** Adjoint of swtCols: a and d (rows × cols) scatter back into x (rows × cols). */
export function swtColsAdjoint(rows: i32, cols: i32, dil: i32, a: usize, d: usize, filt: usize, flen: i32, x: usize): void {
  const off = (flen >> 1) - 1;
  const step = dil % rows;
  for (let p = 0; p < rows; p++) {
    const r0 = wrap(p + dil * off, rows);
    const xp = at(x, p * cols);
    let c = 0;
    for (; c + 2 * LANES <= cols; c += 2 * LANES) {
      let s0 = vzero();
      let s1 = vzero();
      let r = r0;
      for (let m = 0; m < flen; m++) {
        const lo = tap(filt, flen - 1 - m);
        const hi = tap(filt, 2 * flen - 1 - m);
        const pa = at(a, r * cols + c);
        const pd = at(d, r * cols + c);
        s0 = madd(madd(s0, lo, v128.load(pa)), hi, v128.load(pd));
        s1 = madd(madd(s1, lo, v128.load(pa, LANES * sizeof<Real>())), hi, v128.load(pd, LANES * sizeof<Real>()));
        r -= step;
        if (r < 0) r += rows;
      }
      v128.store(at(xp, c), s0);
      v128.store(at(xp, c + LANES), s1);
    }
    for (; c < cols; c++) {
      let s: Real = 0;
      let r = r0;
      for (let m = 0; m < flen; m++) {
        s += ld(filt, flen - 1 - m) * ld(a, r * cols + c) + ld(filt, 2 * flen - 1 - m) * ld(d, r * cols + c);
        r -= step;
        if (r < 0) r += rows;
      }
      st(xp, c, s);
    }
  }
}

function swtRow(n: i32, dil: i32, x: usize, filt: usize, flen: i32, a: usize, d: usize): void {
  const off = (flen >> 1) - 1;
  // interior: o − dil·off ≥ 0 and o + dil·(F − 1 − off) ≤ n − 1
  let o0 = dil * off;
  if (o0 > n) o0 = n;
  let o1 = n - dil * (flen - 1 - off);
  if (o1 < o0) o1 = o0;
  for (let o = 0; o < o0; o++) swtWrapped(n, dil, off, x, filt, flen, o, a, d);
  let o = o0;
  for (; o + LANES <= o1; o += LANES) {
    let sa = vzero();
    let sd = vzero();
    let i = o - dil * off;
    for (let m = 0; m < flen; m++) {
      const v = vld(x, i);
      sa = madd(sa, tap(filt, flen - 1 - m), v);
      sd = madd(sd, tap(filt, 2 * flen - 1 - m), v);
      i += dil;
    }
    vst(a, o, sa);
    vst(d, o, sd);
  }
  for (; o < n; o++) swtWrapped(n, dil, off, x, filt, flen, o, a, d);
}

@inline function swtWrapped(n: i32, dil: i32, off: i32, x: usize, filt: usize, flen: i32, o: i32, a: usize, d: usize): void {
  let sa: Real = 0;
  let sd: Real = 0;
  for (let m = 0; m < flen; m++) {
    const v = ld(x, wrap(o + dil * (m - off), n));
    sa += ld(filt, flen - 1 - m) * v;
    sd += ld(filt, 2 * flen - 1 - m) * v;
  }
  st(a, o, sa);
  st(d, o, sd);
}

function swtRowAdjoint(n: i32, dil: i32, a: usize, d: usize, filt: usize, flen: i32, x: usize): void {
  const off = (flen >> 1) - 1;
  // interior: p − dil·(F − 1 − off) ≥ 0 and p + dil·off ≤ n − 1
  let p0 = dil * (flen - 1 - off);
  if (p0 > n) p0 = n;
  let p1 = n - dil * off;
  if (p1 < p0) p1 = p0;
  for (let p = 0; p < p0; p++) swtAdjointWrapped(n, dil, off, a, d, filt, flen, p, x);
  let p = p0;
  for (; p + LANES <= p1; p += LANES) {
    let s = vzero();
    let i = p + dil * off;
    for (let m = 0; m < flen; m++) {
      s = madd(madd(s, tap(filt, flen - 1 - m), vld(a, i)), tap(filt, 2 * flen - 1 - m), vld(d, i));
      i -= dil;
    }
    vst(x, p, s);
  }
  for (; p < n; p++) swtAdjointWrapped(n, dil, off, a, d, filt, flen, p, x);
}

@inline function swtAdjointWrapped(n: i32, dil: i32, off: i32, a: usize, d: usize, filt: usize, flen: i32, p: i32, x: usize): void {
  let s: Real = 0;
  for (let m = 0; m < flen; m++) {
    const i = wrap(p - dil * (m - off), n);
    s += ld(filt, flen - 1 - m) * ld(a, i) + ld(filt, 2 * flen - 1 - m) * ld(d, i);
  }
  st(x, p, s);
}
