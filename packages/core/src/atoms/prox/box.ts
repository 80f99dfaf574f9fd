import { shapeSize } from "../../dtype.js";
import type { RealBuf } from "../../kernel/kernel.js";
import type { Cell, PlanBuilder } from "../../kernel/plan.js";
import type { AtomContext, AtomDef, ProxCells } from "../atom.js";
import { KernelProxTerm, readAtomParams } from "./prox-term.js";

/** g = ι_[lo,hi]ⁿ, the indicator of a box (0 inside, +∞ outside); prox: clip. */
export class BoxTerm extends KernelProxTerm {
  readonly atom = "box";
  readonly space = "x" as const;
  readonly sparsity = false;
  readonly diagonalMetricExact = true;
  readonly lo: Cell;
  readonly hi: Cell;

  constructor(ctx: AtomContext, lo: number, hi: number) {
    super(ctx, shapeSize(ctx.slotShape));
    this.lo = ctx.cells.cell(lo);
    this.hi = ctx.cells.cell(hi);
  }

  emitProx(p: PlanBuilder, u: RealBuf, _step: Cell, out: RealBuf, stats: ProxCells): void {
    this.checkBufs("emitProx", u, out);
    p.call("projBox", this.size, this.lo, this.hi, u, out, stats.nnz.ptr, stats.value.ptr);
  }

  emitValue(p: PlanBuilder, u: RealBuf, value: Cell): void {
    this.checkBufs("emitValue", u);
    p.call("boxIndicator", this.size, this.lo, this.hi, u, value);
  }
}

/** g = ι_{x ≥ 0}; prox: max(u, 0). Its conjugate is ι_{x ≤ 0}, with prox min(v, 0). */
export class NonnegTerm extends KernelProxTerm {
  readonly atom = "nonneg";
  readonly space = "x" as const;
  readonly sparsity = false;
  readonly diagonalMetricExact = true;
  /** The orthant as a box [0, +∞] (its indicator, and the composite with ℓ1, read these). */
  readonly lo: Cell;
  readonly hi: Cell;
  /** The non-positive orthant [−∞, 0], the conjugate's domain. */
  private readonly conjLo: Cell;
  private readonly conjHi: Cell;

  constructor(ctx: AtomContext) {
    super(ctx, shapeSize(ctx.slotShape));
    this.lo = ctx.cells.cell(0);
    this.hi = ctx.cells.cell(Infinity);
    this.conjLo = ctx.cells.cell(-Infinity);
    this.conjHi = ctx.cells.cell(0);
  }

  emitProx(p: PlanBuilder, u: RealBuf, _step: Cell, out: RealBuf, stats: ProxCells): void {
    this.checkBufs("emitProx", u, out);
    p.call("projNonneg", this.size, u, out, stats.nnz.ptr, stats.value.ptr);
  }

  override emitProxConjugate(p: PlanBuilder, v: RealBuf, _sigma: Cell, out: RealBuf, stats: ProxCells): void {
    this.checkBufs("emitProxConjugate", v, out);
    p.call("projBox", this.size, this.conjLo, this.conjHi, v, out, stats.nnz.ptr, stats.value.ptr);
  }

  emitValue(p: PlanBuilder, u: RealBuf, value: Cell): void {
    this.checkBufs("emitValue", u);
    p.call("boxIndicator", this.size, this.lo, this.hi, u, value);
  }
}

export const boxAtom: AtomDef = {
  name: "box",
  kind: "prox",
  description: "the constraint lo ≤ x ≤ hi (indicator of a box); prox: clip",
  op: "none",
  target: "none",
  transform: "none",
  params: {
    lo: { type: "number", description: "lower bound", required: true },
    hi: { type: "number", description: "upper bound (≥ lo)", required: true },
  },
  convex: true,
  space: "x",
  sparsity: false,
  composesWith: ["l1"],
  checkParams(params) {
    const { lo, hi } = params;
    if (typeof lo === "number" && typeof hi === "number" && !(lo <= hi)) {
      return { param: "hi", message: `the box is empty: hi (${hi}) < lo (${lo})`, expected: `a number ≥ lo = ${lo}`, found: hi };
    }
    return null;
  },
  create(ctx) {
    const params = readAtomParams(boxAtom, ctx);
    return new BoxTerm(ctx, params.lo as number, params.hi as number);
  },
};

export const nonnegAtom: AtomDef = {
  name: "nonneg",
  kind: "prox",
  description: "the constraint x ≥ 0; prox: max(x, 0); conjugate prox: min(x, 0)",
  op: "none",
  target: "none",
  transform: "none",
  params: {},
  convex: true,
  space: "x",
  sparsity: false,
  composesWith: ["l1"],
  create(ctx) {
    readAtomParams(nonnegAtom, ctx);
    return new NonnegTerm(ctx);
  },
};
