import type { Dtype, RealArray } from "../dtype.js";
import { CflowError, ShapeError } from "../errors.js";
import type { I32Buf, RealBuf } from "../kernel/kernel.js";
import type { PlanBuilder } from "../kernel/plan.js";
import { withDefaults } from "../spec/params.js";
import { KernelOp, type OpFactory } from "./op.js";
import { dataParam, dtypeArg, extentArg, indicesArg, realsArg } from "./validate.js";

/** A sparse matrix in compressed sparse row form. */
export interface CsrMatrix {
  /** rows + 1 offsets into indices/values, starting at 0, non-decreasing. */
  indptr: ArrayLike<number>;
  /** Column of each stored entry. */
  indices: ArrayLike<number>;
  values: RealArray | number[];
}

/**
 * A rows×cols CSR matrix: x (cols) ↦ A x (rows). The adjoint scatters; in float32 its column sums
 * accumulate in float32 (the kernel has no per-column f64 scratch). No norm hint (see DenseOp).
 */
export class CsrOp extends KernelOp {
  /** "csr"; a subclass names its own matrix (a graph plugin's "graphLaplacian"). */
  readonly kind: string = "csr";
  private readonly indptr: I32Buf;
  private readonly indices: I32Buf;
  private readonly values: RealBuf;

  constructor(
    indptr: Int32Array,
    indices: Int32Array,
    values: RealArray,
    readonly rows: number,
    readonly cols: number,
    dtype: Dtype,
  ) {
    super(dtype, [cols], [rows]);
    this.indptr = this.own(this.kernel.allocI32(indptr.length));
    this.indptr.view.set(indptr);
    this.indices = this.own(this.kernel.allocI32(indices.length));
    this.indices.view.set(indices);
    this.values = this.own(this.kernel.from(values, "csrOp"));
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

export function csrOp(matrix: CsrMatrix, options: { rows: number; cols: number; dtype?: Dtype }): CsrOp {
  const a = csrArgs(matrix, options);
  return new CsrOp(a.indptr, a.indices, a.values, a.rows, a.cols, a.dtype);
}

/** The validated arrays of a CSR matrix (what csrOp and the factory's declare check). */
function csrArgs(matrix: CsrMatrix, options: { rows: number; cols: number; dtype?: Dtype }): { indptr: Int32Array; indices: Int32Array; values: RealArray; rows: number; cols: number; dtype: Dtype } {
  const rows = extentArg("csrOp", "rows", options?.rows);
  const cols = extentArg("csrOp", "cols", options?.cols);
  const dtype = dtypeArg("csrOp", options.dtype, matrix?.values);
  const values = realsArg("csrOp", "values", matrix?.values, dtype);
  const nnz = values.length;
  const indptr = indicesArg("csrOp", "indptr", matrix.indptr, nnz + 1);
  if (indptr.length !== rows + 1) throw new ShapeError("csrOp (indptr)", `rows + 1 = ${rows + 1} offsets`, `${indptr.length}`);
  for (let i = 0; i < rows; i++) {
    if (indptr[i + 1] < indptr[i]) {
      throw new CflowError("BAD_CSR", `csrOp: indptr must be non-decreasing, found indptr[${i}] = ${indptr[i]} > indptr[${i + 1}] = ${indptr[i + 1]}`, {
        path: `csrOp.indptr[${i + 1}]`,
        expected: `≥ ${indptr[i]}`,
        found: String(indptr[i + 1]),
      });
    }
  }
  if (indptr[0] !== 0 || indptr[rows] !== nnz) {
    throw new CflowError("BAD_CSR", `csrOp: indptr must run from 0 to nnz = ${nnz}, found ${indptr[0]} … ${indptr[rows]}`, {
      path: "csrOp.indptr",
      expected: `0 … ${nnz}`,
      found: `${indptr[0]} … ${indptr[rows]}`,
    });
  }
  const indices = indicesArg("csrOp", "indices", matrix.indices, cols);
  if (indices.length !== nnz) throw new ShapeError("csrOp (indices)", `one column index per value (${nnz})`, `${indices.length}`);
  return { indptr, indices, values, rows, cols, dtype };
}

/** `{ type: "csr", indptr: "ip", indices: "ix", values: "v", rows, cols }` */
export const csrFactory: OpFactory = {
  description: "sparse matrix in CSR form (three data arrays), x ↦ A x",
  params: {
    indptr: { type: "string", description: "name of the data array of rows + 1 row offsets", required: true },
    indices: { type: "string", description: "name of the data array of column indices", required: true },
    values: { type: "string", description: "name of the data array of stored values", required: true },
    rows: { type: "integer", description: "rows of A (output length)", required: true, min: 1 },
    cols: { type: "integer", description: "columns of A (input length)", required: true, min: 1 },
  },
  declare(params, ctx) {
    const p = withDefaults(this.params, params);
    const matrix = { indptr: dataParam(ctx, p, "indptr"), indices: dataParam(ctx, p, "indices"), values: dataParam(ctx, p, "values") };
    const a = csrArgs(matrix, { rows: p.rows as number, cols: p.cols as number, dtype: ctx.dtype });
    return { inShape: [a.cols], outShape: [a.rows] };
  },
  create(params, ctx) {
    const p = withDefaults(this.params, params);
    const matrix = { indptr: dataParam(ctx, p, "indptr"), indices: dataParam(ctx, p, "indices"), values: dataParam(ctx, p, "values") };
    return csrOp(matrix, { rows: p.rows as number, cols: p.cols as number, dtype: ctx.dtype });
  },
};
