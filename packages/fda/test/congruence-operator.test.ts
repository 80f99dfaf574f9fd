// The congruence route's operator in the kernel (congruence-operator.ts) against the JS loops it
// replaces — lowerTransposeSolve, splitMultiply, lowerSolve (incomplete-cholesky-reference.ts,
// sparse-symmetric.ts) — bit for bit, on incomplete factors of random sparse symmetric matrices
// whose rows hold an odd or even number of entries (splitMultiply pairs them) and columns in any
// order; and the condition estimate through its solves is the JS one.
import { mulberry32 } from "@cflow/test-kit";
import { describe, expect, it } from "vitest";
import { CongruenceOperator } from "../src/congruence-operator.js";
import { incompleteCholesky, squaredConditionEstimate } from "../src/incomplete-cholesky.js";
import { csrFromDense, dropNegligible, splitMultiply } from "../src/sparse-symmetric.js";
import { lowerSolve, lowerTransposeSolve, normalSolveReference } from "./incomplete-cholesky-reference.js";

/** A random sparse symmetric positive definite matrix (diagonally dominant), dense row-major. */
function randomSpd(n: number, seed: number): Float64Array {
  const rand = mulberry32(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const extra = Math.floor(rand() * 12);
    for (let t = 0; t < extra; t++) {
      const j = Math.floor(rand() * n);
      if (j === i) continue;
      const v = (rand() * 2 - 1) * 10 ** (2 * rand() - 1);
      a[i * n + j] = a[j * n + i] = v;
    }
  }
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) if (j !== i) s += Math.abs(a[i * n + j]);
    a[i * n + i] = s * (0.6 + rand()) + 1e-3;
  }
  return a;
}

describe("CongruenceOperator", () => {
  it.each([1, 2, 9, 100, 401])("n = %i: L⁻¹ A L⁻ᵀ v and L⁻ᵀ L⁻¹ v with the JS loops' bits", (n) => {
    const perm = Int32Array.from({ length: n }, (_, i) => (i * 7 + 3) % n);
    const A = dropNegligible(csrFromDense(randomSpd(n, 11 + n), n), 0, n % 7 === 0 ? null : perm).matrix;
    // a factor that drops fill (a real incomplete one) and one that keeps it all
    for (const fill of [3, n]) {
      const L = incompleteCholesky(A, { tau: 1e-2, maxPerColumn: fill }).factor;
      const op = new CongruenceOperator(A, L);
      try {
        const rand = mulberry32(n + fill);
        const t = new Float64Array(n);
        const w = new Float64Array(n);
        for (let rep = 0; rep < 3; rep++) {
          const v = Float64Array.from({ length: n }, () => (rand() * 2 - 1) * 10 ** (4 * rand() - 2));
          const want = new Float64Array(n);
          lowerTransposeSolve(L, v, t);
          splitMultiply(A, t, w);
          lowerSolve(L, w, want);
          const got = new Float64Array(n).fill(Number.NaN);
          op.apply(v, got);
          expect(Array.from(got)).toEqual(Array.from(want));
          // L⁻ᵀ L⁻¹ v, in place as the condition estimate calls it
          lowerSolve(L, v, t);
          lowerTransposeSolve(L, t, want);
          const inPlace = Float64Array.from(v);
          op.normalSolve(inPlace, inPlace);
          expect(Array.from(inPlace)).toEqual(Array.from(want));
        }
        expect(squaredConditionEstimate(L, (x, out) => op.normalSolve(x, out))).toBe(squaredConditionEstimate(L, normalSolveReference(L)));
      } finally {
        op.dispose();
      }
    }
  });
});
