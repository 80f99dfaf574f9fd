import type { RealBuf } from "../kernel/kernel.js";
import type { Cell, PlanBuilder } from "../kernel/plan.js";
import { CflowError } from "../errors.js";
import { KernelOp, type Op, checkSameDtype, checkShape } from "./op.js";
import { opArg } from "./validate.js";

/**
 * A₁ + A₂ + …: every term sees the same input; outputs add up (and so do the adjoints). The terms
 * stay owned by the caller and must outlive the sum.
 */
export class SumOp extends KernelOp {
  readonly kind = "sum";
  private readonly tmpOut: RealBuf;
  private readonly tmpIn: RealBuf;
  private readonly one: Cell;

  constructor(readonly terms: readonly Op[]) {
    super(terms[0].dtype, terms[0].inShape, terms[0].outShape);
    this.tmpOut = this.own(this.kernel.alloc(this.outSize));
    this.tmpIn = this.own(this.kernel.alloc(this.inSize));
    this.one = this.cells.cell(1);
  }

  /** ‖Σ Aᵢ‖ ≤ Σ ‖Aᵢ‖ when every term has a hint. */
  override get normHint(): number | undefined {
    let s = 0;
    for (const t of this.terms) {
      const h = t.normHint;
      if (h === undefined) return undefined;
      s += h;
    }
    return s;
  }

  emitApply(p: PlanBuilder, x: RealBuf, out: RealBuf): void {
    this.terms[0].emitApply(p, x, out);
    for (let i = 1; i < this.terms.length; i++) {
      this.terms[i].emitApply(p, x, this.tmpOut);
      p.call("axpy", this.outSize, this.one, this.tmpOut, out);
    }
  }

  emitAdjoint(p: PlanBuilder, y: RealBuf, out: RealBuf): void {
    this.terms[0].emitAdjoint(p, y, out);
    for (let i = 1; i < this.terms.length; i++) {
      this.terms[i].emitAdjoint(p, y, this.tmpIn);
      p.call("axpy", this.inSize, this.one, this.tmpIn, out);
    }
  }
}

/** A + B (+ more): operators of one dtype with equal input shapes and equal output shapes. */
export function sumOp(...terms: Op[]): SumOp {
  if (terms.length < 2) {
    throw new CflowError("BAD_ARGUMENT", `sumOp: expected at least two operators, found ${terms.length}`, { path: "sumOp", expected: "≥ 2 operators", found: terms.length });
  }
  terms.forEach((t, i) => opArg("sumOp", `terms[${i}]`, t));
  const [a] = terms;
  terms.forEach((t, i) => {
    if (i === 0) return;
    const where = `sumOp(${a.kind} + ${t.kind}) term ${i}`;
    checkSameDtype(where, a, t);
    checkShape(`${where} input`, a.inShape, t.inShape);
    checkShape(`${where} output`, a.outShape, t.outShape);
  });
  return new SumOp(terms);
}
