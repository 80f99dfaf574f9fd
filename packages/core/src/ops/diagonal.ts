import type { Dtype, RealArray, Shape } from "../dtype.js";
import { ShapeError } from "../errors.js";
import type { RealBuf } from "../kernel/kernel.js";
import type { PlanBuilder } from "../kernel/plan.js";
import { shapeSize } from "../dtype.js";
import { withDefaults } from "../spec/params.js";
import { KernelOp, type OpFactory } from "./op.js";
import { type LinearStructure, diagonalStructure } from "./structure.js";
import { dataParam, dtypeArg, realsArg, shapeArg } from "./validate.js";

/** diag(d): x ↦ d ⊙ x (self-adjoint, ‖diag(d)‖ = max |d_i|). */
export class DiagonalOp extends KernelOp {
  readonly kind = "diagonal";
  private readonly d: RealBuf;
  private readonly maxAbs: number;

  constructor(d: RealArray, dtype: Dtype, shape: Shape) {
    super(dtype, shape, shape);
    this.d = this.own(this.kernel.from(d, "diagonalOp"));
    this.maxAbs = this.kernel.exports.maxAbs(d.length, this.d.ptr);
  }

  override get normHint(): number {
    return this.maxAbs;
  }

  gramDiagonal(): Float64Array {
    return Float64Array.from(this.d.view, (v) => v * v);
  }

  gramStructure(): LinearStructure {
    return diagonalStructure(this.gramDiagonal());
  }

  emitApply(p: PlanBuilder, x: RealBuf, out: RealBuf): void {
    p.call("mul", this.inSize, this.d, x, out);
  }

  emitAdjoint(p: PlanBuilder, y: RealBuf, out: RealBuf): void {
    p.call("mul", this.inSize, this.d, y, out);
  }
}

/** diag(d) on arrays of `shape` (default: a vector of d's length). */
export function diagonalOp(d: RealArray | number[], options: { dtype?: Dtype; shape?: Shape | number } = {}): DiagonalOp {
  const a = diagonalArgs(d, options);
  return new DiagonalOp(a.values, a.dtype, a.shape);
}

function diagonalArgs(d: unknown, options: { dtype?: Dtype; shape?: Shape | number }): { values: RealArray; dtype: Dtype; shape: Shape } {
  const dtype = dtypeArg("diagonalOp", options.dtype, d);
  const values = realsArg("diagonalOp", "d", d, dtype);
  const shape = options.shape === undefined ? [values.length] : shapeArg("diagonalOp", "shape", options.shape);
  if (shapeSize(shape) !== values.length) throw new ShapeError("diagonalOp", shape, values.length, "the diagonal has one entry per element of the shape");
  return { values, dtype, shape };
}

/** `{ type: "diagonal", diag: "w", shape?: [...] }` */
export const diagonalFactory: OpFactory = {
  description: "diagonal operator diag(d) x = d ⊙ x",
  params: {
    diag: { type: "string", description: "name of the data array holding d", required: true },
    shape: { type: "number[]", description: "input (= output) shape; default [length of d]", min: 0 },
  },
  declare(params, ctx) {
    const p = withDefaults(this.params, params);
    const { shape } = diagonalArgs(dataParam(ctx, p, "diag"), { dtype: ctx.dtype, shape: p.shape === undefined ? undefined : shapeArg(ctx.path, "shape", p.shape) });
    return { inShape: shape, outShape: shape };
  },
  create(params, ctx) {
    const p = withDefaults(this.params, params);
    return diagonalOp(dataParam(ctx, p, "diag"), { dtype: ctx.dtype, shape: p.shape === undefined ? undefined : shapeArg(ctx.path, "shape", p.shape) });
  },
};
