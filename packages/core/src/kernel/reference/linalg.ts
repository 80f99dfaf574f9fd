// Plain-TypeScript references for assembly/linalg.ts: the textbook loops.
import type { RealArray } from "../../dtype.js";

export function gemv(m: number, n: number, A: RealArray, x: RealArray, y: RealArray): void {
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += A[i * n + j] * x[j];
    y[i] = s;
  }
}

export function gemvT(m: number, n: number, A: RealArray, y: RealArray, x: RealArray): void {
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += A[i * n + j] * y[i];
    x[j] = s;
  }
}

export function spmv(m: number, indptr: Int32Array, indices: Int32Array, values: RealArray, x: RealArray, y: RealArray): void {
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let k = indptr[i]; k < indptr[i + 1]; k++) s += values[k] * x[indices[k]];
    y[i] = s;
  }
}

export function spmvT(m: number, n: number, indptr: Int32Array, indices: Int32Array, values: RealArray, y: RealArray, x: RealArray): void {
  x.fill(0, 0, n);
  for (let i = 0; i < m; i++) {
    for (let k = indptr[i]; k < indptr[i + 1]; k++) x[indices[k]] += values[k] * y[i];
  }
}
