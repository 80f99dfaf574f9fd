import { shapeSize } from "../../dtype.js";
import type { RealBuf } from "../../kernel/kernel.js";
import type { Cell, PlanBuilder } from "../../kernel/plan.js";
import type { AtomContext, AtomDef, ProxCells } from "../atom.js";
import { KernelProxTerm, readAtomParams } from "./prox-term.js";

/**
 * g(x) = λ‖x‖₁ on a slot; prox_{tg} is the soft-threshold at tλ. Its conjugate is the indicator of
 * the ∞-ball of radius λ, whose prox is the clip to [−λ, λ] (for any σ).
 */
export class L1Term extends KernelProxTerm {
  readonly atom = "l1";
  readonly space = "x" as const;
  readonly sparsity = true;

  constructor(ctx: AtomContext) {
    super(ctx, shapeSize(ctx.slotShape));
  }

  emitProx(p: PlanBuilder, u: RealBuf, step: Cell, out: RealBuf, stats: ProxCells): void {
    this.checkBufs("emitProx", u, out);
    p.call("softThreshold", this.size, step, this.lam, u, out, stats.nnz.ptr, stats.value.ptr);
  }

  emitValue(p: PlanBuilder, u: RealBuf, value: Cell): void {
    this.checkBufs("emitValue", u);
    p.call("l1Value", this.size, this.lam, u, value);
  }

  override emitProxConjugate(p: PlanBuilder, v: RealBuf, _sigma: Cell, out: RealBuf, stats: ProxCells): void {
    this.checkBufs("emitProxConjugate", v, out);
    p.call("projLinfBall", this.size, this.lam, v, out, stats.nnz.ptr, stats.value.ptr);
  }
}

export const l1Atom: AtomDef = {
  name: "l1",
  kind: "prox",
  description: "λ‖x‖₁ (sparsity on the slot itself); prox: soft-threshold at tλ; conjugate prox: clip to [−λ, λ]",
  op: "none",
  target: "none",
  transform: "none",
  params: {},
  convex: true,
  space: "x",
  sparsity: true,
  composesWith: ["nonneg", "box"],
  create(ctx) {
    readAtomParams(l1Atom, ctx);
    return new L1Term(ctx);
  },
};
