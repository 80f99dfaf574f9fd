import type { Dtype, Shape } from "../dtype.js";
import type { RealBuf } from "../kernel/kernel.js";
import type { PlanBuilder } from "../kernel/plan.js";
import { withDefaults } from "../spec/params.js";
import { KernelOp, type OpFactory } from "./op.js";
import { type LinearStructure, scaledIdentity } from "./structure.js";
import { dtypeArg, shapeArg } from "./validate.js";

/** I: x ↦ x. */
export class IdentityOp extends KernelOp {
  readonly kind = "identity";

  readonly translationInvariant = true;

  override get normHint(): number {
    return 1;
  }

  gramDiagonal(): Float64Array {
    return new Float64Array(this.inSize).fill(1);
  }

  gramStructure(): LinearStructure {
    return scaledIdentity(this.inSize, 1);
  }

  emitApply(p: PlanBuilder, x: RealBuf, out: RealBuf): void {
    p.call("copy", this.inSize, x, out);
  }

  emitAdjoint(p: PlanBuilder, y: RealBuf, out: RealBuf): void {
    p.call("copy", this.inSize, y, out);
  }
}

export function identityOp(shape: Shape | number, options: { dtype?: Dtype } = {}): IdentityOp {
  const s = shapeArg("identityOp", "shape", shape);
  return new IdentityOp(dtypeArg("identityOp", options.dtype), s, s);
}

/** `{ type: "identity", shape: [n, ...] }` */
export const identityFactory: OpFactory = {
  description: "identity operator I x = x",
  params: {
    shape: { type: "number[]", description: "input (= output) shape", required: true, min: 0 },
  },
  declare(params, ctx) {
    const shape = shapeArg(ctx.path, "shape", withDefaults(this.params, params).shape);
    return { inShape: shape, outShape: shape };
  },
  create(params, ctx) {
    const p = withDefaults(this.params, params);
    return identityOp(shapeArg(ctx.path, "shape", p.shape), { dtype: ctx.dtype });
  },
};
