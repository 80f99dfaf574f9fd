import { shapeSize } from "../../dtype.js";
import type { RealBuf } from "../../kernel/kernel.js";
import type { Cell, PlanBuilder } from "../../kernel/plan.js";
import type { AtomContext, AtomDef, ProxCells } from "../atom.js";
import { KernelProxTerm, readAtomParams } from "./prox-term.js";

/** g = ι_{‖x‖₂ ≤ r}; prox: u · min(1, r/‖u‖₂). */
export class L2BallTerm extends KernelProxTerm {
  readonly atom = "l2Ball";
  readonly space = "x" as const;
  readonly sparsity = false;
  readonly radius: Cell;

  constructor(ctx: AtomContext, radius: number) {
    super(ctx, shapeSize(ctx.slotShape));
    this.radius = ctx.cells.cell(radius);
  }

  emitProx(p: PlanBuilder, u: RealBuf, _step: Cell, out: RealBuf, stats: ProxCells): void {
    this.checkBufs("emitProx", u, out);
    p.call("projL2Ball", this.size, this.radius, u, out, stats.nnz.ptr, stats.value.ptr);
  }

  emitValue(p: PlanBuilder, u: RealBuf, value: Cell): void {
    this.checkBufs("emitValue", u);
    p.call("l2BallIndicator", this.size, this.radius, u, value);
  }
}

/** g = ι_{‖x‖₁ ≤ r}; prox: soft(u, θ) with θ from a partial sort of |u| (u itself when inside). */
export class L1BallTerm extends KernelProxTerm {
  readonly atom = "l1Ball";
  readonly space = "x" as const;
  readonly sparsity = false;
  readonly radius: Cell;
  private readonly scratch: RealBuf;

  constructor(ctx: AtomContext, radius: number) {
    super(ctx, shapeSize(ctx.slotShape));
    this.radius = ctx.cells.cell(radius);
    this.scratch = this.own(ctx.kernel.alloc(this.size));
  }

  emitProx(p: PlanBuilder, u: RealBuf, _step: Cell, out: RealBuf, stats: ProxCells): void {
    this.checkBufs("emitProx", u, out);
    p.call("projL1Ball", this.size, this.radius, u, out, this.scratch, stats.nnz.ptr, stats.value.ptr);
  }

  emitValue(p: PlanBuilder, u: RealBuf, value: Cell): void {
    this.checkBufs("emitValue", u);
    p.call("l1BallIndicator", this.size, this.radius, u, value);
  }
}

const radiusRule = { type: "number", description: "radius of the ball", default: 1, min: 0, exclusiveMin: true } as const;

export const l2BallAtom: AtomDef = {
  name: "l2Ball",
  kind: "prox",
  description: "the constraint ‖x‖₂ ≤ radius; prox: radial projection",
  op: "none",
  target: "none",
  transform: "none",
  params: { radius: radiusRule },
  convex: true,
  space: "x",
  sparsity: false,
  create(ctx) {
    const params = readAtomParams(l2BallAtom, ctx);
    return new L2BallTerm(ctx, params.radius as number);
  },
};

export const l1BallAtom: AtomDef = {
  name: "l1Ball",
  kind: "prox",
  description: "the constraint ‖x‖₁ ≤ radius; prox: soft-threshold at the level that lands on the ball",
  op: "none",
  target: "none",
  transform: "none",
  params: { radius: radiusRule },
  convex: true,
  space: "x",
  sparsity: false,
  create(ctx) {
    const params = readAtomParams(l1BallAtom, ctx);
    return new L1BallTerm(ctx, params.radius as number);
  },
};
