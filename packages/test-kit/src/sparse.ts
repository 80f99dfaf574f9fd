import { mulberry32 } from "./rng.js";

/** A symmetric matrix as one triangle in compressed sparse rows (row i lists columns j ≥ i). */
export interface UpperCsr {
  n: number;
  rowPtr: Int32Array;
  col: Int32Array;
  val: Float64Array;
}

/**
 * A random sparse symmetric matrix, upper triangle stored, rows' columns shuffled (as assembly order
 * leaves them): row i holds its diagonal (in [1, 5)) with probability `diagonal` (default 0.8) and up
 * to 8 columns j > i within `reach` of i (default n), values of both signs over six decades.
 */
export function randomSymmetricCsr(n: number, seed: number, o: { diagonal?: number; reach?: number } = {}): UpperCsr {
  const rand = mulberry32(seed);
  const pDiag = o.diagonal ?? 0.8;
  const reach = o.reach ?? n;
  const rowPtr = new Int32Array(n + 1);
  const col: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < n; i++) {
    const cols = new Set<number>();
    if (rand() < pDiag) cols.add(i);
    const extra = Math.floor(rand() * 9);
    for (let t = 0; t < extra && i + 1 < n; t++) cols.add(i + 1 + Math.floor(rand() * Math.min(n - i - 1, reach)));
    for (const j of [...cols].sort(() => rand() - 0.5)) {
      col.push(j);
      val.push(j === i ? 1 + 4 * rand() : (rand() * 2 - 1) * 10 ** (6 * rand() - 3));
    }
    rowPtr[i + 1] = col.length;
  }
  return { n, rowPtr, col: Int32Array.from(col), val: Float64Array.from(val) };
}
