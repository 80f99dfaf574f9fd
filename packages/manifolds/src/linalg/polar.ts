import { CflowError } from "@cflow/core";
import { matmul, matmulTN, newtonSchulz, orthonormalityError } from "./dense.js";
import { symmetricEigen, symmetricFunction } from "@cflow/core/linalg";

/**
 * The orthonormal polar factor A (AᵀA)^{-1/2} of an n×p matrix of full column rank: the closest
 * matrix with orthonormal columns in the Frobenius norm. The Gram-matrix route loses accuracy as
 * cond(A)²·ε, so Newton–Schulz steps follow (each squares the orthonormality error) until the
 * columns are orthonormal to machine precision — at most four, enough up to cond(A) ≈ 1e7.
 */
export function polar(a: Float64Array, n: number, p: number, operation: string): Float64Array {
  const g = matmulTN(a, a, n, p, p);
  const e = symmetricEigen(g, p);
  const top = e.values[p - 1];
  const bottom = e.values[0];
  if (!(bottom > top * 1e-28) || !(top > 0)) {
    throw new CflowError("RANK_DEFICIENT", `${operation}: expected a matrix of full column rank ${p}, found Gram eigenvalues in [${bottom}, ${top}]`, {
      path: operation,
      expected: `rank ${p}`,
      found: `smallest Gram eigenvalue ${bottom}`,
    });
  }
  const w = symmetricFunction(e, p, (l) => 1 / Math.sqrt(l));
  let q = matmul(a, w, n, p, p);
  for (let k = 0; k < 4 && orthonormalityError(q, n, p) > 4e-16 * p; k++) q = newtonSchulz(q, n, p);
  return q;
}
