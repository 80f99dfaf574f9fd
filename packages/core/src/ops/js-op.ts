import type { Dtype, RealArray, Shape } from "../dtype.js";
import type { RealBuf } from "../kernel/kernel.js";
import type { PlanBuilder } from "../kernel/plan.js";
import type { Op } from "./op.js";
import type { LinearStructure } from "./structure.js";

/** The part of the Op contract a user-written operator must provide. */
export interface JsOpLike {
  readonly kind?: string;
  readonly dtype: Dtype;
  readonly inShape: Shape;
  readonly outShape: Shape;
  readonly normHint?: number;
  /** AᵀA's structure, when the author knows it (see Op.gramStructure); certificates check it on a probe. */
  gramStructure?(): LinearStructure | null;
  apply(x: RealArray, out?: RealArray): RealArray;
  adjoint(y: RealArray, out?: RealArray): RealArray;
  dispose?(): void;
}

/**
 * A user-written operator that only implements `apply`/`adjoint` on JS arrays: in a plan it runs
 * as a JavaScript step between kernel segments (the supported slow path), reading and writing
 * kernel memory through views — no copies beyond what the user's code does.
 */
export class JsOp implements Op {
  readonly kind: string;
  readonly dtype: Dtype;
  readonly inShape: Shape;
  readonly outShape: Shape;
  readonly normHint?: number;

  constructor(private readonly inner: JsOpLike) {
    this.kind = inner.kind ?? "js";
    this.dtype = inner.dtype;
    this.inShape = inner.inShape;
    this.outShape = inner.outShape;
    this.normHint = inner.normHint;
  }

  gramStructure(): LinearStructure | null {
    return this.inner.gramStructure?.() ?? null;
  }

  apply(x: RealArray, out?: RealArray): RealArray {
    return this.inner.apply(x, out);
  }

  adjoint(y: RealArray, out?: RealArray): RealArray {
    return this.inner.adjoint(y, out);
  }

  applyBuf(x: RealBuf, out: RealBuf): void {
    const r = this.inner.apply(x.view, out.view);
    if (r !== out.view) out.view.set(r);
  }

  adjointBuf(y: RealBuf, out: RealBuf): void {
    const r = this.inner.adjoint(y.view, out.view);
    if (r !== out.view) out.view.set(r);
  }

  emitApply(p: PlanBuilder, x: RealBuf, out: RealBuf): void {
    p.js(() => this.applyBuf(x, out));
  }

  emitAdjoint(p: PlanBuilder, y: RealBuf, out: RealBuf): void {
    p.js(() => this.adjointBuf(y, out));
  }

  dispose(): void {
    this.inner.dispose?.();
  }
}

/** An Op for the plan: ops that can emit kernel calls are used as they are, others are wrapped. */
export function asPlanOp(op: JsOpLike | Op): Op {
  const o = op as Partial<Op>;
  if (typeof o.emitApply === "function" && typeof o.emitAdjoint === "function" && typeof o.applyBuf === "function") return op as Op;
  return new JsOp(op);
}

