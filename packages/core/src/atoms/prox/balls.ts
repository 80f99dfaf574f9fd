import { shapeSize } from "../../dtype.js";
import type { RealBuf } from "../../kernel/kernel.js";
import type { Cell, PlanBuilder } from "../../kernel/plan.js";
import type { Op } from "../../ops/op.js";
import type { AtomContext, AtomDef, ProxCells } from "../atom.js";
import { fidelitySpace } from "./fidelity.js";
import { SortedProjectionTerm } from "./sorted-projection.js";
import { KernelProxTerm, readAtomParams } from "./prox-term.js";

/**
 * g = ι_{‖u − y‖₂ ≤ r}, a noise ball around the target y (y = 0 without one), on u = Kx with an
 * op (the constraint ‖Kx − y‖ ≤ r: `splitting: "dual"`) or on the slot. prox: the radial
 * projection y + (u − y)·min(1, r/‖u − y‖₂); conjugate g*(p) = ⟨p, y⟩ + r‖p‖₂, prox: the block
 * soft-threshold of v − σy at σr.
 */
export class L2BallTerm extends KernelProxTerm {
  readonly atom = "l2Ball";
  readonly space = "x" as const;
  readonly sparsity = false;
  override readonly op: Op | null;
  readonly target: RealBuf | null;
  readonly radius: Cell;

  constructor(ctx: AtomContext, radius: number) {
    const at = fidelitySpace(ctx, "l2Ball", "optional");
    super(ctx, at.size);
    this.op = at.op;
    this.target = at.target;
    this.radius = ctx.cells.cell(radius);
  }

  emitProx(p: PlanBuilder, u: RealBuf, _step: Cell, out: RealBuf, stats: ProxCells): void {
    this.checkBufs("emitProx", u, out);
    if (this.target) p.call("projL2BallAt", this.size, this.radius, this.target, u, out, stats.nnz.ptr, stats.value.ptr);
    else p.call("projL2Ball", this.size, this.radius, u, out, stats.nnz.ptr, stats.value.ptr);
  }

  emitValue(p: PlanBuilder, u: RealBuf, value: Cell): void {
    this.checkBufs("emitValue", u);
    if (this.target) p.call("l2BallAtIndicator", this.size, this.radius, this.target, u, value);
    else p.call("l2BallIndicator", this.size, this.radius, u, value);
  }

  override emitProxConjugate(p: PlanBuilder, v: RealBuf, sigma: Cell, out: RealBuf, stats: ProxCells): void {
    this.checkBufs("emitProxConjugate", v, out);
    if (this.target) p.call("proxL2BallAtConj", this.size, sigma, this.radius, this.target, v, out, stats.nnz.ptr, stats.value.ptr);
    // r‖·‖₂ is the group ℓ2 norm with one group: its prox is the block soft-threshold at σr
    else p.call("proxGroupL1", this.size, this.size, sigma, this.radius, v, out, stats.nnz.ptr, stats.value.ptr);
  }
}

/** g = ι_{‖x‖₁ ≤ r}; prox: soft(u, θ) with θ from a partial sort of |u| (u itself when inside). */
export class L1BallTerm extends SortedProjectionTerm {
  readonly atom = "l1Ball";

  constructor(ctx: AtomContext, radius: number) {
    super(ctx, radius, { project: "projL1Ball", indicator: "l1BallIndicator" });
  }
}

const radiusRule = { type: "number", description: "radius of the ball", default: 1, min: 0, exclusiveMin: true } as const;

export const l2BallAtom: AtomDef = {
  name: "l2Ball",
  kind: "prox",
  description: "the constraint ‖Kx − y‖₂ ≤ radius (Kx = x without an op, y = 0 without a target); prox: radial projection onto the ball around y; conjugate prox: block soft-threshold",
  op: "optional",
  target: "optional",
  transform: "none",
  params: { radius: radiusRule },
  convex: true,
  space: "x",
  sparsity: false,
  splitting: "dual",
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
