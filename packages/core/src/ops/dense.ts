import type { Dtype, RealArray } from "../dtype.js";
import { ShapeError } from "../errors.js";
import type { RealBuf } from "../kernel/kernel.js";
import type { PlanBuilder } from "../kernel/plan.js";
import { withDefaults } from "../spec/params.js";
import { KernelOp, type OpFactory } from "./op.js";
import { dataParam, dtypeArg, extentArg, realsArg } from "./validate.js";

/**
 * A dense rows×cols matrix stored row-major: x (cols) ↦ A x (rows). No norm hint: the cheap
 * bounds (Frobenius, √(‖A‖₁‖A‖∞)) can overshoot ‖A‖₂ by √rank and would shrink steps needlessly;
 * power iteration (estimateOpNorm) gets it to any tolerance.
 */
export class DenseOp extends KernelOp {
  readonly kind = "dense";
  private readonly A: RealBuf;

  constructor(
    matrix: RealArray,
    readonly rows: number,
    readonly cols: number,
    dtype: Dtype,
  ) {
    super(dtype, [cols], [rows]);
    this.A = this.own(this.kernel.from(matrix, "denseOp"));
  }

  gramDiagonal(): Float64Array {
    const a = this.A.view;
    const d = new Float64Array(this.cols);
    for (let i = 0; i < this.rows; i++) {
      const row = i * this.cols;
      for (let j = 0; j < this.cols; j++) d[j] += a[row + j] * a[row + j];
    }
    return d;
  }

  emitApply(p: PlanBuilder, x: RealBuf, out: RealBuf): void {
    p.call("gemv", this.rows, this.cols, this.A, x, out);
  }

  emitAdjoint(p: PlanBuilder, y: RealBuf, out: RealBuf): void {
    p.call("gemvT", this.rows, this.cols, this.A, y, out);
  }
}

/** The validated arguments of a dense op (what denseOp and the factory's declare check). */
function denseArgs(matrix: unknown, options: { rows: number; cols: number; dtype?: Dtype }): { values: RealArray; rows: number; cols: number; dtype: Dtype } {
  const rows = extentArg("denseOp", "rows", options?.rows);
  const cols = extentArg("denseOp", "cols", options?.cols);
  const dtype = dtypeArg("denseOp", options.dtype, matrix);
  const values = realsArg("denseOp", "matrix", matrix, dtype);
  if (values.length !== rows * cols) {
    throw new ShapeError("denseOp", `${rows}×${cols} = ${rows * cols} elements (row-major)`, `${values.length} elements`);
  }
  return { values, rows, cols, dtype };
}

export function denseOp(matrix: RealArray | number[], options: { rows: number; cols: number; dtype?: Dtype }): DenseOp {
  const a = denseArgs(matrix, options);
  return new DenseOp(a.values, a.rows, a.cols, a.dtype);
}

/** `{ type: "dense", matrix: "A", rows, cols }` */
export const denseFactory: OpFactory = {
  description: "dense matrix A (row-major data array), x ↦ A x",
  params: {
    matrix: { type: "string", description: "name of the data array holding A row-major", required: true },
    rows: { type: "integer", description: "rows of A (output length)", required: true, min: 1 },
    cols: { type: "integer", description: "columns of A (input length)", required: true, min: 1 },
  },
  declare(params, ctx) {
    const p = withDefaults(this.params, params);
    const a = denseArgs(dataParam(ctx, p, "matrix"), { rows: p.rows as number, cols: p.cols as number, dtype: ctx.dtype });
    return { inShape: [a.cols], outShape: [a.rows] };
  },
  create(params, ctx) {
    const p = withDefaults(this.params, params);
    return denseOp(dataParam(ctx, p, "matrix"), { rows: p.rows as number, cols: p.cols as number, dtype: ctx.dtype });
  },
};
