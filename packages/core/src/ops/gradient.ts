import type { Dtype, Shape } from "../dtype.js";
import { CflowError, ShapeError } from "../errors.js";
import type { RealBuf } from "../kernel/kernel.js";
import type { PlanBuilder } from "../kernel/plan.js";
import { KernelOp, type OpFactory } from "./op.js";

/**
 * The forward finite-difference gradient with Neumann boundaries (the last difference along each
 * axis is 0): R^n → R^n for a 1D signal, R^{rows×cols} → R^{2×rows×cols} for an image (the
 * difference along axis 0, down the rows, first). Its adjoint is the negative divergence.
 * ‖∇‖² is below 4 in 1D and 8 in 2D (the Laplacian's Gershgorin bound), so normHint is 2 or √8.
 */
export class GradientOp extends KernelOp {
  readonly kind = "gradient";

  constructor(dtype: Dtype, shape: Shape) {
    checkGridShape("gradient", shape);
    super(dtype, shape, gradientOutShape(shape));
  }

  override get normHint(): number {
    return this.inShape.length === 1 ? 2 : Math.sqrt(8);
  }

  emitApply(p: PlanBuilder, x: RealBuf, out: RealBuf): void {
    if (this.inShape.length === 1) p.call("diff1D", this.inSize, x, out);
    else p.call("diff2D", this.inShape[0], this.inShape[1], x, out);
  }

  emitAdjoint(p: PlanBuilder, y: RealBuf, out: RealBuf): void {
    if (this.inShape.length === 1) p.call("diff1DAdjoint", this.inSize, y, out);
    else p.call("diff2DAdjoint", this.inShape[0], this.inShape[1], y, out);
  }
}

function checkGridShape(path: string, shape: unknown): asserts shape is Shape {
  const ok = Array.isArray(shape) && (shape.length === 1 || shape.length === 2) && shape.every((d) => Number.isInteger(d) && d >= 1);
  if (!ok) {
    throw new ShapeError(path, "[n] or [rows, cols] with positive integer extents", Array.isArray(shape) ? (shape as number[]) : String(shape), "the gradient acts on 1D signals and 2D images");
  }
}

function gradientShape(params: Record<string, unknown>, path: string): Shape {
  const shape = params.shape;
  if (shape === undefined) {
    throw new CflowError("MISSING_PARAM", `${path}.shape: the gradient op needs the signal's shape`, { path: `${path}.shape`, expected: "[n] or [rows, cols]", found: "undefined" });
  }
  checkGridShape(`${path}.shape`, shape);
  return shape;
}

/** [n] → [n]; [rows, cols] → [2, rows, cols]. */
function gradientOutShape(shape: Shape): Shape {
  return shape.length === 1 ? [shape[0]] : [2, shape[0], shape[1]];
}

/** Registry entry: `ops: { D: { type: "gradient", shape: [rows, cols] } }`. */
export const gradientFactory: OpFactory = {
  description: "finite-difference gradient with Neumann boundaries: [n] → [n], [rows, cols] → [2, rows, cols]; adjoint = −divergence",
  params: {
    shape: { type: "number[]", description: "shape of the signal: [n] or [rows, cols]", required: true, min: 1 },
  },
  declare(params, ctx) {
    const shape = gradientShape(params, ctx.path);
    return { inShape: shape, outShape: gradientOutShape(shape) };
  },
  create(params, ctx) {
    return new GradientOp(ctx.dtype, gradientShape(params, ctx.path));
  },
};
