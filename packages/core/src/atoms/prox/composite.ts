import { CflowError } from "../../errors.js";
import type { RealBuf } from "../../kernel/kernel.js";
import type { Cell, PlanBuilder } from "../../kernel/plan.js";
import { checkSameDtype } from "../../ops/op.js";
import { SUPPORTED_COMPOSITES } from "../../spec/lint.js";
import type { ProxCells, ProxTerm } from "../atom.js";
import { BoxTerm, NonnegTerm } from "./box.js";
import { L1Term } from "./l1.js";
import { KernelProxTerm } from "./prox-term.js";

/**
 * λ‖x‖₁ + ι_C with C a box or the non-negative orthant, as one exact prox. Both terms are
 * separable and C is a product of intervals, so per coordinate the prox of the sum is the clip to
 * the interval of the soft-threshold (assembly/prox.ts, composites). It reads the ℓ1 term's λ
 * cell and the constraint's bound cells, so tuning λ on either the composite or the ℓ1 term acts
 * on the fused prox. Disposing the composite disposes both parts.
 */
export class L1BoxTerm extends KernelProxTerm {
  readonly atom: "l1+box" | "l1+nonneg";
  readonly space = "x" as const;
  readonly sparsity = true;

  constructor(
    readonly l1: L1Term,
    readonly constraint: BoxTerm | NonnegTerm,
  ) {
    checkSameDtype(`${l1.path}: l1 + ${constraint.atom}`, l1, constraint);
    if (l1.size !== constraint.size) {
      throw new CflowError("SHAPE_MISMATCH", `${l1.path}: l1 (${l1.size} elements) and ${constraint.atom} (${constraint.size} elements) do not act on one slot`, {
        path: l1.path,
        expected: `${l1.size} elements`,
        found: `${constraint.size}`,
      });
    }
    super({ path: l1.path, kernel: l1.kernel, cells: l1.cells, weight: l1.lambda }, l1.size, l1.lam);
    this.atom = constraint instanceof NonnegTerm ? "l1+nonneg" : "l1+box";
  }

  emitProx(p: PlanBuilder, u: RealBuf, step: Cell, out: RealBuf, stats: ProxCells): void {
    this.checkBufs("emitProx", u, out);
    const c = this.constraint;
    if (c instanceof NonnegTerm) p.call("proxL1Nonneg", this.size, step, this.lam, u, out, stats.nnz.ptr, stats.value.ptr);
    else p.call("proxL1Box", this.size, step, this.lam, c.lo, c.hi, u, out, stats.nnz.ptr, stats.value.ptr);
  }

  emitValue(p: PlanBuilder, u: RealBuf, value: Cell): void {
    this.checkBufs("emitValue", u);
    p.call("l1BoxValue", this.size, this.lam, this.constraint.lo, this.constraint.hi, u, value);
  }

  override dispose(): void {
    super.dispose();
    this.l1.dispose();
    this.constraint.dispose();
  }
}

/**
 * The exact prox of two non-smooth terms on one slot, for the supported composites (lint's
 * SUPPORTED_COMPOSITES: l1 + nonneg, l1 + box, in either order). The compiler calls it when a
 * slot has both; anything else is refused with the list of what is supported.
 */
export function composeProx(a: ProxTerm, b: ProxTerm): ProxTerm {
  const [l1, other] = a instanceof L1Term ? [a, b] : b instanceof L1Term ? [b, a] : [null, null];
  if (l1 && (other instanceof BoxTerm || other instanceof NonnegTerm)) return new L1BoxTerm(l1, other);
  throw new CflowError("NONSEPARABLE_PROX", `${a.atom} + ${b.atom} on one slot has no exact joint prox`, {
    path: "composeProx",
    expected: SUPPORTED_COMPOSITES.map((c) => c.join(" + ")).join(", "),
    found: `${a.atom} + ${b.atom}`,
    hint: "keep one non-smooth term per slot, or replace one by a smooth penalty",
  });
}
