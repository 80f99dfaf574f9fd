import { CflowError } from "../../errors.js";
import type { F64Buf, I32Buf, RealBuf } from "../../kernel/kernel.js";
import type { Cell, PlanBuilder } from "../../kernel/plan.js";
import type { Band, TransformOp } from "../../transforms/transform.js";
import type { AtomContext, AtomDef, ProxCells } from "../atom.js";
import { KernelProxTerm, checkWeight, readAtomParams } from "./prox-term.js";

/**
 * g(u) = λ Σ_j λ_j ‖u_j‖₁ on the coefficients u = Wx of a slot's transform, with one multiplier
 * λ_j per detail level (coarsest first, as specs write them; 1 by default). The approximation
 * band is left out of g (passed through by the prox) unless `thresholdApprox` is set, in which
 * case it is thresholded at the global λ. Bands without scales (orientation "x") use λ.
 */
export class WaveletL1Term extends KernelProxTerm {
  readonly atom = "waveletL1";
  readonly space = "W" as const;
  readonly sparsity = true;
  readonly transform: TransformOp;
  private readonly layout: readonly Band[];
  private readonly offsets: I32Buf;
  private readonly weights: F64Buf;
  private readonly skipFirst: 0 | 1;
  private levelWeights: number[];

  constructor(ctx: AtomContext, thresholdApprox: boolean) {
    const tr = ctx.transform;
    if (!tr) {
      throw new CflowError("MISSING_TRANSFORM", `${ctx.path}.transform: atom "waveletL1" acts on transform coefficients and needs a transform`, { path: `${ctx.path}.transform`, expected: "a transform name", found: "undefined" });
    }
    super(ctx, tr.coeffSize);
    this.transform = tr;
    this.layout = tr.bands;
    checkLayout(ctx.path, tr);
    this.offsets = this.own(ctx.kernel.allocI32(tr.bands.length + 1));
    const offs = this.offsets.view;
    tr.bands.forEach((b, j) => (offs[j] = b.offset));
    offs[tr.bands.length] = tr.coeffSize;
    this.weights = this.own(ctx.kernel.allocF64(tr.bands.length));
    this.skipFirst = !thresholdApprox && tr.bands[0]?.orientation === "a" ? 1 : 0;
    this.levelWeights = [];
    this.bandWeights = ctx.bandWeights ?? null;
  }

  override get bands(): readonly Band[] {
    return this.layout;
  }

  override get bandWeights(): number[] {
    return this.levelWeights.slice();
  }

  /**
   * One multiplier per detail level, coarsest first; null resets them to 1. ∞ locks a level at
   * zero (the prox zeroes it and it adds nothing to g): how the multiscale schedule holds the
   * levels it has not unlocked yet.
   */
  override set bandWeights(w: number[] | null) {
    const levels = this.transform.levels;
    const path = `${this.path}.bandWeights`;
    if (w !== null && (!Array.isArray(w) || w.length !== levels)) {
      throw new CflowError("SHAPE_MISMATCH", `${path}: one weight per detail level expected (coarsest first), ${levels} for transform "${this.transform.name}"`, {
        path,
        expected: `${levels} weights`,
        found: Array.isArray(w) ? `${w.length}` : String(w),
      });
    }
    const lw = w === null ? new Array<number>(levels).fill(1) : w.map((x, i) => (x === Number.POSITIVE_INFINITY ? x : checkWeight(`${path}[${i}]`, "a band weight", x)));
    this.levelWeights = lw;
    const wv = this.weights.view;
    this.layout.forEach((b, j) => {
      wv[j] = b.orientation === "a" || b.orientation === "x" ? 1 : lw[levels - b.level];
    });
  }

  emitProx(p: PlanBuilder, u: RealBuf, step: Cell, out: RealBuf, stats: ProxCells): void {
    this.checkBufs("emitProx", u, out);
    p.call("softThresholdBands", this.layout.length, this.offsets, this.weights, step, this.lam, this.skipFirst, u, out, stats.nnz.ptr, stats.value.ptr);
  }

  emitValue(p: PlanBuilder, u: RealBuf, value: Cell): void {
    this.checkBufs("emitValue", u);
    p.call("l1BandsValue", this.layout.length, this.offsets, this.weights, this.lam, this.skipFirst, u, value);
  }
}

/** The band layout must tile the coefficient array in order, with detail levels in 1..levels. */
function checkLayout(path: string, tr: TransformOp): void {
  let end = 0;
  for (const [j, b] of tr.bands.entries()) {
    const size = b.shape.reduce((a, d) => a * d, 1);
    const detail = b.orientation !== "a" && b.orientation !== "x";
    if (b.offset !== end || (detail && !(Number.isInteger(b.level) && b.level >= 1 && b.level <= tr.levels))) {
      throw new CflowError("BAD_TRANSFORM_BANDS", `${path}.transform: band ${j} of transform "${tr.name}" does not continue the coefficient layout (offset ${b.offset}, level ${b.level})`, {
        path: `${path}.transform`,
        expected: `offset ${end}${detail ? `, level in 1..${tr.levels}` : ""}`,
        found: `offset ${b.offset}, level ${b.level}`,
      });
    }
    end += size;
  }
  if (end !== tr.coeffSize || tr.bands.length === 0) {
    throw new CflowError("BAD_TRANSFORM_BANDS", `${path}.transform: the bands of transform "${tr.name}" cover ${end} of ${tr.coeffSize} coefficients`, {
      path: `${path}.transform`,
      expected: `${tr.coeffSize}`,
      found: `${end}`,
    });
  }
}

export const waveletL1Atom: AtomDef = {
  name: "waveletL1",
  kind: "prox",
  description: "λ Σ_j λ_j ‖(Wx)_j‖₁ over the detail bands of a transform W (global λ or one λ_j per level); prox: per-band soft-threshold",
  op: "none",
  target: "none",
  transform: "required",
  params: {
    thresholdApprox: { type: "boolean", description: "also threshold the approximation band (at the global λ)", default: false },
  },
  convex: true,
  space: "W",
  sparsity: true,
  bandWeights: true,
  create(ctx) {
    const params = readAtomParams(waveletL1Atom, ctx);
    return new WaveletL1Term(ctx, params.thresholdApprox === true);
  },
};
