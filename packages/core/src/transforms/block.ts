import type { Dtype } from "../dtype.js";
import type { RealBuf } from "../kernel/kernel.js";
import type { PlanBuilder } from "../kernel/plan.js";
import { type Band, type FrameType, KernelTransform, type TransformOp } from "./transform.js";

/** One block of a block-diagonal transform: a range of the state and its transform (null: identity). */
export interface TransformBlock {
  offset: number;
  size: number;
  coeffOffset: number;
  transform: TransformOp | null;
}

/**
 * The block-diagonal transform of a multi-slot flow: each slot's own transform on its range of
 * the flat state, the identity on slots without one. Its frame is unitary when every block is,
 * tight when every block is unitary or tight with one common constant, general otherwise.
 */
export class BlockTransform extends KernelTransform {
  readonly name: string;
  readonly frame: FrameType;
  readonly c: number;
  readonly levels: number;
  readonly bands: readonly Band[];

  constructor(
    dtype: Dtype,
    n: number,
    private readonly blocks: readonly TransformBlock[],
  ) {
    const coeffSize = blocks.reduce((s, b) => s + (b.transform ? b.transform.coeffSize : b.size), 0);
    super(dtype, [n], coeffSize);
    this.name = `block(${blocks.map((b) => b.transform?.name ?? "identity").join(", ")})`;
    const cs = new Set(blocks.map((b) => (b.transform ? b.transform.c : 1)));
    const frames = blocks.map((b) => (b.transform ? b.transform.frame : "unitary"));
    if (frames.every((f) => f === "unitary")) this.frame = "unitary";
    else if (frames.every((f) => f !== "general") && cs.size === 1) this.frame = "tight";
    else this.frame = "general";
    this.c = cs.size === 1 ? [...cs][0] : Number.NaN;
    this.levels = Math.max(0, ...blocks.map((b) => b.transform?.levels ?? 0));
    const bands: Band[] = [];
    for (const b of blocks) {
      if (b.transform) for (const band of b.transform.bands) bands.push({ ...band, offset: band.offset + b.coeffOffset });
      else bands.push({ level: 0, orientation: "x", offset: b.coeffOffset, shape: [b.size] });
    }
    this.bands = bands;
  }

  private emitEach(p: PlanBuilder, from: RealBuf, to: RealBuf, fromSignal: boolean, emit: (T: TransformOp, a: RealBuf, b: RealBuf) => void): void {
    for (const b of this.blocks) {
      const csize = b.transform ? b.transform.coeffSize : b.size;
      const sig = (buf: RealBuf) => buf.sub(b.offset, b.size);
      const coef = (buf: RealBuf) => buf.sub(b.coeffOffset, csize);
      const a = fromSignal ? sig(from) : coef(from);
      const c = fromSignal ? coef(to) : sig(to);
      if (b.transform) emit(b.transform, a, c);
      else p.call("copy", b.size, a, c);
    }
  }

  emitForward(p: PlanBuilder, x: RealBuf, out: RealBuf): void {
    this.emitEach(p, x, out, true, (T, a, b) => T.emitForward(p, a, b));
  }

  emitInverse(p: PlanBuilder, u: RealBuf, out: RealBuf): void {
    this.emitEach(p, u, out, false, (T, a, b) => T.emitInverse(p, a, b));
  }

  emitAdjoint(p: PlanBuilder, u: RealBuf, out: RealBuf): void {
    this.emitEach(p, u, out, false, (T, a, b) => T.emitAdjoint(p, a, b));
  }
}
