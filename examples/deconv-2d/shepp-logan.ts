/**
 * The modified Shepp–Logan head phantom (Toft's contrast-enhanced variant of Shepp & Logan 1974,
 * as MATLAB's `phantom('Modified Shepp-Logan')`): ten ellipses on [−1, 1]², intensities in [0, 1].
 * Each row: intensity A, semi-axes a and b, centre (x0, y0), rotation φ in degrees.
 */
const ELLIPSES: readonly [number, number, number, number, number, number][] = [
  [1, 0.69, 0.92, 0, 0, 0],
  [-0.8, 0.6624, 0.874, 0, -0.0184, 0],
  [-0.2, 0.11, 0.31, 0.22, 0, -18],
  [-0.2, 0.16, 0.41, -0.22, 0, 18],
  [0.1, 0.21, 0.25, 0, 0.35, 0],
  [0.1, 0.046, 0.046, 0, 0.1, 0],
  [0.1, 0.046, 0.046, 0, -0.1, 0],
  [0.1, 0.046, 0.023, -0.08, -0.605, 0],
  [0.1, 0.023, 0.023, 0, -0.606, 0],
  [0.1, 0.023, 0.046, 0.06, -0.605, 0],
];

/** The phantom sampled at the centres of an n×n grid, row-major, the top row first (y = +1). */
export function sheppLogan(n: number): Float64Array {
  const image = new Float64Array(n * n);
  for (const [A, a, b, x0, y0, deg] of ELLIPSES) {
    const phi = (deg * Math.PI) / 180;
    const c = Math.cos(phi);
    const s = Math.sin(phi);
    for (let i = 0; i < n; i++) {
      const y = 1 - (2 * i + 1) / n - y0;
      for (let j = 0; j < n; j++) {
        const x = -1 + (2 * j + 1) / n - x0;
        const u = (x * c + y * s) / a;
        const v = (-x * s + y * c) / b;
        if (u * u + v * v <= 1) image[i * n + j] += A;
      }
    }
  }
  return image;
}
