import type { Dtype, RealArray, Shape } from "../dtype.js";
import { shapeSize } from "../dtype.js";
import { CflowError, ShapeError } from "../errors.js";
import type { RealBuf } from "../kernel/kernel.js";
import type { PlanBuilder } from "../kernel/plan.js";
import { withDefaults } from "../spec/params.js";
import { KernelOp, type OpFactory } from "./op.js";
import { type LinearStructure, diagonalStructure } from "./structure.js";
import { dataParam, dtypeArg, realsArg, shapeArg } from "./validate.js";

/**
 * Element-wise 0/1 selection M: x ↦ m ⊙ x, same shape in and out (inpainting keeps the image
 * shape; subsampleOp drops the unobserved entries instead). A projection: Mᵀ = M, ‖M‖ = 1.
 */
export class MaskOp extends KernelOp {
  readonly kind = "mask";
  private readonly m: RealBuf;
  /** Number of selected (1) entries. */
  readonly count: number;

  constructor(mask: RealArray, dtype: Dtype, shape: Shape) {
    super(dtype, shape, shape);
    this.m = this.own(this.kernel.from(mask, "maskOp"));
    let c = 0;
    for (let i = 0; i < mask.length; i++) c += mask[i];
    this.count = c;
  }

  override get normHint(): number {
    return this.count > 0 ? 1 : 0;
  }

  gramDiagonal(): Float64Array {
    return Float64Array.from(this.m.view);
  }

  gramStructure(): LinearStructure {
    return diagonalStructure(this.gramDiagonal());
  }

  emitApply(p: PlanBuilder, x: RealBuf, out: RealBuf): void {
    p.call("mul", this.inSize, this.m, x, out);
  }

  emitAdjoint(p: PlanBuilder, y: RealBuf, out: RealBuf): void {
    p.call("mul", this.inSize, this.m, y, out);
  }
}

/** M = diag(mask) for a mask of 0s and 1s (booleans accepted) on arrays of `shape` (default [mask.length]). */
export function maskOp(mask: RealArray | ArrayLike<number | boolean>, options: { dtype?: Dtype; shape?: Shape | number } = {}): MaskOp {
  const a = maskArgs(mask, options);
  return new MaskOp(a.m, a.dtype, a.shape);
}

function maskArgs(mask: RealArray | ArrayLike<number | boolean>, options: { dtype?: Dtype; shape?: Shape | number }): { m: RealArray; dtype: Dtype; shape: Shape } {
  const dtype = dtypeArg("maskOp", options.dtype, mask);
  const given = mask instanceof Float64Array || mask instanceof Float32Array ? mask : Array.from(mask as ArrayLike<unknown>, (v) => (typeof v === "boolean" ? Number(v) : v));
  const m = realsArg("maskOp", "mask", given, dtype);
  for (let i = 0; i < m.length; i++) {
    if (m[i] !== 0 && m[i] !== 1) {
      throw new CflowError("BAD_MASK", `maskOp: mask[${i}] = ${m[i]}; a mask holds only 0 and 1`, { path: `maskOp.mask[${i}]`, expected: "0 or 1", found: String(m[i]) });
    }
  }
  const shape = options.shape === undefined ? [m.length] : shapeArg("maskOp", "shape", options.shape);
  if (shapeSize(shape) !== m.length) throw new ShapeError("maskOp", shape, m.length, "the mask has one entry per element of the shape");
  return { m, dtype, shape };
}

/** `{ type: "mask", mask: "observed", shape?: [...] }` */
export const maskFactory: OpFactory = {
  description: "element-wise 0/1 mask, x ↦ m ⊙ x (same shape)",
  params: {
    mask: { type: "string", description: "name of the data array of 0s and 1s", required: true },
    shape: { type: "number[]", description: "input (= output) shape; default [length of the mask]", min: 0 },
  },
  declare(params, ctx) {
    const p = withDefaults(this.params, params);
    const { shape } = maskArgs(dataParam(ctx, p, "mask"), { dtype: ctx.dtype, shape: p.shape === undefined ? undefined : shapeArg(ctx.path, "shape", p.shape) });
    return { inShape: shape, outShape: shape };
  },
  create(params, ctx) {
    const p = withDefaults(this.params, params);
    return maskOp(dataParam(ctx, p, "mask"), { dtype: ctx.dtype, shape: p.shape === undefined ? undefined : shapeArg(ctx.path, "shape", p.shape) });
  },
};
