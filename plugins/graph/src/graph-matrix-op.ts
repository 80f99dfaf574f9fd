import { type Dtype, type I32Buf, KernelOp, type PlanBuilder, type RealBuf } from "@cflow/core";
import type { GraphCsr } from "./graph.js";

/**
 * A matrix of a graph (Laplacian, incidence) as a kernel operator: the CSR arrays live in kernel
 * memory and apply/adjoint record one `spmv`/`spmvT` call, so a flow using the op stays one
 * kernel call per step.
 */
export abstract class GraphMatrixOp extends KernelOp {
  readonly rows: number;
  readonly cols: number;
  private readonly indptr: I32Buf;
  private readonly indices: I32Buf;
  private readonly values: RealBuf;

  constructor(csr: GraphCsr, dtype: Dtype) {
    super(dtype, [csr.cols], [csr.rows]);
    this.rows = csr.rows;
    this.cols = csr.cols;
    this.indptr = this.own(this.kernel.allocI32(csr.indptr.length));
    this.indptr.view.set(csr.indptr);
    this.indices = this.own(this.kernel.allocI32(csr.indices.length));
    this.indices.view.set(csr.indices);
    this.values = this.own(this.kernel.alloc(csr.values.length));
    this.values.view.set(csr.values);
  }

  get nnz(): number {
    return this.values.length;
  }

  emitApply(p: PlanBuilder, x: RealBuf, out: RealBuf): void {
    p.call("spmv", this.rows, this.indptr, this.indices, this.values, x, out);
  }

  emitAdjoint(p: PlanBuilder, y: RealBuf, out: RealBuf): void {
    p.call("spmvT", this.rows, this.cols, this.indptr, this.indices, this.values, y, out);
  }
}
