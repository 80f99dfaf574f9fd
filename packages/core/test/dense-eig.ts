// Dense matrix helpers around the independent Jacobi eigen-solver of @cflow/test-kit (plain
// float64 loops, no library code).
import { jacobiEigen } from "@cflow/test-kit";

/** A dense matrix as rows of float64 numbers. */
export type Dense = number[][];

export function transpose(A: Dense, rows = A.length, cols = A[0]?.length ?? 0): Dense {
  return Array.from({ length: cols }, (_, j) => Array.from({ length: rows }, (_, i) => A[i][j]));
}

export function matmul(A: Dense, B: Dense): Dense {
  const inner = B.length;
  const cols = B[0]?.length ?? 0;
  return A.map((row) =>
    Array.from({ length: cols }, (_, j) => {
      let s = 0;
      for (let k = 0; k < inner; k++) s += row[k] * B[k][j];
      return s;
    }),
  );
}

/** ‖A‖₂ = √λ_max(AᵀA) for a rows×cols matrix. */
export function spectralNorm(A: Dense, cols: number): number {
  if (A.length === 0 || cols === 0) return 0;
  const { values } = jacobiEigen(matmul(transpose(A, A.length, cols), A));
  return Math.sqrt(Math.max(0, values[values.length - 1]));
}
