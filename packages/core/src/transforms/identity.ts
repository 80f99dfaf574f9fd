// W = I: the transform for terms that act on the signal itself (plain L1, box constraints), so
// every regulariser can name a transform and the runtime's F_Multi steps stay uniform.
import type { RealBuf } from "../kernel/kernel.js";
import type { PlanBuilder } from "../kernel/plan.js";
import { ShapeError } from "../errors.js";
import { type Band, KernelTransform, type TransformFactory, type TransformOptions } from "./transform.js";

export class IdentityTransform extends KernelTransform {
  readonly name = "identity";
  readonly frame = "unitary" as const;
  readonly c = 1;
  readonly levels = 0;
  readonly bands: readonly Band[];

  constructor(options: TransformOptions) {
    const shape = [...options.shape];
    if (shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new ShapeError('createTransform("identity")', "positive integer extents", shape);
    }
    const n = shape.reduce((a, b) => a * b, 1);
    super(options.dtype, shape, n);
    this.bands = [{ level: 0, orientation: "x", offset: 0, shape }];
  }

  translationStride(): readonly number[] {
    return this.shape.map(() => 1);
  }

  emitForward(p: PlanBuilder, x: RealBuf, out: RealBuf): void {
    p.call("copy", this.size, x, out);
  }

  emitInverse(p: PlanBuilder, u: RealBuf, out: RealBuf): void {
    p.call("copy", this.size, u, out);
  }

  emitAdjoint(p: PlanBuilder, u: RealBuf, out: RealBuf): void {
    p.call("copy", this.size, u, out);
  }
}

export const identityTransformFactory: TransformFactory = {
  create: (options) => new IdentityTransform(options),
  probe: { shape: [7, 5] },
  description: "identity (W = I): coefficients are the signal itself",
};
