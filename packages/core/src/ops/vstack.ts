import { shapeSize } from "../dtype.js";
import { CflowError } from "../errors.js";
import type { RealBuf } from "../kernel/kernel.js";
import type { Cell, PlanBuilder } from "../kernel/plan.js";
import { KernelOp, type Op, checkSameDtype, checkShape } from "./op.js";
import { type LinearStructure, addStructures } from "./structure.js";
import { opArg } from "./validate.js";

/**
 * [A; B; …]: x ↦ (A x, B x, …) flattened and concatenated into one vector; the adjoint splits y
 * into blocks and sums Aᵀy_A + Bᵀy_B + …. The blocks stay owned by the caller and must outlive
 * the stack.
 */
export class VstackOp extends KernelOp {
  readonly kind = "vstack";
  /** Where each block's output starts in the stacked output. */
  readonly offsets: readonly number[];
  private readonly sizes: readonly number[];
  private readonly tmpIn: RealBuf;
  private readonly one: Cell;

  constructor(readonly blocks: readonly Op[]) {
    const sizes = blocks.map((b) => shapeSize(b.outShape));
    super(blocks[0].dtype, blocks[0].inShape, [sizes.reduce((s, n) => s + n, 0)]);
    this.sizes = sizes;
    const offsets = [0];
    for (const n of sizes.slice(0, -1)) offsets.push(offsets[offsets.length - 1] + n);
    this.offsets = offsets;
    this.tmpIn = this.own(this.kernel.alloc(this.inSize));
    this.one = this.cells.cell(1);
  }

  /** ‖[A; B]‖² ≤ ‖A‖² + ‖B‖² when every block has a hint. */
  override get normHint(): number | undefined {
    let s = 0;
    for (const b of this.blocks) {
      const h = b.normHint;
      if (h === undefined) return undefined;
      s += h * h;
    }
    return Math.sqrt(s);
  }

  /** [A; B]ᵀ[A; B] = AᵀA + BᵀB, when every block declares its Gram and the sum keeps a structure. */
  gramStructure(): LinearStructure | null {
    let sum: LinearStructure | null = null;
    for (const b of this.blocks) {
      const g = b.gramStructure?.() ?? null;
      if (!g) return null;
      sum = sum ? addStructures(sum, g) : g;
      if (!sum) return null;
    }
    return sum;
  }

  emitApply(p: PlanBuilder, x: RealBuf, out: RealBuf): void {
    this.blocks.forEach((b, i) => b.emitApply(p, x, out.sub(this.offsets[i], this.sizes[i])));
  }

  emitAdjoint(p: PlanBuilder, y: RealBuf, out: RealBuf): void {
    this.blocks.forEach((b, i) => {
      const yi = y.sub(this.offsets[i], this.sizes[i]);
      if (i === 0) b.emitAdjoint(p, yi, out);
      else {
        b.emitAdjoint(p, yi, this.tmpIn);
        p.call("axpy", this.inSize, this.one, this.tmpIn, out);
      }
    });
  }
}

/** [A; B; …]: operators of one dtype and one input shape; output length Σ (output sizes). */
export function vstack(...blocks: Op[]): VstackOp {
  if (blocks.length < 1) throw new CflowError("BAD_ARGUMENT", "vstack: expected at least one operator, found none", { path: "vstack", expected: "≥ 1 operator", found: 0 });
  blocks.forEach((b, i) => opArg("vstack", `blocks[${i}]`, b));
  const [a] = blocks;
  blocks.forEach((b, i) => {
    if (i === 0) return;
    const where = `vstack(${a.kind}; ${b.kind}) block ${i}`;
    checkSameDtype(where, a, b);
    checkShape(`${where} input`, a.inShape, b.inShape);
  });
  return new VstackOp(blocks);
}
