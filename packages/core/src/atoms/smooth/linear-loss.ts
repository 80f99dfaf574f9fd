import { CflowError } from "../../errors.js";
import type { RealBuf } from "../../kernel/kernel.js";
import { type Cell, type PlanBuilder } from "../../kernel/plan.js";
import { KernelResources } from "../../kernel/resources.js";
import type { Op } from "../../ops/op.js";
import { type LinearStructure, diagonalStructure, scaleStructure, scaledIdentity } from "../../ops/structure.js";
import type { AtomContext, CacheIndex, SmoothTerm } from "../atom.js";

/** The pointwise loss φ of a term w·φ(Ax − b). */
export type PointwiseLoss =
  | { kind: "squared" }
  | { kind: "weightedSquared"; weights: RealBuf }
  | { kind: "huber"; delta: number }
  | { kind: "logistic"; labels: RealBuf };

/**
 * A smooth term w·φ(z) with z = Ax − b (logistic: z = Ax, the labels enter φ), A an op or the
 * identity. Every least-squares-like atom is one of these: least squares, weighted least squares,
 * Huber, Tikhonov (b = 0) and logistic regression.
 */
export class LinearLossTerm implements SmoothTerm {
  readonly kind = "smooth" as const;
  readonly quadratic: boolean;
  readonly translationInvariantHessian: boolean;
  readonly lipschitz: { scale: number; normOp: Op | null };
  private readonly m: number;
  private readonly n: number;
  /** Images Ax − b of the three state buffers (none for ½w‖x‖², whose image is x). */
  private readonly caches: RealBuf[];
  /** Image at the momentum point, then the loss gradient written over it. */
  private readonly zy: RealBuf;
  /** Aᵀ(loss gradient) before it is added to g; Hessian scratch. */
  private readonly tmp: RealBuf;
  private readonly hz: RealBuf;
  private readonly w: Cell;
  private readonly delta: Cell | null;
  private readonly minusOne: Cell;
  private readonly one: Cell;
  private readonly scratchCell: Cell;
  private readonly resources: KernelResources;

  constructor(
    readonly atom: string,
    private readonly ctx: AtomContext,
    private readonly op: Op | null,
    /** b, subtracted from the image (null: none). */
    private readonly target: RealBuf | null,
    private readonly loss: PointwiseLoss,
  ) {
    const k = ctx.kernel;
    this.n = ctx.slotShape.reduce((a, b) => a * b, 1);
    this.m = op ? op.outShape.reduce((a, b) => a * b, 1) : this.n;
    if (target && target.length !== this.m) {
      throw new CflowError("SHAPE_MISMATCH", `${ctx.path}.target: expected ${this.m} elements (the op's output), found ${target.length}`, {
        path: `${ctx.path}.target`,
        expected: this.m,
        found: target.length,
      });
    }
    this.resources = new KernelResources(k);
    const alloc = (len: number) => this.resources.own(k.alloc(len));
    this.caches = this.plainSquare ? [] : [alloc(this.m), alloc(this.m), alloc(this.m)];
    this.zy = alloc(this.m);
    this.hz = alloc(this.m);
    this.tmp = alloc(this.n);
    this.w = ctx.cells.cell(ctx.weight);
    this.delta = loss.kind === "huber" ? ctx.cells.cell(loss.delta) : null;
    this.minusOne = ctx.cells.cell(-1);
    this.one = ctx.cells.cell(1);
    this.scratchCell = ctx.cells.cell(0);
    this.quadratic = loss.kind === "squared" || loss.kind === "weightedSquared";
    this.translationInvariantHessian = loss.kind === "squared" && (op === null || op.translationInvariant === true);
    const curvatureMax =
      loss.kind === "logistic" ? 0.25 : loss.kind === "weightedSquared" ? maxOf(loss.weights.view) : 1;
    this.lipschitz = { scale: ctx.weight * curvatureMax, normOp: op };
  }

  /** Records out ← Ax − b (logistic: Ax). */
  private emitImage(p: PlanBuilder, x: RealBuf, out: RealBuf): void {
    if (this.op) this.op.emitApply(p, x, out);
    else p.call("copy", this.n, x, out);
    if (this.target && this.loss.kind !== "logistic") p.call("axpy", this.m, this.minusOne, this.target, out);
  }

  /** Records value ← w·φ(z) and grad ← w·φ'(z) (grad may be z). */
  private emitLoss(p: PlanBuilder, z: RealBuf, grad: RealBuf, value: Cell): void {
    const m = this.m;
    switch (this.loss.kind) {
      case "squared":
        p.call("lossSquared", m, this.w, z, grad, value);
        break;
      case "weightedSquared":
        p.call("lossWeightedSquared", m, this.w, this.loss.weights, z, grad, value);
        break;
      case "huber":
        p.call("lossHuber", m, this.w, this.delta!, z, grad, value);
        break;
      case "logistic":
        p.call("lossLogistic", m, this.w, z, this.loss.labels, grad, value);
        break;
    }
  }

  /** Records g ← g + Aᵀ·grad (set: g ← Aᵀ·grad). */
  private emitBackProject(p: PlanBuilder, grad: RealBuf, g: RealBuf, set: boolean): void {
    if (set) {
      if (this.op) this.op.emitAdjoint(p, grad, g);
      else p.call("copy", this.n, grad, g);
    } else if (this.op) {
      this.op.emitAdjoint(p, grad, this.tmp);
      p.call("axpy", this.n, this.one, this.tmp, g);
    } else p.call("axpy", this.n, this.one, grad, g);
  }

  /** ½w‖x‖² (Tikhonov without an operator): the image is x itself, so no cache is kept. */
  private get plainSquare(): boolean {
    return this.loss.kind === "squared" && !this.op && !this.target;
  }

  emitObserve(p: PlanBuilder, x: RealBuf, into: CacheIndex, value: Cell): void {
    if (this.plainSquare) {
      p.call("lossSquaredValue", this.n, this.w, x, value);
      return;
    }
    const c = this.caches[into];
    if (this.loss.kind === "squared" && this.target) {
      // the residual and its value in one pass (the gradient at the candidate is not needed)
      if (this.op) this.op.emitApply(p, x, c);
      else p.call("copy", this.n, x, c);
      p.call("lossSquaredResidual", this.m, this.w, this.target, c, value);
      return;
    }
    this.emitImage(p, x, c);
    // the loss gradient at the candidate is not needed: write it to scratch
    this.emitLoss(p, c, this.zy, value);
  }

  emitGradient(p: PlanBuilder, y: RealBuf, cur: CacheIndex, prev: CacheIndex, beta: Cell, g: RealBuf, value: Cell): void {
    this.recordGradient(p, y, cur, prev, beta, g, value, false);
  }

  emitGradientSet(p: PlanBuilder, y: RealBuf, cur: CacheIndex, prev: CacheIndex, beta: Cell, g: RealBuf, value: Cell): void {
    this.recordGradient(p, y, cur, prev, beta, g, value, true);
  }

  private recordGradient(p: PlanBuilder, y: RealBuf, cur: CacheIndex, prev: CacheIndex, beta: Cell, g: RealBuf, value: Cell, set: boolean): void {
    if (this.plainSquare) {
      if (set) p.call("lossSquared", this.n, this.w, y, g, value);
      else {
        p.call("lossSquaredValue", this.n, this.w, y, value);
        p.call("axpy", this.n, this.w, y, g);
      }
      return;
    }
    if (this.loss.kind === "squared") p.call("lossSquaredMomentum", this.m, this.w, beta, this.caches[cur], this.caches[prev], this.zy, value);
    else {
      p.call("momentum", this.m, beta, this.caches[cur], this.caches[prev], this.zy);
      this.emitLoss(p, this.zy, this.zy, value);
    }
    this.emitBackProject(p, this.zy, g, set);
  }

  hessianDiagonal(_x: RealBuf): Float64Array | null {
    const w = this.w.value;
    if (this.loss.kind === "squared") {
      if (!this.op) return new Float64Array(this.n).fill(w);
      const d = this.op.gramDiagonal?.();
      return d ? d.map((v) => w * v) : null;
    }
    if (this.loss.kind === "weightedSquared" && !this.op) return Float64Array.from(this.loss.weights.view, (c) => w * c);
    return null;
  }

  hessianStructure(): LinearStructure | null {
    const w = this.w.value;
    if (this.loss.kind === "squared") {
      if (!this.op) return scaledIdentity(this.n, w);
      const g = this.op.gramStructure?.() ?? null;
      return g ? scaleStructure(g, w) : null;
    }
    if (this.loss.kind === "weightedSquared" && !this.op) return diagonalStructure(Float64Array.from(this.loss.weights.view, (c) => w * c));
    return null;
  }

  value(x: RealBuf): number {
    this.resources.run("value", [x], (p) => {
      this.emitImage(p, x, this.zy);
      this.emitLoss(p, this.zy, this.zy, this.scratchCell);
    });
    return this.scratchCell.value;
  }

  addGradient(x: RealBuf, g: RealBuf): number {
    this.resources.run("gradient", [x, g], (p) => {
      this.emitImage(p, x, this.zy);
      this.emitLoss(p, this.zy, this.zy, this.scratchCell);
      this.emitBackProject(p, this.zy, g, false);
    });
    return this.scratchCell.value;
  }

  addGradientFromImage(x: RealBuf, cur: CacheIndex, g: RealBuf): number {
    if (this.plainSquare) return this.addGradient(x, g);
    // the cache holds Ax − b as `addGradient` forms it (the op's image less the target: squared
    // losses subtract b in lossSquaredResidual, r − b, others add −1·b, the same bits); the loss
    // gradient goes to zy, the cache stays the state's image
    this.resources.run(`gradientFromImage${cur}`, [g], (p) => {
      this.emitLoss(p, this.caches[cur], this.zy, this.scratchCell);
      this.emitBackProject(p, this.zy, g, false);
    });
    return this.scratchCell.value;
  }

  addHessian(x: RealBuf, v: RealBuf, out: RealBuf): void {
    // ∇²f(x)·v = Aᵀ diag(w·φ''(Ax − b)) A v
    this.resources.run("hessian", [x, v, out], (p) => {
      if (this.op) this.op.emitApply(p, v, this.hz);
      else p.call("copy", this.n, v, this.hz);
      switch (this.loss.kind) {
        case "squared":
          p.call("scale", this.m, this.w, this.hz);
          break;
        case "weightedSquared":
          p.call("mul", this.m, this.loss.weights, this.hz, this.hz);
          p.call("scale", this.m, this.w, this.hz);
          break;
        case "huber":
          this.emitImage(p, x, this.zy);
          p.call("lossHuberCurvature", this.m, this.w, this.delta!, this.zy, this.zy);
          p.call("mul", this.m, this.zy, this.hz, this.hz);
          break;
        case "logistic":
          this.emitImage(p, x, this.zy);
          p.call("lossLogisticCurvature", this.m, this.w, this.zy, this.zy);
          p.call("mul", this.m, this.zy, this.hz, this.hz);
          break;
      }
      this.emitBackProject(p, this.hz, out, false);
    });
  }

  dispose(): void {
    this.resources.dispose();
  }
}

function maxOf(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, a[i]);
  return m;
}
