import type { Dtype, Shape } from "../dtype.js";
import { CflowError } from "../errors.js";
import type { RealBuf } from "../kernel/kernel.js";
import type { Cell, PlanBuilder } from "../kernel/plan.js";
import { withDefaults } from "../spec/params.js";
import { KernelOp, type OpFactory } from "./op.js";
import { type LinearStructure, scaledIdentity } from "./structure.js";
import { dtypeArg, shapeArg } from "./validate.js";

/** a·I: x ↦ a x (self-adjoint, ‖a·I‖ = |a|). */
export class ScalingOp extends KernelOp {
  readonly kind = "scaling";
  private readonly a: Cell;

  constructor(
    readonly scale: number,
    dtype: Dtype,
    shape: Shape,
  ) {
    super(dtype, shape, shape);
    this.a = this.cells.cell(scale);
  }

  readonly translationInvariant = true;

  override get normHint(): number {
    return Math.abs(this.scale);
  }

  gramDiagonal(): Float64Array {
    return new Float64Array(this.inSize).fill(this.scale * this.scale);
  }

  gramStructure(): LinearStructure {
    return scaledIdentity(this.inSize, this.scale * this.scale);
  }

  emitApply(p: PlanBuilder, x: RealBuf, out: RealBuf): void {
    p.call("copy", this.inSize, x, out).call("scale", this.inSize, this.a, out);
  }

  emitAdjoint(p: PlanBuilder, y: RealBuf, out: RealBuf): void {
    this.emitApply(p, y, out);
  }
}

export function scalingOp(scale: number, shape: Shape | number, options: { dtype?: Dtype } = {}): ScalingOp {
  return new ScalingOp(scaleArg(scale), dtypeArg("scalingOp", options.dtype), shapeArg("scalingOp", "shape", shape));
}

function scaleArg(scale: unknown): number {
  if (typeof scale !== "number" || !Number.isFinite(scale)) {
    throw new CflowError("BAD_ARGUMENT", `scalingOp: the scale must be a finite number, found ${String(scale)}`, { path: "scalingOp.scale", expected: "a finite number", found: String(scale) });
  }
  return scale;
}

/** `{ type: "scaling", scale: 0.5, shape: [n, ...] }` */
export const scalingFactory: OpFactory = {
  description: "scaled identity a·I",
  params: {
    scale: { type: "number", description: "the factor a", required: true },
    shape: { type: "number[]", description: "input (= output) shape", required: true, min: 0 },
  },
  declare(params, ctx) {
    const p = withDefaults(this.params, params);
    scaleArg(p.scale);
    const shape = shapeArg(ctx.path, "shape", p.shape);
    return { inShape: shape, outShape: shape };
  },
  create(params, ctx) {
    const p = withDefaults(this.params, params);
    return scalingOp(p.scale as number, shapeArg(ctx.path, "shape", p.shape), { dtype: ctx.dtype });
  },
};
