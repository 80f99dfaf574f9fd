import type { Dtype, Shape } from "../dtype.js";
import { shapeSize } from "../dtype.js";
import type { I32Buf, RealBuf } from "../kernel/kernel.js";
import type { Cell, PlanBuilder } from "../kernel/plan.js";
import { withDefaults } from "../spec/params.js";
import { KernelOp, type OpFactory } from "./op.js";
import { type LinearStructure, diagonalStructure } from "./structure.js";
import { dataParam, dtypeArg, indicesArg, shapeArg } from "./validate.js";

/**
 * S: x ↦ (x[i₀], …, x[i_{k−1}]), the entries at given flat indices (row-major for a
 * multi-dimensional input). Sᵀ scatters back and adds repeated indices, so SᵀS = diag(multiplicity)
 * and ‖S‖ = √(largest multiplicity): 1 for distinct indices.
 */
export class SubsampleOp extends KernelOp {
  readonly kind = "subsample";
  private readonly idx: I32Buf;
  private readonly zero: Cell;
  private readonly norm: number;

  constructor(indices: Int32Array, dtype: Dtype, inShape: Shape) {
    super(dtype, inShape, [indices.length]);
    this.idx = this.own(this.kernel.allocI32(indices.length));
    this.idx.view.set(indices);
    this.zero = this.cells.cell(0);
    const mult = new Map<number, number>();
    let most = 0;
    for (const i of indices) {
      const c = (mult.get(i) ?? 0) + 1;
      mult.set(i, c);
      most = Math.max(most, c);
    }
    this.norm = Math.sqrt(most);
  }

  override get normHint(): number {
    return this.norm;
  }

  /** SᵀS = diag(multiplicity of each input index). */
  gramStructure(): LinearStructure {
    const d = new Float64Array(this.inSize);
    for (const i of this.idx.view) d[i] += 1;
    return diagonalStructure(d);
  }

  emitApply(p: PlanBuilder, x: RealBuf, out: RealBuf): void {
    p.call("gather", this.outSize, this.idx, x, out);
  }

  emitAdjoint(p: PlanBuilder, y: RealBuf, out: RealBuf): void {
    p.call("fill", this.inSize, this.zero, out).call("scatterAdd", this.outSize, this.idx, y, out);
  }
}

/** Picks `indices` (flat, in [0, size of inShape)) from arrays of `inShape`; output length k. */
export function subsampleOp(indices: ArrayLike<number>, options: { inShape: Shape | number; dtype?: Dtype }): SubsampleOp {
  const a = subsampleArgs(indices, options);
  return new SubsampleOp(a.idx, dtypeArg("subsampleOp", options.dtype), a.inShape);
}

function subsampleArgs(indices: unknown, options: { inShape: Shape | number }): { idx: Int32Array; inShape: Shape } {
  const inShape = shapeArg("subsampleOp", "inShape", options?.inShape);
  return { idx: indicesArg("subsampleOp", "indices", indices, shapeSize(inShape)), inShape };
}

/** `{ type: "subsample", indices: "observedAt", inShape: [n, ...] }` */
export const subsampleFactory: OpFactory = {
  description: "pick entries at given flat indices, x ↦ x[idx] (output length k)",
  params: {
    indices: { type: "string", description: "name of the data array of flat indices (integers)", required: true },
    inShape: { type: "number[]", description: "input shape", required: true, min: 0 },
  },
  declare(params, ctx) {
    const p = withDefaults(this.params, params);
    const a = subsampleArgs(dataParam(ctx, p, "indices"), { inShape: shapeArg(ctx.path, "inShape", p.inShape) });
    return { inShape: a.inShape, outShape: [a.idx.length] };
  },
  create(params, ctx) {
    const p = withDefaults(this.params, params);
    return subsampleOp(dataParam(ctx, p, "indices"), { inShape: shapeArg(ctx.path, "inShape", p.inShape), dtype: ctx.dtype });
  },
};
