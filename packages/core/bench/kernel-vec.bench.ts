import { type Dtype, DTYPES } from "../src/dtype.js";
import { Kernel, reference } from "../src/kernel/index.js";
import { type BenchRow, printTable, timeit } from "./harness.js";

/** Element-wise kernels whose float32/float64 time ratio the issue targets (≥ 1.6× for f32). */
const ELEMENTWISE = ["axpy", "momentum", "mul"];

export default async function (): Promise<void> {
  const n = 1 << 20;
  const rows: BenchRow[] = [];
  const ms = new Map<string, number>();
  for (const dtype of DTYPES as Dtype[]) {
    const k = Kernel.get(dtype);
    const e = k.exports;
    const [x, y, p, out] = [0, 1, 2, 3].map(() => k.alloc(n));
    const xa = x.view.slice();
    const pa = x.view.slice();
    for (let i = 0; i < n; i++) {
      xa[i] = Math.sin(i);
      pa[i] = Math.cos(i);
    }
    x.set(xa);
    p.set(pa);
    const ya = y.view.slice();
    const oa = out.view.slice();
    const r = reference.vec;
    const cases: [string, () => void, () => void][] = [
      ["axpy", () => e.axpy(n, 0.5, x.ptr, y.ptr), () => r.axpy(n, 0.5, xa, ya)],
      ["momentum", () => e.momentum(n, 0.7, x.ptr, p.ptr, out.ptr), () => r.momentum(n, 0.7, xa, pa, oa)],
      ["mul", () => e.mul(n, x.ptr, p.ptr, out.ptr), () => r.mul(n, xa, pa, oa)],
      ["dot", () => e.dot(n, x.ptr, p.ptr), () => r.dot(n, xa, pa)],
      ["norm2sq", () => e.norm2sq(n, x.ptr), () => r.norm2sq(n, xa)],
      ["maxAbs", () => e.maxAbs(n, x.ptr), () => r.maxAbs(n, xa)],
    ];
    for (const [name, kern, refFn] of cases) {
      const note = dtype === "float64" && ELEMENTWISE.includes(name) ? "target ≥ 4× in float64" : undefined;
      const row = { name: `${name} 2^20`, dtype, ms: timeit(kern), refMs: timeit(refFn), note };
      ms.set(`${name}:${dtype}`, row.ms);
      rows.push(row);
    }
    for (const b of [x, y, p, out]) b.free();

    // Lasso-sized dense matrix (docs/design.md §7, problem 3)
    const m = 1000;
    const cols = 5000;
    const A = k.alloc(m * cols);
    const Aa = A.view.slice();
    for (let i = 0; i < Aa.length; i++) Aa[i] = Math.sin(i * 0.37);
    A.set(Aa);
    const v = k.alloc(cols);
    const w = k.alloc(m);
    const va = v.view.slice().fill(0.5);
    v.set(va);
    const wa = w.view.slice().fill(0.25);
    w.set(wa);
    const la = reference.linalg;
    rows.push({ name: "gemv 1000×5000", dtype, ms: timeit(() => e.gemv(m, cols, A.ptr, v.ptr, w.ptr)), refMs: timeit(() => la.gemv(m, cols, Aa, va, wa)) });
    rows.push({ name: "gemvT 1000×5000", dtype, ms: timeit(() => e.gemvT(m, cols, A.ptr, w.ptr, v.ptr)), refMs: timeit(() => la.gemvT(m, cols, Aa, wa, va)) });
    for (const b of [A, v, w]) b.free();
  }
  for (const name of ELEMENTWISE) {
    const f64 = ms.get(`${name}:float64`)!;
    const f32 = ms.get(`${name}:float32`)!;
    rows.push({ name: `${name} 2^20 f32 vs f64`, dtype: "float32", ms: f32, refMs: f64, note: "reference column = float64 kernel; target ≥ 1.6×" });
  }
  printTable("element-wise and linear-algebra kernels (WASM SIMD vs plain TS)", rows);
}
