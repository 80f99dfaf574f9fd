import { shapeSize } from "../../dtype.js";
import type { RealBuf } from "../../kernel/kernel.js";
import type { Cell, PlanBuilder } from "../../kernel/plan.js";
import type { AtomContext, AtomDef, ProxCells } from "../atom.js";
import { KernelProxTerm, readAtomParams } from "./prox-term.js";

/**
 * g(x) = λ(α‖x‖₁ + ½(1 − α)‖x‖²) with α = l1Ratio ∈ [0, 1] (the scikit-learn parametrisation);
 * prox_{tg}(u) = soft(u, tλα) / (1 + tλ(1 − α)).
 */
export class ElasticNetTerm extends KernelProxTerm {
  readonly atom = "elasticNet";
  readonly space = "x" as const;
  readonly sparsity: boolean;
  readonly alpha: Cell;

  constructor(ctx: AtomContext, l1Ratio: number) {
    super(ctx, shapeSize(ctx.slotShape));
    this.alpha = ctx.cells.cell(l1Ratio);
    this.sparsity = l1Ratio > 0;
  }

  emitProx(p: PlanBuilder, u: RealBuf, step: Cell, out: RealBuf, stats: ProxCells): void {
    this.checkBufs("emitProx", u, out);
    p.call("proxElasticNet", this.size, step, this.lam, this.alpha, u, out, stats.nnz.ptr, stats.value.ptr);
  }

  emitValue(p: PlanBuilder, u: RealBuf, value: Cell): void {
    this.checkBufs("emitValue", u);
    p.call("elasticNetValue", this.size, this.lam, this.alpha, u, value);
  }
}

export const elasticNetAtom: AtomDef = {
  name: "elasticNet",
  kind: "prox",
  description: "λ(α‖x‖₁ + ½(1 − α)‖x‖²), α = l1Ratio; prox: soft-threshold then shrink",
  op: "none",
  target: "none",
  transform: "none",
  params: {
    l1Ratio: { type: "number", description: "share α of the ℓ1 part (1: lasso, 0: ridge)", default: 0.5, min: 0, max: 1 },
  },
  convex: true,
  space: "x",
  sparsity: true,
  create(ctx) {
    const params = readAtomParams(elasticNetAtom, ctx);
    return new ElasticNetTerm(ctx, params.l1Ratio as number);
  },
};
