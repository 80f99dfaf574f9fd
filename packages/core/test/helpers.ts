// Core's own test helpers (the shared ones — seeded generator, comparisons — are in @cflow/test-kit).
import type { Dtype } from "../src/dtype.js";

/** Tolerance for kernel-vs-reference parity (CONTRIBUTING.md: 1e-12 relative in f64, 1e-5 in f32). */
export function parityTol(dtype: Dtype): number {
  return dtype === "float64" ? 1e-12 : 1e-5;
}

/** Random sizes for parity tests: small, odd, non-multiples of the SIMD width, and a large one. */
export function paritySizes(rand: () => number): number[] {
  const s = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 1000, 4099];
  for (let i = 0; i < 4; i++) s.push(1 + Math.floor(rand() * 3000));
  return s;
}
