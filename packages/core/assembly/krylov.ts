// Krylov-basis kernels for Lanczos with full reorthogonalisation (packages/fda/src/lanczos.ts), in
// float64 in both builds. The sums are those of packages/fda/src/vector.ts's `dot` (four partial
// sums over blocks of four, the tail into the first, combined as s0 + s1 + (s2 + s3)) and `axpy`
// (y_k + a·x_k): here the partial sums s0, s1 are the lanes of one v128 and s2, s3 of another, so
// every sum is the JS one, term for term, and the bits are those of the JS loops.
import { at64 } from "./common/real";

/**
 * One modified Gram–Schmidt pass of w against the vectors whose byte offsets are the u32 entries
 * basis[0..count): for i in order, c_i = dot(basis[i], w) on the w left by step i − 1, then
 * w ← w + (−c_i)·basis[i]; returns c_{count−1}. The axpy of step i and the dot of step i + 1
 * share one sweep over w.
 */
export function gramSchmidtPass(n: i32, count: i32, basis: usize, w: usize): f64 {
  let c = dotBlocks(n, <usize>load<u32>(basis), w);
  for (let i = 1; i < count; i++) {
    const prev = <usize>load<u32>(basis + (<usize>(i - 1) << 2));
    const cur = <usize>load<u32>(basis + (<usize>i << 2));
    const m: f64 = -c;
    const mv = f64x2.splat(m);
    let s01 = f64x2.splat(0);
    let s23 = f64x2.splat(0);
    let k = 0;
    for (; k + 3 < n; k += 4) {
      const w01 = f64x2.add(v128.load(at64(w, k)), f64x2.mul(mv, v128.load(at64(prev, k))));
      const w23 = f64x2.add(v128.load(at64(w, k + 2)), f64x2.mul(mv, v128.load(at64(prev, k + 2))));
      v128.store(at64(w, k), w01);
      v128.store(at64(w, k + 2), w23);
      s01 = f64x2.add(s01, f64x2.mul(v128.load(at64(cur, k)), w01));
      s23 = f64x2.add(s23, f64x2.mul(v128.load(at64(cur, k + 2)), w23));
    }
    let s0 = f64x2.extract_lane(s01, 0);
    for (; k < n; k++) {
      const wk = load<f64>(at64(w, k)) + m * load<f64>(at64(prev, k));
      store<f64>(at64(w, k), wk);
      s0 += load<f64>(at64(cur, k)) * wk;
    }
    c = s0 + f64x2.extract_lane(s01, 1) + (f64x2.extract_lane(s23, 0) + f64x2.extract_lane(s23, 1));
  }
  const last = <usize>load<u32>(basis + (<usize>(count - 1) << 2));
  const m: f64 = -c;
  const mv = f64x2.splat(m);
  let k = 0;
  for (; k + 1 < n; k += 2) v128.store(at64(w, k), f64x2.add(v128.load(at64(w, k)), f64x2.mul(mv, v128.load(at64(last, k)))));
  for (; k < n; k++) store<f64>(at64(w, k), load<f64>(at64(w, k)) + m * load<f64>(at64(last, k)));
  return c;
}

/** vector.ts's dot(n, x, y): Σ x_k y_k, its four partial sums. */
export function krylovDot(n: i32, x: usize, y: usize): f64 {
  return dotBlocks(n, x, y);
}

/** out ← w / b element by element (divisions, as the JS loop does them, not products by 1/b). */
export function krylovQuotient(n: i32, w: usize, b: f64, out: usize): void {
  const bv = f64x2.splat(b);
  let k = 0;
  for (; k + 1 < n; k += 2) v128.store(at64(out, k), f64x2.div(v128.load(at64(w, k)), bv));
  for (; k < n; k++) store<f64>(at64(out, k), load<f64>(at64(w, k)) / b);
}

@inline function dotBlocks(n: i32, x: usize, y: usize): f64 {
  let s01 = f64x2.splat(0);
  let s23 = f64x2.splat(0);
  let k = 0;
  for (; k + 3 < n; k += 4) {
    s01 = f64x2.add(s01, f64x2.mul(v128.load(at64(x, k)), v128.load(at64(y, k))));
    s23 = f64x2.add(s23, f64x2.mul(v128.load(at64(x, k + 2)), v128.load(at64(y, k + 2))));
  }
  let s0 = f64x2.extract_lane(s01, 0);
  for (; k < n; k++) s0 += load<f64>(at64(x, k)) * load<f64>(at64(y, k));
  return s0 + f64x2.extract_lane(s01, 1) + (f64x2.extract_lane(s23, 0) + f64x2.extract_lane(s23, 1));
}
