import { shapeSize } from "../../dtype.js";
import type { RealBuf } from "../../kernel/kernel.js";
import type { Cell, PlanBuilder, PlanFn } from "../../kernel/plan.js";
import type { AtomContext, ProxCells } from "../atom.js";
import { KernelProxTerm } from "./prox-term.js";

/**
 * The indicator of a set of radius r on the slot whose projection thresholds u at a θ found by a
 * partial sort (the ℓ1 ball, the scaled simplex): one kernel routine projects (with a scratch of
 * the slot's size), one evaluates the indicator.
 */
export abstract class SortedProjectionTerm extends KernelProxTerm {
  readonly space = "x" as const;
  readonly sparsity = false;
  readonly radius: Cell;
  private readonly scratch: RealBuf;

  constructor(
    ctx: AtomContext,
    radius: number,
    private readonly calls: { project: PlanFn; indicator: PlanFn },
  ) {
    super(ctx, shapeSize(ctx.slotShape));
    this.radius = ctx.cells.cell(radius);
    this.scratch = this.own(ctx.kernel.alloc(this.size));
  }

  emitProx(p: PlanBuilder, u: RealBuf, _step: Cell, out: RealBuf, stats: ProxCells): void {
    this.checkBufs("emitProx", u, out);
    p.call(this.calls.project, this.size, this.radius, u, out, this.scratch, stats.nnz.ptr, stats.value.ptr);
  }

  emitValue(p: PlanBuilder, u: RealBuf, value: Cell): void {
    this.checkBufs("emitValue", u);
    p.call(this.calls.indicator, this.size, this.radius, u, value);
  }
}
