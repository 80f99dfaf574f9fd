import { shapeSize } from "../../dtype.js";
import { CflowError } from "../../errors.js";
import type { RealBuf } from "../../kernel/kernel.js";
import type { Cell, PlanBuilder } from "../../kernel/plan.js";
import type { AtomContext, AtomDef, ProxCells } from "../atom.js";
import { KernelProxTerm, readAtomParams } from "./prox-term.js";

/**
 * g(x) = λ Σ_G ‖x_G‖₂ (ℓ2,1) over contiguous groups of `groupSize` elements of the flattened slot
 * (for a [rows, cols] slot with groupSize = cols, the groups are the rows);
 * prox_{tg}(u)_G = u_G · max(0, 1 − tλ/‖u_G‖₂).
 */
export class GroupL1Term extends KernelProxTerm {
  readonly atom = "groupL1";
  readonly space = "x" as const;
  readonly sparsity = true;

  constructor(
    ctx: AtomContext,
    readonly groupSize: number,
  ) {
    super(ctx, shapeSize(ctx.slotShape));
    if (this.size % groupSize !== 0) {
      throw new CflowError("BAD_PARAM", `${ctx.path}.params.groupSize: the slot's ${this.size} elements do not split into groups of ${groupSize}`, {
        path: `${ctx.path}.params.groupSize`,
        expected: `a divisor of ${this.size}`,
        found: groupSize,
      });
    }
  }

  emitProx(p: PlanBuilder, u: RealBuf, step: Cell, out: RealBuf, stats: ProxCells): void {
    this.checkBufs("emitProx", u, out);
    p.call("proxGroupL1", this.size, this.groupSize, step, this.lam, u, out, stats.nnz.ptr, stats.value.ptr);
  }

  emitValue(p: PlanBuilder, u: RealBuf, value: Cell): void {
    this.checkBufs("emitValue", u);
    p.call("groupL1Value", this.size, this.groupSize, this.lam, u, value);
  }
}

export const groupL1Atom: AtomDef = {
  name: "groupL1",
  kind: "prox",
  description: "λ Σ_G ‖x_G‖₂ over contiguous groups of groupSize elements (group lasso); prox: group soft-threshold",
  op: "none",
  target: "none",
  transform: "none",
  params: {
    groupSize: { type: "integer", description: "elements per group (contiguous in the flattened slot; must divide its size)", required: true, min: 1 },
  },
  convex: true,
  space: "x",
  sparsity: true,
  create(ctx) {
    const params = readAtomParams(groupL1Atom, ctx);
    return new GroupL1Term(ctx, params.groupSize as number);
  },
};
