import { shapeSize } from "../../dtype.js";
import type { RealBuf } from "../../kernel/kernel.js";
import type { Cell, PlanBuilder } from "../../kernel/plan.js";
import type { AtomContext, AtomDef, ProxCells } from "../atom.js";
import { KernelProxTerm, readAtomParams } from "./prox-term.js";

/** g = ι_{x ≥ 0, Σx = r} (the scaled probability simplex); prox: max(u − θ, 0) with Σ = r. */
export class SimplexTerm extends KernelProxTerm {
  readonly atom = "simplex";
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
    p.call("projSimplex", this.size, this.radius, u, out, this.scratch, stats.nnz.ptr, stats.value.ptr);
  }

  emitValue(p: PlanBuilder, u: RealBuf, value: Cell): void {
    this.checkBufs("emitValue", u);
    p.call("simplexIndicator", this.size, this.radius, u, value);
  }
}

export const simplexAtom: AtomDef = {
  name: "simplex",
  kind: "prox",
  description: "the constraint x ≥ 0, Σx = radius (probability simplex for radius 1); prox: shifted clip",
  op: "none",
  target: "none",
  transform: "none",
  params: {
    radius: { type: "number", description: "the sum Σx", default: 1, min: 0, exclusiveMin: true },
  },
  convex: true,
  space: "x",
  sparsity: false,
  create(ctx) {
    const params = readAtomParams(simplexAtom, ctx);
    return new SimplexTerm(ctx, params.radius as number);
  },
};
