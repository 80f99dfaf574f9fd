// Core's own test helpers (the shared ones — seeded generator, comparisons — are in @cflow/test-kit).
import type { Dtype } from "../src/dtype.js";
import { type FlowFactory, defineFlow } from "../src/spec/define.js";
import type { FlowSpec, PoliciesSpec, TermSpec } from "../src/spec/types.js";
import type { Mat } from "./reference-solvers.js";

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

/**
 * The lasso ½‖Ax − b‖² + λ‖x‖₁ over a dense A (rows × cols, row-major, float64) as a flow spec in
 * the requested dtype, with the given policies.
 */
export function denseLasso(A: Mat, b: ArrayLike<number>, lambda: number, policies: PoliciesSpec = {}, extraTerms: TermSpec[] = []): FlowFactory {
  return defineFlow(({ dtype }): FlowSpec => {
    const conv = (a: ArrayLike<number>) => (dtype === "float64" ? Float64Array.from(a) : Float32Array.from(a));
    return {
      dtype,
      state: { x: { shape: [A.cols] } },
      data: { A: conv(A.a), b: conv(b) },
      ops: { A: { type: "dense", matrix: "A", rows: A.rows, cols: A.cols } },
      terms: [{ kind: "data", atom: "leastSquares", op: "A", target: "b" }, { kind: "regularizer", atom: "l1", weight: lambda }, ...extraTerms],
      policies,
    };
  });
}
