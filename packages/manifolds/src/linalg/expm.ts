import { matmul } from "./dense.js";

/**
 * The matrix exponential of a general n×n matrix by scaling and squaring with a Taylor
 * polynomial: A is scaled by 2^-s until ‖A‖₁ ≤ 1/4, where 13 terms leave a relative truncation
 * error below (1/4)¹⁴/14! ≈ 4e-20, then squared s times. Used for the Stiefel geodesic (2p×2p
 * blocks), where n is small.
 */
export function expm(a: Float64Array, n: number): Float64Array {
  let norm1 = 0;
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.abs(a[i * n + j]);
    norm1 = Math.max(norm1, s);
  }
  const s = norm1 > 0.25 ? Math.ceil(Math.log2(norm1 / 0.25)) : 0;
  const scale = 2 ** -s;
  const x = a.map((v) => v * scale);
  // Horner: I + X(I + X/2(I + X/3(…))).
  let p: Float64Array = new Float64Array(n * n);
  for (let i = 0; i < n; i++) p[i * n + i] = 1;
  for (let k = 13; k >= 1; k--) {
    const q = matmul(x, p, n, n, n);
    for (let i = 0; i < q.length; i++) q[i] /= k;
    for (let i = 0; i < n; i++) q[i * n + i] += 1;
    p = q;
  }
  for (let k = 0; k < s; k++) p = matmul(p, p, n, n, n);
  return p;
}
