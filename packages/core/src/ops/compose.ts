import { sameShape, shapeSize } from "../dtype.js";
import { ShapeError } from "../errors.js";
import type { RealBuf } from "../kernel/kernel.js";
import type { PlanBuilder } from "../kernel/plan.js";
import { KernelOp, type Op, checkSameDtype } from "./op.js";
import { opArg } from "./validate.js";

/**
 * A∘B: x ↦ A(B x), with (A∘B)ᵀ = Bᵀ∘Aᵀ. Records both children into one plan through an owned
 * intermediate buffer. The children stay owned by the caller and must outlive the composition.
 */
export class ComposeOp extends KernelOp {
  readonly kind = "compose";
  private readonly mid: RealBuf;

  constructor(
    readonly outer: Op,
    readonly inner: Op,
  ) {
    super(outer.dtype, inner.inShape, outer.outShape);
    this.mid = this.own(this.kernel.alloc(shapeSize(inner.outShape)));
  }

  /** ‖A∘B‖ ≤ ‖A‖‖B‖ when both children have a hint. */
  override get normHint(): number | undefined {
    const a = this.outer.normHint;
    const b = this.inner.normHint;
    return a === undefined || b === undefined ? undefined : a * b;
  }

  emitApply(p: PlanBuilder, x: RealBuf, out: RealBuf): void {
    this.inner.emitApply(p, x, this.mid);
    this.outer.emitApply(p, this.mid, out);
  }

  emitAdjoint(p: PlanBuilder, y: RealBuf, out: RealBuf): void {
    this.outer.emitAdjoint(p, y, this.mid);
    this.inner.emitAdjoint(p, this.mid, out);
  }
}

/** A∘B (apply B first). B's output shape must equal A's input shape. */
export function compose(a: Op, b: Op): ComposeOp {
  opArg("compose", "a (outer)", a);
  opArg("compose", "b (inner)", b);
  checkSameDtype(`compose(${a.kind}, ${b.kind})`, a, b);
  if (!sameShape(a.inShape, b.outShape)) {
    throw new ShapeError(`compose(${a.kind}, ${b.kind})`, a.inShape, b.outShape, "the inner op's output shape must equal the outer op's input shape");
  }
  return new ComposeOp(a, b);
}
