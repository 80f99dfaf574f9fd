// The FFT engine shared by the FFT, convolution and DCT kernels (exports live in fft.ts/dct.ts).
//
// Building block: a batched radix-4 Stockham autosort FFT over a block of C contiguous columns
// (layout [j][c], C complexes per row), so every butterfly applies one twiddle to C complexes
// with full-width vectors: f64x2 = one complex, f32x4 = two complexes. Stockham needs no
// bit-reversal pass; it ping-pongs between two scratch blocks that stay in L1/L2.
//
// A long 1D transform of N = N1·N2 uses the four-step decomposition: N2 column FFTs of length
// N1 (a block of C columns at a time), a twiddle multiply by ω_N^(k1·n2) fused with a blocked
// transpose, then N1 column FFTs of length N2 in place. Each of the two passes streams the data
// through memory once; all butterfly work happens on blocks in cache.
import { st } from "./real";
import {
  cat, cpv, cswap, cmulx, vcmul, vcmulConj, signRe, signIm, signAll, vzero, cdupRe, cdupIm, ld1, st1, chalves,
} from "./complex";

/**
 * Columns per block: 256-byte rows in both builds. Wider rows mean fewer strided row visits per
 * byte in the four-step passes; the scratch blocks (length × C complexes, three of them) must
 * still sit in L2 for lengths up to 2^10.
 */
@inline function blockCols(): i32 {
  return sizeof<Real>() == 8 ? 16 : 32;
}

@inline function rbytes(nReals: i32): usize {
  return <usize>nReals << alignof<Real>();
}

@inline function cbytes(nComplex: i32): usize {
  return <usize>nComplex << (alignof<Real>() + 1);
}

/** log2 of a power of two. */
@inline function log2i(n: i32): i32 {
  return 31 - clz(n);
}

// ---------------------------------------------------------------------------------------------
// Batched Stockham radix-4

/** Reals in the Stockham twiddle table of length L: per radix-4 stage of sub-length n, 3n. */
export function stockTwSize(L: i32): i32 {
  let s = 0;
  for (let n = L; n >= 4; n >>= 2) s += 3 * n;
  return s;
}

/** Twiddles ω_n^(r·p), r = 1..3, per stage and p, each expanded as (wr, wr, −wi, wi). */
export function stockTwFill(L: i32, t: usize): void {
  for (let n = L; n >= 4; n >>= 2) {
    const q = n >> 2;
    for (let p = 0; p < q; p++) {
      for (let r = 1; r <= 3; r++) {
        const c = cosFrac(r * p, n);
        const s = -sinFrac(r * p, n);
        st(t, 0, <Real>c);
        st(t, 1, <Real>c);
        st(t, 2, <Real>-s);
        st(t, 3, <Real>s);
        t += rbytes(4);
      }
    }
  }
}

/** cos(2πk/n), evaluated on the first octant for full double accuracy. */
export function cosFrac(k: i32, n: i32): f64 {
  return octant(k, n, true);
}

/** sin(2πk/n). */
export function sinFrac(k: i32, n: i32): f64 {
  return octant(k, n, false);
}

function octant(k: i32, n: i32, wantCos: bool): f64 {
  // reduce k/n to [0, 1), then use symmetries so the argument handed to Math is ≤ π/4
  let m = <i64>k % <i64>n;
  if (m < 0) m += n;
  const n8 = <i64>n * 8;
  let e = m * 8; // angle = 2π·e/n8, e ∈ [0, n8)
  let sc: f64 = 1; // sign of cos
  let ss: f64 = 1; // sign of sin
  if (e >= <i64>n * 4) {
    e = n8 - e; // angle → 2π − angle: sin flips
    ss = -1;
  }
  if (e > <i64>n * 2) {
    e = <i64>n * 4 - e; // angle → π − angle: cos flips
    sc = -1;
  }
  let swap = false;
  if (e > <i64>n) {
    e = <i64>n * 2 - e; // angle → π/2 − angle: cos ↔ sin
    swap = true;
  }
  const a = (2 * Math.PI * <f64>e) / <f64>n8;
  const c = Math.cos(a);
  const s = Math.sin(a);
  if (wantCos) return sc * (swap ? s : c);
  return ss * (swap ? c : s);
}

@inline function twr(t: usize): v128 {
  if (sizeof<Real>() == 8) return v128.load(t);
  return v128.load64_splat(t);
}

@inline function twi(t: usize): v128 {
  if (sizeof<Real>() == 8) return v128.load(t, 16);
  return v128.load64_splat(t, 8);
}

/**
 * One radix-4 decimation-in-frequency Stockham stage: sub-length n, stride s complexes.
 * x[q + s(p + k·n/4)] → y[q + s(4p + r)], with twiddle ω_n^(r·p) on output r.
 * jm turns the xor-with-swap into ×i (forward) or ×(−i) (inverse); cm conjugates twiddles.
 */
function radix4(n: i32, s: i32, x: usize, y: usize, tw: usize, jm: v128, cm: v128): void {
  const q = n >> 2;
  const sb = cbytes(s);
  const qb = <usize>q * sb;
  // p = 0: unit twiddles
  for (let o: usize = 0; o < sb; o += 16) {
    const a = v128.load(x + o);
    const b = v128.load(x + qb + o);
    const c = v128.load(x + 2 * qb + o);
    const d = v128.load(x + 3 * qb + o);
    const apc = v128.add<Real>(a, c);
    const amc = v128.sub<Real>(a, c);
    const bpd = v128.add<Real>(b, d);
    const jbmd = v128.xor(cswap(v128.sub<Real>(b, d)), jm);
    v128.store(y + o, v128.add<Real>(apc, bpd));
    v128.store(y + sb + o, v128.sub<Real>(amc, jbmd));
    v128.store(y + 2 * sb + o, v128.sub<Real>(apc, bpd));
    v128.store(y + 3 * sb + o, v128.add<Real>(amc, jbmd));
  }
  let t = tw + rbytes(12);
  for (let p = 1; p < q; p++) {
    const w1r = twr(t);
    const w1i = v128.xor(twi(t), cm);
    const w2r = twr(t + rbytes(4));
    const w2i = v128.xor(twi(t + rbytes(4)), cm);
    const w3r = twr(t + rbytes(8));
    const w3i = v128.xor(twi(t + rbytes(8)), cm);
    t += rbytes(12);
    const xa = x + <usize>p * sb;
    const ya = y + <usize>(4 * p) * sb;
    for (let o: usize = 0; o < sb; o += 16) {
      const a = v128.load(xa + o);
      const b = v128.load(xa + qb + o);
      const c = v128.load(xa + 2 * qb + o);
      const d = v128.load(xa + 3 * qb + o);
      const apc = v128.add<Real>(a, c);
      const amc = v128.sub<Real>(a, c);
      const bpd = v128.add<Real>(b, d);
      const jbmd = v128.xor(cswap(v128.sub<Real>(b, d)), jm);
      v128.store(ya + o, v128.add<Real>(apc, bpd));
      v128.store(ya + sb + o, cmulx(v128.sub<Real>(amc, jbmd), w1r, w1i));
      v128.store(ya + 2 * sb + o, cmulx(v128.sub<Real>(apc, bpd), w2r, w2i));
      v128.store(ya + 3 * sb + o, cmulx(v128.add<Real>(amc, jbmd), w3r, w3i));
    }
  }
}

/** The closing radix-2 stage (odd log2 L): y[q] = x[q] + x[q+s], y[q+s] = x[q] − x[q+s]. */
function radix2(s: i32, x: usize, y: usize): void {
  const sb = cbytes(s);
  for (let o: usize = 0; o < sb; o += 16) {
    const a = v128.load(x + o);
    const b = v128.load(x + sb + o);
    v128.store(y + o, v128.add<Real>(a, b));
    v128.store(y + sb + o, v128.sub<Real>(a, b));
  }
}

/** Radix-4 butterfly on one vector position of four input rows → four output rows (unit twiddles). */
@inline function bfly4u(xa: usize, xq: usize, ya: usize, yq: usize, jm: v128): void {
  const a = v128.load(xa);
  const b = v128.load(xa + xq);
  const c = v128.load(xa + 2 * xq);
  const d = v128.load(xa + 3 * xq);
  const apc = v128.add<Real>(a, c);
  const amc = v128.sub<Real>(a, c);
  const bpd = v128.add<Real>(b, d);
  const jbmd = v128.xor(cswap(v128.sub<Real>(b, d)), jm);
  v128.store(ya, v128.add<Real>(apc, bpd));
  v128.store(ya + yq, v128.sub<Real>(amc, jbmd));
  v128.store(ya + 2 * yq, v128.sub<Real>(apc, bpd));
  v128.store(ya + 3 * yq, v128.add<Real>(amc, jbmd));
}

/**
 * The radix-4 stage on rows: row j of the input at x + j·xs, of the output at y + j·ys (byte
 * strides), each row `rowb` bytes (C complexes); S rows per sub-block. Used for the first stage
 * (reading the caller's strided matrix directly) and the last (writing it).
 */
function radix4rows(n: i32, S: i32, rowb: usize, x: usize, xs: usize, y: usize, ys: usize, tw: usize, jm: v128, cm: v128): void {
  const q = n >> 2;
  const xq = <usize>(q * S) * xs;
  const yq = <usize>S * ys;
  for (let qq = 0; qq < S; qq++) {
    const xa = x + <usize>qq * xs;
    const ya = y + <usize>qq * ys;
    for (let o: usize = 0; o < rowb; o += 16) bfly4u(xa + o, xq, ya + o, yq, jm);
  }
  let t = tw + rbytes(12);
  for (let p = 1; p < q; p++) {
    const w1r = twr(t);
    const w1i = v128.xor(twi(t), cm);
    const w2r = twr(t + rbytes(4));
    const w2i = v128.xor(twi(t + rbytes(4)), cm);
    const w3r = twr(t + rbytes(8));
    const w3i = v128.xor(twi(t + rbytes(8)), cm);
    t += rbytes(12);
    for (let qq = 0; qq < S; qq++) {
      const xa = x + <usize>(qq + S * p) * xs;
      const ya = y + <usize>(qq + 4 * S * p) * ys;
      for (let o: usize = 0; o < rowb; o += 16) {
        const a = v128.load(xa + o);
        const b = v128.load(xa + xq + o);
        const c = v128.load(xa + 2 * xq + o);
        const d = v128.load(xa + 3 * xq + o);
        const apc = v128.add<Real>(a, c);
        const amc = v128.sub<Real>(a, c);
        const bpd = v128.add<Real>(b, d);
        const jbmd = v128.xor(cswap(v128.sub<Real>(b, d)), jm);
        v128.store(ya + o, v128.add<Real>(apc, bpd));
        v128.store(ya + yq + o, cmulx(v128.sub<Real>(amc, jbmd), w1r, w1i));
        v128.store(ya + 2 * yq + o, cmulx(v128.sub<Real>(apc, bpd), w2r, w2i));
        v128.store(ya + 3 * yq + o, cmulx(v128.add<Real>(amc, jbmd), w3r, w3i));
      }
    }
  }
}

/** The closing radix-2 stage on rows (odd log2 L): rows j and j + S → j and j + S. */
function radix2rows(S: i32, rowb: usize, x: usize, xs: usize, y: usize, ys: usize): void {
  const xq = <usize>S * xs;
  const yq = <usize>S * ys;
  for (let qq = 0; qq < S; qq++) {
    const xa = x + <usize>qq * xs;
    const ya = y + <usize>qq * ys;
    for (let o: usize = 0; o < rowb; o += 16) {
      const a = v128.load(xa + o);
      const b = v128.load(xa + xq + o);
      v128.store(ya + o, v128.add<Real>(a, b));
      v128.store(ya + yq + o, v128.sub<Real>(a, b));
    }
  }
}

/**
 * FFTs of length L (a power of two) down the C columns of a block: element (j, c) is read at
 * src + j·srcStride + c·csize and written at dst + j·dstStride + c·csize (strides in bytes).
 * C is a multiple of the complexes per vector. The first stage reads the source directly and
 * the last writes the destination, so src may equal dst (in place); the stages between run in
 * the contiguous scratch blocks a and b (L·C complexes each). Unnormalised both ways.
 */
export function fftBlock(L: i32, C: i32, src: usize, srcStride: usize, dst: usize, dstStride: usize, a: usize, b: usize, tw: usize, inverse: bool): void {
  const rowb = cbytes(C);
  if (L == 1) {
    for (let o: usize = 0; o < rowb; o += 16) v128.store(dst + o, v128.load(src + o));
    return;
  }
  const jm = inverse ? signIm() : signRe();
  const cm = inverse ? signAll() : vzero();
  const lg = log2i(L);
  const stages = (lg >> 1) + (lg & 1);
  let x = src;
  let xs = srcStride;
  let n = L;
  let S = 1;
  let t = tw;
  let i = 0;
  while (n >= 4) {
    const last = i == stages - 1;
    const y = last ? dst : (i & 1) == 0 ? a : b;
    const ys = last ? dstStride : rowb;
    if (i == 0 || last) radix4rows(n, S, rowb, x, xs, y, ys, t, jm, cm);
    else radix4(n, S * C, x, y, t, jm, cm);
    x = y;
    xs = ys;
    t += rbytes(3 * n);
    n >>= 2;
    S <<= 2;
    i++;
  }
  if (n == 2) radix2rows(S, rowb, x, xs, dst, dstStride);
}

// ---------------------------------------------------------------------------------------------
// Block copies between strided rows and a contiguous block

/** Copies `count` complexes from src to dst (count·csize bytes, any count). */
@inline function copyC(src: usize, dst: usize, count: i32): void {
  const bytes = cbytes(count);
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) v128.store(dst + o, v128.load(src + o));
  if (o < bytes) store<u64>(dst + o, load<u64>(src + o)); // one float32 complex left
}

/** Reals of scratch columnFfts needs for `rows`: three blocks (two ping-pong, one gather). */
export function columnWorkSize(rows: i32): i32 {
  return 3 * 2 * rows * blockCols();
}

/**
 * Column FFTs of length `rows` down the `cols` columns of a row-major complex matrix (row
 * stride `cols`), src → dst (which may be the same array), unnormalised. Full blocks of C
 * columns are transformed straight from src to dst; a last partial block goes through a
 * zero-padded gather block.
 */
export function columnFfts(rows: i32, cols: i32, src: usize, dst: usize, tw: usize, work: usize, inverse: bool): void {
  const C = blockCols();
  const a = work;
  const b = a + cbytes(rows * C);
  const g = b + cbytes(rows * C);
  const stride = cbytes(cols);
  let c0 = 0;
  for (; c0 + C <= cols; c0 += C) fftBlock(rows, C, cat(src, c0), stride, cat(dst, c0), stride, a, b, tw, inverse);
  if (c0 < cols) {
    const cw = cols - c0;
    for (let j = 0; j < rows; j++) {
      const blk = cat(g, j * C);
      copyC(cat(src, j * cols + c0), blk, cw);
      for (let c = cw; c < C; c++) st1(cat(blk, c), vzero());
    }
    fftBlock(rows, C, g, cbytes(C), g, cbytes(C), a, b, tw, inverse);
    for (let j = 0; j < rows; j++) copyC(cat(g, j * C), cat(dst, j * cols + c0), cw);
  }
}

// ---------------------------------------------------------------------------------------------
// Complex FFT of length N (four-step)

/** N1 of the four-step split N = N1·N2 (N1 ≤ N2, both powers of two). */
@inline function split1(N: i32): i32 {
  return 1 << (log2i(N) >> 1);
}

/** Reals in the plan of the complex FFT of length N. */
export function cfftPlanSize(N: i32): i32 {
  if (N < 4) return 0;
  const N1 = split1(N);
  const N2 = N / N1;
  return stockTwSize(N1) + stockTwSize(N2) + 2 * N;
}

/** Reals of work the complex FFT of length N needs: ping-pong blocks and the pass-1 result. */
export function cfftWorkSize(N: i32): i32 {
  if (N < 4) return 0;
  const N1 = split1(N);
  const N2 = N / N1;
  const blk = max(N1 * min(blockCols(), N2), N2 * min(blockCols(), N1));
  return 3 * 2 * blk;
}

export function cfftPlanFill(N: i32, plan: usize): void {
  if (N < 4) return;
  const N1 = split1(N);
  const N2 = N / N1;
  stockTwFill(N1, plan);
  stockTwFill(N2, plan + rbytes(stockTwSize(N1)));
  // ω_N^(k1·n2) laid out [n2][k1], plain (re, im)
  const T = plan + rbytes(stockTwSize(N1) + stockTwSize(N2));
  for (let n2 = 0; n2 < N2; n2++) {
    for (let k1 = 0; k1 < N1; k1++) {
      const e = k1 * n2;
      const i = n2 * N1 + k1;
      st(T, 2 * i, <Real>cosFrac(e, N));
      st(T, 2 * i + 1, <Real>-sinFrac(e, N));
    }
  }
}

/**
 * y ← FFT(x) (or the unnormalised inverse), times `scale`; x and y are N complexes and must not
 * overlap (x is only read).
 */
export function cfft(N: i32, x: usize, y: usize, plan: usize, work: usize, inverse: bool, scale: f64): void {
  const sv = v128.splat<Real>(<Real>scale);
  if (N == 1) {
    st1(y, v128.mul<Real>(ld1(x), sv));
    return;
  }
  if (N == 2) {
    const a = ld1(x);
    const b = ld1(cat(x, 1));
    st1(y, v128.mul<Real>(v128.add<Real>(a, b), sv));
    st1(cat(y, 1), v128.mul<Real>(v128.sub<Real>(a, b), sv));
    return;
  }
  const N1 = split1(N);
  const N2 = N / N1;
  const tw1 = plan;
  const tw2 = plan + rbytes(stockTwSize(N1));
  const T = tw2 + rbytes(stockTwSize(N2));
  const blk = max(N1 * min(blockCols(), N2), N2 * min(blockCols(), N1));
  const A = work;
  const B = A + cbytes(blk);
  const G = B + cbytes(blk);
  const wiMask = inverse ? signIm() : signRe(); // (−wi, wi), or (wi, −wi) for conj(w)
  const scaled = scale != 1;

  // pass 1: column FFTs of x seen as N1 rows × N2 columns into G; then twiddle ω_N^(k1·n2)
  // (times scale) and store transposed: y seen as N2 rows × N1 columns, row n2 = column n2
  const C1 = min(blockCols(), N2);
  for (let c0 = 0; c0 < N2; c0 += C1) {
    fftBlock(N1, C1, cat(x, c0), cbytes(N2), G, cbytes(C1), A, B, tw1, inverse);
    for (let c = 0; c < C1; c++) {
      const yrow = cat(y, (c0 + c) * N1);
      const trow = cat(T, (c0 + c) * N1);
      const g = cat(G, c);
      for (let k1 = 0; k1 < N1; k1 += cpv()) {
        let v: v128;
        if (sizeof<Real>() == 8) v = v128.load(cat(g, k1 * C1));
        else v = v128.load64_lane(cat(g, (k1 + 1) * C1), v128.load64_zero(cat(g, k1 * C1)), 1);
        if (scaled) v = v128.mul<Real>(v, sv);
        const w = v128.load(cat(trow, k1));
        v128.store(cat(yrow, k1), cmulx(v, cdupRe(w), v128.xor(cdupIm(w), wiMask)));
      }
    }
  }

  // pass 2: column FFTs of y seen as N2 rows × N1 columns, in place: natural order
  const C2 = min(blockCols(), N1);
  for (let c0 = 0; c0 < N1; c0 += C2) fftBlock(N2, C2, cat(y, c0), cbytes(N1), cat(y, c0), cbytes(N1), A, B, tw2, inverse);
}

// ---------------------------------------------------------------------------------------------
// Real FFT of length n through the complex FFT of length n/2

/** Reals in the real-FFT plan: the complex plan of n/2, then −½i·ω_n^k for k ∈ [0, n/4]. */
export function rfftPlanSize(n: i32): i32 {
  return cfftPlanSize(n >> 1) + 2 * ((n >> 2) + 1);
}

/** Reals of work for rfft and irfft of length n. */
export function rfftWorkSize(n: i32): i32 {
  return n + cfftWorkSize(n >> 1);
}

export function rfftPlanFill(n: i32, plan: usize): void {
  const h = n >> 1;
  cfftPlanFill(h, plan);
  const V = plan + rbytes(cfftPlanSize(h));
  for (let k = 0; k <= (n >> 2); k++) {
    // −½i·e^(−2πik/n) = ½(−sin(2πk/n), −cos(2πk/n))
    st(V, 2 * k, <Real>(-0.5 * sinFrac(k, n)));
    st(V, 2 * k + 1, <Real>(-0.5 * cosFrac(k, n)));
  }
}

/**
 * The Hermitian butterfly for k ∈ [1, h/2] between the half-length spectrum and the real
 * spectrum: with A = s[k], B = conj(s[h−k]), F = ½(A + B), U = V_k·(A − B) (V_k = −½i·ω_n^k,
 * conjugated when conjTw): d[k] = F + U, d[h−k] = conj(F − U). s and d may be the same array.
 * The forward real FFT is this with V; the inverse's pre-processing is half of it with conj(V).
 */
function hermitianPairs(h: i32, s: usize, d: usize, V: usize, conjTw: bool): void {
  const fv = v128.splat<Real>(<Real>0.5);
  const half = h >> 1;
  let k = 1;
  if (sizeof<Real>() == 4) {
    // two k per vector; the mirrored pair is loaded as one vector and its halves swapped
    for (; k + 1 <= half; k += 2) {
      const A = v128.load(cat(s, k));
      const B = v128.xor(chalves(v128.load(cat(s, h - k - 1))), signIm());
      const w = v128.load(cat(V, k));
      const F = v128.mul<Real>(v128.add<Real>(A, B), fv);
      const D = v128.sub<Real>(A, B);
      const U = conjTw ? vcmulConj(D, w) : vcmul(D, w);
      v128.store(cat(d, k), v128.add<Real>(F, U));
      v128.store(cat(d, h - k - 1), chalves(v128.xor(v128.sub<Real>(F, U), signIm())));
    }
  }
  for (; k <= half; k++) {
    const A = ld1(cat(s, k));
    const B = v128.xor(ld1(cat(s, h - k)), signIm());
    const w = ld1(cat(V, k));
    const F = v128.mul<Real>(v128.add<Real>(A, B), fv);
    const D = v128.sub<Real>(A, B);
    const U = conjTw ? vcmulConj(D, w) : vcmul(D, w);
    st1(cat(d, k), v128.add<Real>(F, U));
    st1(cat(d, h - k), v128.xor(v128.sub<Real>(F, U), signIm()));
  }
}

/** out (n/2 + 1 complexes) ← rfft(x) (n reals), unnormalised. x and out must not overlap. */
export function rfftCore(n: i32, x: usize, out: usize, plan: usize, work: usize): void {
  const h = n >> 1;
  cfft(h, x, out, plan, work + rbytes(n), false, 1);
  const z0r = <f64>load<Real>(out);
  const z0i = <f64>load<Real>(out, sizeof<Real>());
  st(out, 0, <Real>(z0r + z0i));
  st(out, 1, 0);
  st(out, 2 * h, <Real>(z0r - z0i));
  st(out, 2 * h + 1, 0);
  hermitianPairs(h, out, out, plan + rbytes(cfftPlanSize(h)), false);
}

/**
 * out (n reals) ← scale · n · irfft(X) (X: n/2 + 1 complexes; the imaginary parts of the DC
 * and Nyquist bins are ignored, as numpy does). X is only read.
 */
export function irfftCore(n: i32, X: usize, out: usize, plan: usize, work: usize, scale: f64): void {
  const h = n >> 1;
  const Z = work; // half the spectrum of (even samples) + i·(odd samples); the factor 2 goes into the scale
  const x0 = <f64>load<Real>(X);
  const xh = <f64>load<Real>(X + rbytes(2 * h));
  st(Z, 0, <Real>(0.5 * (x0 + xh)));
  st(Z, 1, <Real>(0.5 * (x0 - xh)));
  hermitianPairs(h, X, Z, plan + rbytes(cfftPlanSize(h)), true);
  cfft(h, Z, out, plan, work + rbytes(n), true, 2 * scale);
}

// ---------------------------------------------------------------------------------------------
// 2D real FFT of an H × W image (rows, then columns)

export function rfft2PlanSize(H: i32, W: i32): i32 {
  return rfftPlanSize(W) + stockTwSize(H);
}

export function rfft2WorkSize(H: i32, W: i32): i32 {
  const wb = (W >> 1) + 1;
  return 2 * H * wb + columnWorkSize(H) + rfftWorkSize(W);
}

export function rfft2PlanFill(H: i32, W: i32, plan: usize): void {
  rfftPlanFill(W, plan);
  stockTwFill(H, plan + rbytes(rfftPlanSize(W)));
}

/** out (H × (W/2+1) complexes) ← rfft2(x) (H × W reals). */
export function rfft2Core(H: i32, W: i32, x: usize, out: usize, plan: usize, work: usize): void {
  const wb = (W >> 1) + 1;
  const colWork = work + rbytes(2 * H * wb);
  const rowWork = colWork + rbytes(columnWorkSize(H));
  for (let r = 0; r < H; r++) rfftCore(W, x + rbytes(r * W), cat(out, r * wb), plan, rowWork);
  columnFfts(H, wb, out, out, plan + rbytes(rfftPlanSize(W)), colWork, false);
}

/** out (H × W reals) ← irfft2(X), scaled by 1/(H·W); X is only read. */
export function irfft2Core(H: i32, W: i32, X: usize, out: usize, plan: usize, work: usize): void {
  const wb = (W >> 1) + 1;
  const Y = work;
  const colWork = work + rbytes(2 * H * wb);
  const rowWork = colWork + rbytes(columnWorkSize(H));
  columnFfts(H, wb, X, Y, plan + rbytes(rfftPlanSize(W)), colWork, true);
  const scale = 1 / (<f64>H * <f64>W);
  for (let r = 0; r < H; r++) irfftCore(W, cat(Y, r * wb), out + rbytes(r * W), plan, rowWork, scale);
}

