import { type F64Buf, type I32Buf, Kernel } from "@cflow/core/kernel";
import type { LowerFactor } from "./incomplete-cholesky.js";
import { pieces } from "./kernel-blocks.js";
import type { SplitCsr } from "./sparse-symmetric.js";
import type { SymmetricOperator } from "./wspace-operator.js";

/**
 * v ↦ L⁻¹ A L⁻ᵀ v, the operator whose spectrum the congruence route bounds (congruence-gamma.ts),
 * in the WebAssembly kernel (packages/core/assembly/sparse.ts): A (`SplitCsr`) and L (`LowerFactor`)
 * are copied into kernel memory once, each application copies v in and the image out. The same
 * operations in the same order as the JS lowerTransposeSolve, splitMultiply and lowerSolve in turn
 * (the solves kept as references in fda's test/incomplete-cholesky-reference.ts), so the
 * same bits. `dispose` releases the kernel memory.
 */
export class CongruenceOperator implements SymmetricOperator {
  readonly size: number;
  private readonly k = Kernel.get("float64");
  private readonly ints: I32Buf;
  private readonly reals: F64Buf;
  private readonly a: { diag: number; rowPtr: number; col: number; val: number };
  private readonly l: { diag: number; colPtr: number; row: number; val: number };
  private readonly x: F64Buf;
  private readonly t: F64Buf;

  constructor(A: SplitCsr, L: LowerFactor) {
    const n = A.n;
    const na = A.rowPtr[n];
    const nl = L.colPtr[n];
    this.size = n;
    // one block per element type (kernel-blocks.ts)
    this.ints = this.k.allocI32(Math.max(1, 2 * (n + 1) + na + nl));
    this.reals = this.k.allocF64(Math.max(1, na + nl + 4 * n));
    const ints = pieces(this.ints);
    const reals = pieces(this.reals);
    this.a = { rowPtr: ints(n + 1, A.rowPtr).ptr, col: ints(na, A.col).ptr, diag: reals(n, A.diag).ptr, val: reals(na, A.val).ptr };
    this.l = { colPtr: ints(n + 1, L.colPtr).ptr, row: ints(nl, L.row).ptr, diag: reals(n, L.diag).ptr, val: reals(nl, L.val).ptr };
    this.x = reals(n);
    this.t = reals(n);
  }

  apply(v: Float64Array, out: Float64Array): void {
    const n = this.size;
    const e = this.k.exports;
    const { a, l, x, t } = this;
    x.view.set(v.subarray(0, n));
    e.lowerColumnsTransposeSolve(n, l.diag, l.colPtr, l.row, l.val, x.ptr, t.ptr);
    e.splitSymMultiply(n, a.diag, a.rowPtr, a.col, a.val, t.ptr, x.ptr);
    e.lowerColumnsSolve(n, l.diag, l.colPtr, l.row, l.val, x.ptr);
    out.set(x.view);
  }

  /** out ← L⁻ᵀ L⁻¹ v (lowerSolve then lowerTransposeSolve's bits; v and out may be the same array). */
  normalSolve(v: Float64Array, out: Float64Array): void {
    const n = this.size;
    const e = this.k.exports;
    const { l, x, t } = this;
    x.view.set(v.subarray(0, n));
    e.lowerColumnsSolve(n, l.diag, l.colPtr, l.row, l.val, x.ptr);
    e.lowerColumnsTransposeSolve(n, l.diag, l.colPtr, l.row, l.val, x.ptr, t.ptr);
    out.set(t.view);
  }

  dispose(): void {
    this.ints.free();
    this.reals.free();
  }
}
