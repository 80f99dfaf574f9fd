// One level of the periodised discrete wavelet transform and its inverse, along rows (contiguous)
// or along columns (row combinations, vectorised across the contiguous axis — no transposes).
//
// Filters: `filt` points at a Real array [dec_lo | dec_hi | rec_lo | rec_hi] of F taps each (the
// filter bank of src/transforms/filters.ts). The index alignment is PyWavelets' mode
// 'periodization' (pywt/_extensions/c/convolution.template.c), rewritten as correlations:
//   analysis   a[k] = Σ_m dec_lo[F−1−m] · x[(2k + m − off) mod n],   off = F/2 − 1
//              d[k] = the same with dec_hi
//   synthesis  x[i] = Σ_{k,m : 2k + m − off ≡ i (mod n)} rec_lo[m]·a[k] + rec_hi[m]·d[k]
// For an orthogonal bank (rec = time-reversed dec) synthesis is exactly the transpose of analysis.
// Outputs (k, t) whose taps stay inside the signal run in SIMD; the few that wrap run scalar.
import { at, ld, st, vld, vst } from "./common/real";
import { evenLanes, madd, oddLanes, tap, vzero, wrap, zipHi, zipLo } from "./common/lanes";

/**
 * Analysis along rows: each of `rows` rows of length n (even) at x gives n/2 approximation
 * coefficients (rows of a) and n/2 details (rows of d).
 */
export function dwtRows(rows: i32, n: i32, x: usize, filt: usize, flen: i32, a: usize, d: usize): void {
  const h = n >> 1;
  for (let r = 0; r < rows; r++) analyzeRow(n, at(x, r * n), filt, flen, at(a, r * h), at(d, r * h));
}

/** Synthesis along rows: rows of a and d (n/2 each) give rows of length n at x. */
export function idwtRows(rows: i32, n: i32, a: usize, d: usize, filt: usize, flen: i32, x: usize): void {
  const h = n >> 1;
  for (let r = 0; r < rows; r++) synthesizeRow(n, at(a, r * h), at(d, r * h), filt, flen, at(x, r * n));
}

/**
 * Analysis along columns of the rows × cols array at x (rows even): a and d are (rows/2) × cols.
 * Output row k is a combination of F input rows.
 */
export function dwtCols(rows: i32, cols: i32, x: usize, filt: usize, flen: i32, a: usize, d: usize): void {
  const off = (flen >> 1) - 1;
  const h = rows >> 1;
  const hiBase = 2 * flen - 1;
  for (let k = 0; k < h; k++) {
    const r0 = wrap(2 * k - off, rows);
    const ak = at(a, k * cols);
    const dk = at(d, k * cols);
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
        const hi = tap(filt, hiBase - m);
        sa0 = madd(sa0, lo, v0);
        sa1 = madd(sa1, lo, v1);
        sd0 = madd(sd0, hi, v0);
        sd1 = madd(sd1, hi, v1);
        if (++r == rows) r = 0;
      }
      v128.store(at(ak, c), sa0);
      v128.store(at(ak, c + LANES), sa1);
      v128.store(at(dk, c), sd0);
      v128.store(at(dk, c + LANES), sd1);
    }
    for (; c < cols; c++) {
      let sa: Real = 0;
      let sd: Real = 0;
      let r = r0;
      for (let m = 0; m < flen; m++) {
        const v = ld(x, r * cols + c);
        sa += ld(filt, flen - 1 - m) * v;
        sd += ld(filt, hiBase - m) * v;
        if (++r == rows) r = 0;
      }
      st(ak, c, sa);
      st(dk, c, sd);
    }
  }
}

/** Synthesis along columns: a and d are (rows/2) × cols, x is rows × cols. */
export function idwtCols(rows: i32, cols: i32, a: usize, d: usize, filt: usize, flen: i32, x: usize): void {
  const off = (flen >> 1) - 1;
  const h = rows >> 1;
  const half = flen >> 1;
  const rlo = 2 * flen;
  const rhi = 3 * flen;
  for (let i = 0; i < rows; i++) {
    // taps m = 2p + e reach output row i = 2t + s when m ≡ s + off (mod 2), from row t + δ_e − p
    const t = i >> 1;
    const e = ((i & 1) + off) & 1;
    const r0 = wrap(t + delta(e, off), h);
    const xi = at(x, i * cols);
    let c = 0;
    for (; c + 2 * LANES <= cols; c += 2 * LANES) {
      let s0 = vzero();
      let s1 = vzero();
      let r = r0;
      for (let p = 0; p < half; p++) {
        const m = 2 * p + e;
        const g = tap(filt, rlo + m);
        const q = tap(filt, rhi + m);
        const pa = at(a, r * cols + c);
        const pd = at(d, r * cols + c);
        s0 = madd(madd(s0, g, v128.load(pa)), q, v128.load(pd));
        s1 = madd(madd(s1, g, v128.load(pa, LANES * sizeof<Real>())), q, v128.load(pd, LANES * sizeof<Real>()));
        if (--r < 0) r = h - 1;
      }
      v128.store(at(xi, c), s0);
      v128.store(at(xi, c + LANES), s1);
    }
    for (; c < cols; c++) {
      let s: Real = 0;
      let r = r0;
      for (let p = 0; p < half; p++) {
        const m = 2 * p + e;
        s += ld(filt, rlo + m) * ld(a, r * cols + c) + ld(filt, rhi + m) * ld(d, r * cols + c);
        if (--r < 0) r = h - 1;
      }
      st(xi, c, s);
    }
  }
}

/**
 * Offset δ_e of the coefficient index for the taps of parity e in synthesis: tap m = 2p + e reads
 * coefficient t + δ_e − p for output 2t + s (s = (e + off) mod 2).
 */
@inline function delta(e: i32, off: i32): i32 {
  const s = (e + off) & 1;
  return (s + off - e) >> 1;
}

function analyzeRow(n: i32, x: usize, filt: usize, flen: i32, a: usize, d: usize): void {
  const h = n >> 1;
  const off = (flen >> 1) - 1;
  // interior: 0 ≤ 2k − off and 2k − off + F − 1 ≤ n − 1
  let k0 = (off + 1) >> 1;
  if (k0 > h) k0 = h;
  let k1 = ((n - flen + off) >> 1) + 1;
  if (k1 < k0) k1 = k0;
  for (let k = 0; k < k0; k++) analyzeWrapped(n, x, filt, flen, off, k, a, d);
  let k = k0;
  const hiBase = 2 * flen - 1;
  // two blocks of LANES outputs per pass, even and odd taps in separate accumulators: eight
  // independent add chains of F/2, so the loop is bound by throughput rather than add latency
  for (; k + 2 * LANES <= k1; k += 2 * LANES) {
    let ae0 = vzero();
    let ao0 = vzero();
    let de0 = vzero();
    let do0 = vzero();
    let ae1 = vzero();
    let ao1 = vzero();
    let de1 = vzero();
    let do1 = vzero();
    let b = 2 * k - off;
    for (let m = 0; m < flen; m += 2) {
      const le = tap(filt, flen - 1 - m);
      const lo = tap(filt, flen - 2 - m);
      const he = tap(filt, hiBase - m);
      const ho = tap(filt, hiBase - 1 - m);
      const v0 = vld(x, b);
      const v1 = vld(x, b + LANES);
      const v2 = vld(x, b + 2 * LANES);
      const v3 = vld(x, b + 3 * LANES);
      const e0 = evenLanes(v0, v1);
      const o0 = oddLanes(v0, v1);
      const e1 = evenLanes(v2, v3);
      const o1 = oddLanes(v2, v3);
      ae0 = madd(ae0, le, e0);
      ao0 = madd(ao0, lo, o0);
      de0 = madd(de0, he, e0);
      do0 = madd(do0, ho, o0);
      ae1 = madd(ae1, le, e1);
      ao1 = madd(ao1, lo, o1);
      de1 = madd(de1, he, e1);
      do1 = madd(do1, ho, o1);
      b += 2;
    }
    vst(a, k, v128.add<Real>(ae0, ao0));
    vst(a, k + LANES, v128.add<Real>(ae1, ao1));
    vst(d, k, v128.add<Real>(de0, do0));
    vst(d, k + LANES, v128.add<Real>(de1, do1));
  }
  for (; k + LANES <= k1; k += LANES) {
    let sa = vzero();
    let sd = vzero();
    let b = 2 * k - off;
    for (let m = 0; m < flen; m += 2) {
      const v0 = vld(x, b);
      const v1 = vld(x, b + LANES);
      const ev = evenLanes(v0, v1);
      const od = oddLanes(v0, v1);
      sa = madd(madd(sa, tap(filt, flen - 1 - m), ev), tap(filt, flen - 2 - m), od);
      sd = madd(madd(sd, tap(filt, hiBase - m), ev), tap(filt, hiBase - 1 - m), od);
      b += 2;
    }
    vst(a, k, sa);
    vst(d, k, sd);
  }
  for (; k < h; k++) analyzeWrapped(n, x, filt, flen, off, k, a, d);
}

@inline function analyzeWrapped(n: i32, x: usize, filt: usize, flen: i32, off: i32, k: i32, a: usize, d: usize): void {
  let sa: Real = 0;
  let sd: Real = 0;
  for (let m = 0; m < flen; m++) {
    const v = ld(x, wrap(2 * k + m - off, n));
    sa += ld(filt, flen - 1 - m) * v;
    sd += ld(filt, 2 * flen - 1 - m) * v;
  }
  st(a, k, sa);
  st(d, k, sd);
}

function synthesizeRow(n: i32, a: usize, d: usize, filt: usize, flen: i32, x: usize): void {
  const h = n >> 1;
  const off = (flen >> 1) - 1;
  const half = flen >> 1;
  const d0 = delta(0, off);
  const d1 = delta(1, off);
  // even taps feed the even outputs when off is even, the odd ones otherwise
  const evenToEven = (off & 1) == 0;
  // interior: every coefficient index t + δ_e − p lies in [0, h)
  let t0 = half - 1 - (d0 < d1 ? d0 : d1);
  if (t0 > h) t0 = h;
  if (t0 < 0) t0 = 0;
  let t1 = h - (d0 > d1 ? d0 : d1);
  if (t1 < t0) t1 = t0;
  for (let t = 0; t < t0; t++) synthesizeWrapped(h, a, d, filt, flen, d0, d1, evenToEven, t, x);
  const rlo = 2 * flen;
  const rhi = 3 * flen;
  let t = t0;
  // two blocks per pass with approximation and detail taps in separate accumulators (eight
  // independent add chains of F/2), as in the analysis
  for (; t + 2 * LANES <= t1; t += 2 * LANES) {
    let ea0 = vzero();
    let ed0 = vzero();
    let oa0 = vzero();
    let od0 = vzero();
    let ea1 = vzero();
    let ed1 = vzero();
    let oa1 = vzero();
    let od1 = vzero();
    for (let p = 0; p < half; p++) {
      const g0 = tap(filt, rlo + 2 * p);
      const q0 = tap(filt, rhi + 2 * p);
      const g1 = tap(filt, rlo + 2 * p + 1);
      const q1 = tap(filt, rhi + 2 * p + 1);
      const i0 = t + d0 - p;
      const i1 = t + d1 - p;
      ea0 = madd(ea0, g0, vld(a, i0));
      ed0 = madd(ed0, q0, vld(d, i0));
      oa0 = madd(oa0, g1, vld(a, i1));
      od0 = madd(od0, q1, vld(d, i1));
      ea1 = madd(ea1, g0, vld(a, i0 + LANES));
      ed1 = madd(ed1, q0, vld(d, i0 + LANES));
      oa1 = madd(oa1, g1, vld(a, i1 + LANES));
      od1 = madd(od1, q1, vld(d, i1 + LANES));
    }
    const s00 = v128.add<Real>(ea0, ed0);
    const s10 = v128.add<Real>(oa0, od0);
    const s01 = v128.add<Real>(ea1, ed1);
    const s11 = v128.add<Real>(oa1, od1);
    const ev0 = evenToEven ? s00 : s10;
    const od0v = evenToEven ? s10 : s00;
    const ev1 = evenToEven ? s01 : s11;
    const od1v = evenToEven ? s11 : s01;
    vst(x, 2 * t, zipLo(ev0, od0v));
    vst(x, 2 * t + LANES, zipHi(ev0, od0v));
    vst(x, 2 * t + 2 * LANES, zipLo(ev1, od1v));
    vst(x, 2 * t + 3 * LANES, zipHi(ev1, od1v));
  }
  for (; t + LANES <= t1; t += LANES) {
    let s0 = vzero();
    let s1 = vzero();
    for (let p = 0; p < half; p++) {
      const i0 = t + d0 - p;
      const i1 = t + d1 - p;
      s0 = madd(madd(s0, tap(filt, rlo + 2 * p), vld(a, i0)), tap(filt, rhi + 2 * p), vld(d, i0));
      s1 = madd(madd(s1, tap(filt, rlo + 2 * p + 1), vld(a, i1)), tap(filt, rhi + 2 * p + 1), vld(d, i1));
    }
    const ev = evenToEven ? s0 : s1;
    const od = evenToEven ? s1 : s0;
    vst(x, 2 * t, zipLo(ev, od));
    vst(x, 2 * t + LANES, zipHi(ev, od));
  }
  for (; t < h; t++) synthesizeWrapped(h, a, d, filt, flen, d0, d1, evenToEven, t, x);
}

@inline function synthesizeWrapped(h: i32, a: usize, d: usize, filt: usize, flen: i32, d0: i32, d1: i32, evenToEven: bool, t: i32, x: usize): void {
  let s0: Real = 0;
  let s1: Real = 0;
  const rlo = 2 * flen;
  const rhi = 3 * flen;
  for (let p = 0; p < flen >> 1; p++) {
    const i0 = wrap(t + d0 - p, h);
    const i1 = wrap(t + d1 - p, h);
    s0 += ld(filt, rlo + 2 * p) * ld(a, i0) + ld(filt, rhi + 2 * p) * ld(d, i0);
    s1 += ld(filt, rlo + 2 * p + 1) * ld(a, i1) + ld(filt, rhi + 2 * p + 1) * ld(d, i1);
  }
  st(x, 2 * t, evenToEven ? s0 : s1);
  st(x, 2 * t + 1, evenToEven ? s1 : s0);
}
