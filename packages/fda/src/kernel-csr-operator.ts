import { type F64Buf, type I32Buf, Kernel } from "@cflow/core/kernel";
import { pieces } from "./kernel-blocks.js";
import type { SymmetricCsr } from "./sparse-symmetric.js";
import type { SymmetricOperator } from "./wspace-operator.js";

/**
 * v ↦ A v (and w ↦ |A − D|w) for an explicit symmetric matrix (one triangle in CSR) in the WebAssembly kernel
 * (packages/core/assembly/sparse.ts, csrSymMultiply): the matrix is copied into kernel memory once,
 * each product copies v in and A v out. The same operations in the same order as csrMultiply
 * (sparse-symmetric.ts), so the same bits; for operators applied many times (Lanczos), where the
 * copies are cheap beside the products. `dispose` releases the kernel memory.
 */
export class KernelCsrOperator implements SymmetricOperator {
  readonly size: number;
  private readonly k = Kernel.get("float64");
  private readonly indices: I32Buf;
  private readonly values: F64Buf;
  private readonly rowPtr: I32Buf;
  private readonly col: I32Buf;
  private readonly val: F64Buf;
  private readonly x: F64Buf;
  private readonly y: F64Buf;

  constructor(a: SymmetricCsr) {
    const n = a.n;
    const nnz = a.rowPtr[n];
    this.size = n;
    // one block per element type (kernel-blocks.ts)
    this.indices = this.k.allocI32(n + 1 + nnz);
    this.values = this.k.allocF64(nnz + 2 * n);
    const ints = pieces(this.indices);
    const reals = pieces(this.values);
    this.rowPtr = ints(n + 1, a.rowPtr);
    this.col = ints(nnz, a.col);
    this.val = reals(nnz, a.val);
    this.x = reals(n);
    this.y = reals(n);
  }

  apply(v: Float64Array, out: Float64Array): void {
    const n = this.size;
    this.x.view.set(v.subarray(0, n));
    this.k.exports.csrSymMultiply(n, this.rowPtr.ptr, this.col.ptr, this.val.ptr, this.x.ptr, this.y.ptr);
    out.set(this.y.view);
  }

  /** out_i ← Σ_{j≠i} |A_ij| w_j (csrAbsOffMultiply's bits, sparse-symmetric.ts): the dominance's product. */
  absOffMultiply(w: Float64Array, out: Float64Array): void {
    const n = this.size;
    this.x.view.set(w.subarray(0, n));
    this.k.exports.csrAbsOffMultiply(n, this.rowPtr.ptr, this.col.ptr, this.val.ptr, this.x.ptr, this.y.ptr);
    out.set(this.y.view);
  }

  dispose(): void {
    this.indices.free();
    this.values.free();
  }
}
