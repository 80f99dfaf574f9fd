import { CflowError } from "@cflow/core";
import { matmul, matmulTN, newtonSchulz } from "./dense.js";
import { symmetricEigen, symmetricFunction } from "./eigen.js";

/**
 * The orthonormal polar factor A (AᵀA)^{-1/2} of an n×p matrix of full column rank: the closest
 * matrix with orthonormal columns in the Frobenius norm. The Gram-matrix route loses accuracy as
 * cond(A)², so one Newton–Schulz step follows, bringing the orthonormality error back to
 * machine precision for any reasonably conditioned A.
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
  return newtonSchulz(matmul(a, w, n, p, p), n, p);
}
