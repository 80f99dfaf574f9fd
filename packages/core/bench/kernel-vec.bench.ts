import { type Dtype, DTYPES } from "../src/dtype.js";
import { Kernel, reference } from "../src/kernel/index.js";
import { type BenchRow, printTable, timeit } from "./harness.js";

export default async function (): Promise<void> {
  const n = 1 << 20;
  const rows: BenchRow[] = [];
  for (const dtype of DTYPES as Dtype[]) {
    const k = Kernel.get(dtype);
    const x = k.alloc(n);
    const y = k.alloc(n);
    const xa = x.view.slice();
    const ya = y.view.slice();
    for (let i = 0; i < n; i++) xa[i] = Math.sin(i);
    x.set(xa);
    rows.push({
      name: "axpy 2^20",
      dtype,
      ms: timeit(() => k.exports.axpy(n, 0.5, x.ptr, y.ptr)),
      refMs: timeit(() => reference.vec.axpy(n, 0.5, xa, ya)),
    });
    rows.push({
      name: "dot 2^20",
      dtype,
      ms: timeit(() => k.exports.dot(n, x.ptr, y.ptr)),
      refMs: timeit(() => reference.vec.dot(n, xa, ya)),
    });
    x.free();
    y.free();
  }
  printTable("element-wise kernels (WASM SIMD vs plain TS)", rows);
}
