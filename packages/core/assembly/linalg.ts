// Dense and sparse matrix–vector products. Dense matrices are row-major m×n reals; CSR matrices
// are (indptr: m + 1 i32, indices: nnz i32, values: nnz reals). Row dot products accumulate in
// f64 in both builds (f32 products are exact in f64).
import { at32, ld, st, vld, promoteLo, promoteHi, hsum } from "./common/real";

/**
 * Columns per gemvT tile. The tile's f64 accumulators (64 KiB) stay in L2 while rows stream
 * through; measured on 1000×5000, 1024-column tiles (L1-sized) were 1.6× slower in f64 because
 * short row segments starve the hardware prefetcher.
 */
const TILE: i32 = 8192;
const tileAcc: usize = memory.data(TILE * 8, 16);

/** ⟨row, x⟩ over n elements in f64, two accumulators. */
@inline function rowDot(n: i32, a: usize, x: usize): f64 {
  let s0 = f64x2.splat(0);
  let s1 = f64x2.splat(0);
  let j = 0;
  if (sizeof<Real>() == 8) {
    for (; j + 4 <= n; j += 4) {
      s0 = f64x2.add(s0, f64x2.mul(vld(a, j), vld(x, j)));
      s1 = f64x2.add(s1, f64x2.mul(vld(a, j + 2), vld(x, j + 2)));
    }
  } else {
    for (; j + 4 <= n; j += 4) {
      const av = vld(a, j);
      const xv = vld(x, j);
      s0 = f64x2.add(s0, f64x2.mul(promoteLo(av), promoteLo(xv)));
      s1 = f64x2.add(s1, f64x2.mul(promoteHi(av), promoteHi(xv)));
    }
  }
  let s = hsum(f64x2.add(s0, s1));
  for (; j < n; j++) s += <f64>ld(a, j) * <f64>ld(x, j);
  return s;
}

/**
 * y ← A x for a row-major m×n A. Four rows at a time share each load (and, in f32, each
 * promotion) of x; each row keeps two f64 accumulators.
 */
export function gemv(m: i32, n: i32, A: usize, x: usize, y: usize): void {
  const rowBytes = <usize>n << alignof<Real>();
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const a0 = A + <usize>i * rowBytes;
    const a1 = a0 + rowBytes;
    const a2 = a1 + rowBytes;
    const a3 = a2 + rowBytes;
    let s0 = f64x2.splat(0);
    let t0 = f64x2.splat(0);
    let s1 = f64x2.splat(0);
    let t1 = f64x2.splat(0);
    let s2 = f64x2.splat(0);
    let t2 = f64x2.splat(0);
    let s3 = f64x2.splat(0);
    let t3 = f64x2.splat(0);
    let j = 0;
    if (sizeof<Real>() == 8) {
      for (; j + 4 <= n; j += 4) {
        const xl = vld(x, j);
        const xh = vld(x, j + 2);
        s0 = f64x2.add(s0, f64x2.mul(vld(a0, j), xl));
        t0 = f64x2.add(t0, f64x2.mul(vld(a0, j + 2), xh));
        s1 = f64x2.add(s1, f64x2.mul(vld(a1, j), xl));
        t1 = f64x2.add(t1, f64x2.mul(vld(a1, j + 2), xh));
        s2 = f64x2.add(s2, f64x2.mul(vld(a2, j), xl));
        t2 = f64x2.add(t2, f64x2.mul(vld(a2, j + 2), xh));
        s3 = f64x2.add(s3, f64x2.mul(vld(a3, j), xl));
        t3 = f64x2.add(t3, f64x2.mul(vld(a3, j + 2), xh));
      }
    } else {
      for (; j + 4 <= n; j += 4) {
        const xv = vld(x, j);
        const xl = promoteLo(xv);
        const xh = promoteHi(xv);
        const v0 = vld(a0, j);
        const v1 = vld(a1, j);
        const v2 = vld(a2, j);
        const v3 = vld(a3, j);
        s0 = f64x2.add(s0, f64x2.mul(promoteLo(v0), xl));
        t0 = f64x2.add(t0, f64x2.mul(promoteHi(v0), xh));
        s1 = f64x2.add(s1, f64x2.mul(promoteLo(v1), xl));
        t1 = f64x2.add(t1, f64x2.mul(promoteHi(v1), xh));
        s2 = f64x2.add(s2, f64x2.mul(promoteLo(v2), xl));
        t2 = f64x2.add(t2, f64x2.mul(promoteHi(v2), xh));
        s3 = f64x2.add(s3, f64x2.mul(promoteLo(v3), xl));
        t3 = f64x2.add(t3, f64x2.mul(promoteHi(v3), xh));
      }
    }
    let r0 = hsum(f64x2.add(s0, t0));
    let r1 = hsum(f64x2.add(s1, t1));
    let r2 = hsum(f64x2.add(s2, t2));
    let r3 = hsum(f64x2.add(s3, t3));
    for (; j < n; j++) {
      const xj = <f64>ld(x, j);
      r0 += <f64>ld(a0, j) * xj;
      r1 += <f64>ld(a1, j) * xj;
      r2 += <f64>ld(a2, j) * xj;
      r3 += <f64>ld(a3, j) * xj;
    }
    st(y, i, <Real>r0);
    st(y, i + 1, <Real>r1);
    st(y, i + 2, <Real>r2);
    st(y, i + 3, <Real>r3);
  }
  for (; i < m; i++) st(y, i, <Real>rowDot(n, A + <usize>i * rowBytes, x));
}

/**
 * x ← Aᵀ y for a row-major m×n A, by row sweeps (A is read in storage order, never by columns).
 * The columns are cut into tiles of f64 accumulators held in static scratch; four rows at a
 * time are added into a tile, so the f32 build accumulates in f64 too and rounds once.
 */
export function gemvT(m: i32, n: i32, A: usize, y: usize, x: usize): void {
  const rowBytes = <usize>n << alignof<Real>();
  for (let j0 = 0; j0 < n; j0 += TILE) {
    const w = min(TILE, n - j0);
    memory.fill(tileAcc, 0, <usize>w << 3);
    const base = A + (<usize>j0 << alignof<Real>());
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      const a0 = base + <usize>i * rowBytes;
      const a1 = a0 + rowBytes;
      const a2 = a1 + rowBytes;
      const a3 = a2 + rowBytes;
      const y0 = <f64>ld(y, i);
      const y1 = <f64>ld(y, i + 1);
      const y2 = <f64>ld(y, i + 2);
      const y3 = <f64>ld(y, i + 3);
      const v0 = f64x2.splat(y0);
      const v1 = f64x2.splat(y1);
      const v2 = f64x2.splat(y2);
      const v3 = f64x2.splat(y3);
      let j = 0;
      if (sizeof<Real>() == 8) {
        for (; j + 2 <= w; j += 2) {
          const p = tileAcc + (<usize>j << 3);
          const u = f64x2.add(f64x2.mul(v0, vld(a0, j)), f64x2.mul(v1, vld(a1, j)));
          const z = f64x2.add(f64x2.mul(v2, vld(a2, j)), f64x2.mul(v3, vld(a3, j)));
          v128.store(p, f64x2.add(v128.load(p), f64x2.add(u, z)));
        }
      } else {
        for (; j + 4 <= w; j += 4) {
          const p = tileAcc + (<usize>j << 3);
          const b0 = vld(a0, j);
          const b1 = vld(a1, j);
          const b2 = vld(a2, j);
          const b3 = vld(a3, j);
          const ul = f64x2.add(f64x2.mul(v0, promoteLo(b0)), f64x2.mul(v1, promoteLo(b1)));
          const zl = f64x2.add(f64x2.mul(v2, promoteLo(b2)), f64x2.mul(v3, promoteLo(b3)));
          const uh = f64x2.add(f64x2.mul(v0, promoteHi(b0)), f64x2.mul(v1, promoteHi(b1)));
          const zh = f64x2.add(f64x2.mul(v2, promoteHi(b2)), f64x2.mul(v3, promoteHi(b3)));
          v128.store(p, f64x2.add(v128.load(p), f64x2.add(ul, zl)));
          v128.store(p + 16, f64x2.add(v128.load(p + 16), f64x2.add(uh, zh)));
        }
      }
      for (; j < w; j++) {
        const p = tileAcc + (<usize>j << 3);
        store<f64>(p, load<f64>(p) + ((y0 * <f64>ld(a0, j) + y1 * <f64>ld(a1, j)) + (y2 * <f64>ld(a2, j) + y3 * <f64>ld(a3, j))));
      }
    }
    for (; i < m; i++) {
      const a0 = base + <usize>i * rowBytes;
      const yi = <f64>ld(y, i);
      for (let j = 0; j < w; j++) {
        const p = tileAcc + (<usize>j << 3);
        store<f64>(p, load<f64>(p) + yi * <f64>ld(a0, j));
      }
    }
    for (let j = 0; j < w; j++) st(x, j0 + j, <Real>load<f64>(tileAcc + (<usize>j << 3)));
  }
}

/** y ← A x for an m-row CSR matrix (gathers from x; f64 accumulation per row). */
export function spmv(m: i32, indptr: usize, indices: usize, values: usize, x: usize, y: usize): void {
  let k = load<i32>(indptr);
  for (let i = 0; i < m; i++) {
    const end = load<i32>(at32(indptr, i + 1));
    let s0: f64 = 0;
    let s1: f64 = 0;
    for (; k + 2 <= end; k += 2) {
      s0 += <f64>ld(values, k) * <f64>ld(x, load<i32>(at32(indices, k)));
      s1 += <f64>ld(values, k + 1) * <f64>ld(x, load<i32>(at32(indices, k + 1)));
    }
    if (k < end) {
      s0 += <f64>ld(values, k) * <f64>ld(x, load<i32>(at32(indices, k)));
      k++;
    }
    st(y, i, <Real>(s0 + s1));
  }
}

/**
 * x ← Aᵀ y for an m×n CSR matrix (scatters into x, which is zeroed first). The scatter adds in
 * the array's dtype: without scratch a float32 build cannot hold f64 partial sums per column.
 */
export function spmvT(m: i32, n: i32, indptr: usize, indices: usize, values: usize, y: usize, x: usize): void {
  memory.fill(x, 0, <usize>n << alignof<Real>());
  let k = load<i32>(indptr);
  for (let i = 0; i < m; i++) {
    const end = load<i32>(at32(indptr, i + 1));
    const yi = ld(y, i);
    for (; k < end; k++) {
      const j = load<i32>(at32(indices, k));
      st(x, j, ld(x, j) + ld(values, k) * yi);
    }
  }
}
