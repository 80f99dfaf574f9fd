import type { Dtype } from "@cflow/core";

/** An array read from a data file, in the dtype it was asked for (or the file's own). */
export interface LoadedArray {
  data: Float64Array | Float32Array;
  /** Row-major (C order) shape: [rows, cols] for images and tables. */
  shape: number[];
  dtype: Dtype;
}

export function allocate(dtype: Dtype, n: number): Float64Array | Float32Array {
  return dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
}
