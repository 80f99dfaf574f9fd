import { CsrOp, type Dtype } from "@cflow/core";
import type { GraphCsr } from "./graph.js";

/**
 * A matrix of a graph (Laplacian, incidence) as core's CSR kernel operator: the arrays live in
 * kernel memory and apply/adjoint record one `spmv`/`spmvT` call, so a flow using the op stays one
 * kernel call per step.
 */
export abstract class GraphMatrixOp extends CsrOp {
  constructor(csr: GraphCsr, dtype: Dtype) {
    super(csr.indptr, csr.indices, dtype === "float64" ? csr.values : Float32Array.from(csr.values), csr.rows, csr.cols, dtype);
  }
}
