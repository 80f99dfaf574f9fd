// The primal–dual flow family: Chambolle–Pock (PDHG) for min_x f(x) + g(x) + Σ_i h_i(K_i x) with
// f smooth (the Condat–Vũ forward step), g the slot's proxable terms and h_i the terms split
// through their op (atoms/dual-split.ts), built from the primitives — F_Dis for the linear steps
// (x − τ(∇f(x) + Kᵀy), y + σKx̄), F_Proj for prox_{τg} and prox_{σh_i*} (the conjugate proxes,
// Moreau), the ops' apply/adjoint for K. One step, x first (Goldstein et al.'s ordering):
//
//   x⁺ = prox_{τg}(x − τ(∇f(x) + Kᵀy))
//   x̄  = x⁺ + θ(x⁺ − x)                  (by linearity: Kx̄ = (1 + θ)Kx⁺ − θKx, no extra apply)
//   y⁺ = prox_{σh*}(y + σKx̄)
//
// Step sizes: στ‖K‖² < 1 without f (Chambolle & Pock 2011), 1/τ − σ‖K‖² > β/2 with f of
// Lipschitz gradient β (Condat 2013), ‖K‖² ≤ Σ_i ‖K_i‖² from the ops' analytic norms (conv,
// gradient, identity, scaling...) — or a power-iteration estimate, recorded as such. Accelerated
// (Chambolle & Pock 2011, Alg. 2) when g is γ-strongly convex: θ_k = 1/√(1 + 2γτ_k),
// τ_{k+1} = θ_kτ_k, σ_{k+1} = σ_k/θ_k. Diagonal preconditioning (Pock & Chambolle 2011, α = 1):
// τ_j = 1/Σ_i|K_ij| per element, σ constant per dual block at 1/max_i Σ_j|K_ij| (smaller than
// each row's own 1/Σ_j|K_ij|, which keeps ‖Σ^½KT^½‖ ≤ 1), no smooth terms, and a primal prox
// exact in a diagonal metric.
//
// Optimality, every step: the residuals of the optimality conditions at (x⁺, y⁺),
//   r_P = (x − x⁺)/τ − Kᵀ(y − y⁺) + ∇f(x⁺) − ∇f(x)  ∈ ∇f(x⁺) + ∂g(x⁺) + Kᵀy⁺
//   r_D = (y − y⁺)/σ + θK(x⁺ − x)                   ∈ ∂h*(y⁺) − Kx⁺
// (both vanish exactly at a saddle point), made scale-free by the sizes of the terms they balance:
// s_P the largest of ‖∇f(x⁺)‖, ‖(x − x⁺)/τ‖ and each ‖K_iᵀy_i⁺‖ (their sum cancels at the optimum),
// s_D the largest of each ‖K_ix⁺‖ and ‖(y_i − y_i⁺)/σ‖.
import type { ProxCells } from "../atoms/atom.js";
import { type DualSplit, dualSplit } from "../atoms/dual-split.js";
import type { CompiledFlow } from "../compiler/types.js";
import type { RealArray } from "../dtype.js";
import { CflowError } from "../errors.js";
import type { F64Buf, RealBuf } from "../kernel/kernel.js";
import { type Cell, PlanBuilder, type Program } from "../kernel/plan.js";
import { estimateOpNorm } from "../ops/norm.js";
import type { Op } from "../ops/op.js";

export interface PrimalDualOptions {
  /** Over-relaxation θ ∈ [0, 1] (default 1; ignored when accelerated). */
  theta?: number;
  /** γ > 0: g is γ-strongly convex — the accelerated variant (default 0: off). */
  strongConvexity?: number;
  /** "diagonal": Pock–Chambolle preconditioning, no operator norm needed (default "none"). */
  preconditioning?: "none" | "diagonal";
  /** τ/σ balance r: τ = r·c/L, σ = c/(r·L) (default 1). */
  stepRatio?: number;
}

/** How ‖K‖ was bounded, per op and in total (the step sizes rest on it). */
export interface OpNormBound {
  /** Upper bound of ‖K‖ for the stacked K (√Σ‖K_i‖²), or null with diagonal preconditioning. */
  bound: number | null;
  /** "analytic" (every op's norm hint), "power-iteration" (an estimate ×1.05, not a proof), "preconditioned" (none needed). */
  route: "analytic" | "power-iteration" | "preconditioned";
  ops: { term: string; op: string; norm: number | null; route: string }[];
}

export interface PrimalDualMetrics {
  iter: number;
  /** E(x⁺) = f + g + Σ h_i(K_i x⁺). */
  E: number;
  /** ‖r_P‖ and ‖r_D‖ (above). */
  primalResidual: number;
  dualResidual: number;
  /** max(‖r_P‖/s_P, ‖r_D‖/s_D): the scale-free optimality measure. */
  optimality: number;
  tau: number;
  sigma: number;
  theta: number;
}

export type StopReason = "converged" | "budget" | "stalled" | "diverged" | "non-finite";

export interface StopRule {
  maxIters: number;
  /** Converged when ‖r_P‖ ≤ atol·√n + rtol·s_P and ‖r_D‖ ≤ atol·√m + rtol·s_D. */
  rtol: number;
  atol: number;
}

const C = 0.99;

/** Row and column sums of |K| (upper bounds) for the preconditioned variant. */
function absoluteSums(op: Op, where: string): { rowMax: number; cols: Float64Array } {
  const n = op.inShape.reduce((a, b) => a * b, 1);
  const cols = new Float64Array(n);
  switch (op.kind) {
    case "gradient": {
      // each row of D is (−1, +1) or zero; each pixel meets at most 2 rows per axis
      cols.fill(2 * op.inShape.length);
      return { rowMax: 2, cols };
    }
    case "identity":
      cols.fill(1);
      return { rowMax: 1, cols };
    case "scaling": {
      const s = Math.abs((op as unknown as { scale: number }).scale);
      cols.fill(s);
      return { rowMax: s, cols };
    }
    case "conv1d":
    case "conv2d": {
      // every row and column of a convolution holds (at most) the taps once
      const s = (op as unknown as { tapsAbsSum: number }).tapsAbsSum;
      cols.fill(s);
      return { rowMax: s, cols };
    }
    default:
      throw new CflowError("NO_ABS_SUMS", `${where}: diagonal preconditioning needs the row and column sums of |K|, which op kind "${op.kind}" does not provide`, {
        path: "policies.flow.preconditioning",
        expected: "ops of kind gradient, identity, scaling, conv1d or conv2d",
        found: op.kind,
        hint: 'use preconditioning "none" (step sizes from the operator norm)',
      });
  }
}

interface DualBlock {
  split: DualSplit;
  name: string;
  m: number;
  /** The slot's view of the primal buffers (x, x⁺, Kᵀy scratch). */
  slot: { offset: number; size: number };
  y: RealBuf;
  yNew: RealBuf;
  kx: RealBuf;
  kxNew: RealBuf;
  work: RealBuf;
  sigma: Cell;
  /** 1/σ, −1/σ. */
  invSigma: Cell;
  negInvSigma: Cell;
  stats: ProxCells;
  hValue: Cell;
  rd2: Cell;
  kx2: Cell;
  dy2: Cell;
  /** ‖K_iᵀy_i⁺‖²: the block's own share of Kᵀy⁺ (the blocks' shares cancel at a saddle point). */
  kty2: Cell;
}

/**
 * Runs a compiled flow with the primal–dual family: one fixed plan per step over preallocated
 * buffers, as FlowRunner does for forward–backward families.
 */
export class PrimalDualRunner {
  readonly flow: CompiledFlow;
  readonly norm: OpNormBound;
  iter = 0;
  energy = Number.NaN;
  private readonly blocks: DualBlock[];
  private readonly owned: { free(): void; isFreed: boolean }[] = [];
  private readonly x: RealBuf;
  private readonly xNew: RealBuf;
  private readonly w: RealBuf;
  private readonly gx: RealBuf;
  private readonly gxNew: RealBuf;
  private readonly kty: RealBuf;
  private readonly ktyNew: RealBuf;
  private readonly tmp: RealBuf;
  /** Per-element τ (diagonal preconditioning) and its inverse, else null. */
  private readonly tauVec: RealBuf | null;
  private readonly invTauVec: RealBuf | null;
  private readonly cells: {
    tau: Cell;
    negTau: Cell;
    invTau: Cell;
    negInvTau: Cell;
    onePlusTheta: Cell;
    negTheta: Cell;
    theta: Cell;
    one: Cell;
    negOne: Cell;
    zero: Cell;
    fValues: Cell[];
    proxStats: ProxCells[];
    rp2: Cell;
    gx2: Cell;
    dx2: Cell;
  };
  private readonly program: Program;
  private readonly init: Program;
  private readonly gamma: number;
  private tauValue: number;
  private sigmaScale: number;
  private thetaValue: number;

  constructor(flow: CompiledFlow, options: PrimalDualOptions = {}) {
    this.flow = flow;
    const k = flow.kernel;
    const own = <B extends { free(): void; isFreed: boolean }>(b: B) => {
      this.owned.push(b);
      return b;
    };
    const n = flow.n;
    if (flow.dual.length === 0) {
      throw new CflowError("FAMILY_MISMATCH", 'policies.flow.family: "primalDual" needs a term split through an op (poisson, l1Data or l2Ball given an op, or total variation)', {
        path: "policies.flow.family",
        expected: "at least one term h(Kx)",
        found: "none",
        hint: 'use "accelerated" for f + g flows',
      });
    }
    if (flow.slots.some((s) => s.manifold) || flow.prox.some((p) => p.term.space === "W")) {
      throw new CflowError("FAMILY_MISMATCH", 'policies.flow.family: "primalDual" runs on Euclidean slots with x-space proxes', { path: "policies.flow.family", expected: "Euclidean slots, x-space terms" });
    }
    const pol = flow.policies.flow;
    const precondition = (options.preconditioning ?? pol.preconditioning ?? "none") === "diagonal";
    this.gamma = options.strongConvexity ?? pol.strongConvexity ?? 0;
    const theta = options.theta ?? pol.theta ?? 1;
    if (!(theta >= 0 && theta <= 1)) throw new CflowError("BAD_POLICY", `policies.flow.theta must be in [0, 1], found ${theta}`, { path: "policies.flow.theta", expected: "[0, 1]", found: theta });
    if (!(this.gamma >= 0 && Number.isFinite(this.gamma))) throw new CflowError("BAD_POLICY", `policies.flow.strongConvexity must be ≥ 0, found ${this.gamma}`, { path: "policies.flow.strongConvexity", expected: "≥ 0", found: this.gamma });
    if (precondition) {
      if (flow.smooth.length > 0) throw new CflowError("FAMILY_MISMATCH", "policies.flow.preconditioning: the diagonally preconditioned primal–dual step takes no smooth terms", { path: "policies.flow.preconditioning", expected: "no smooth terms", found: flow.smooth.map((s) => s.name).join(", ") });
      for (const p of flow.prox) {
        if (!p.term.diagonalMetricExact) throw new CflowError("FAMILY_MISMATCH", `policies.flow.preconditioning: term "${p.name}" (${p.term.atom}) has no prox exact in a diagonal metric`, { path: `terms[${p.indices[0]}].atom`, expected: "box or nonneg", found: p.term.atom });
      }
      if (this.gamma > 0) throw new CflowError("BAD_POLICY", "policies.flow: acceleration (strongConvexity > 0) and diagonal preconditioning do not combine", { path: "policies.flow.strongConvexity", expected: "0 with preconditioning", found: this.gamma });
    }
    this.thetaValue = this.gamma > 0 ? 1 : theta;

    this.x = own(k.alloc(n));
    this.xNew = own(k.alloc(n));
    this.w = own(k.alloc(n));
    this.gx = own(k.alloc(n));
    this.gxNew = own(k.alloc(n));
    this.kty = own(k.alloc(n));
    this.ktyNew = own(k.alloc(n));
    this.tmp = own(k.alloc(n));
    const c = flow.cells;
    this.cells = {
      tau: c.cell(0),
      negTau: c.cell(0),
      invTau: c.cell(0),
      negInvTau: c.cell(0),
      onePlusTheta: c.cell(0),
      negTheta: c.cell(0),
      theta: c.cell(0),
      one: c.cell(1),
      negOne: c.cell(-1),
      zero: c.cell(0),
      fValues: flow.smooth.map(() => c.cell(0)),
      proxStats: flow.prox.map(() => ({ nnz: c.cell(0), value: c.cell(0) })),
      rp2: c.cell(0),
      gx2: c.cell(0),
      dx2: c.cell(0),
    };
    this.blocks = flow.dual.map((d) => {
      const split = dualSplit(d.term, flow.dtype);
      const m = split.op.outShape.reduce((a, b) => a * b, 1);
      return {
        split,
        name: d.name,
        m,
        slot: { offset: d.slot.offset, size: d.slot.size },
        y: own(k.alloc(m)),
        yNew: own(k.alloc(m)),
        kx: own(k.alloc(m)),
        kxNew: own(k.alloc(m)),
        work: own(k.alloc(m)),
        sigma: c.cell(0),
        invSigma: c.cell(0),
        negInvSigma: c.cell(0),
        stats: { nnz: c.cell(0), value: c.cell(0) },
        hValue: c.cell(0),
        rd2: c.cell(0),
        kx2: c.cell(0),
        dy2: c.cell(0),
        kty2: c.cell(0),
      };
    });

    // step sizes
    const ratio = options.stepRatio ?? 1;
    if (precondition) {
      const cols = new Float64Array(n);
      this.blocks.forEach((b) => {
        const s = absoluteSums(b.split.op, `terms[${flow.dual[this.blocks.indexOf(b)].indices[0]}]`);
        for (let j = 0; j < b.slot.size; j++) cols[b.slot.offset + j] += s.cols[j];
        b.sigma.value = s.rowMax > 0 ? C / s.rowMax : 1;
      });
      this.tauVec = own(k.alloc(n));
      this.invTauVec = own(k.alloc(n));
      this.tauVec.view.set(cols.map((s) => (s > 0 ? C / s : 1)));
      this.invTauVec.view.set(cols.map((s) => (s > 0 ? s / C : 1)));
      this.norm = { bound: null, route: "preconditioned", ops: this.blocks.map((b) => ({ term: b.name, op: b.split.op.kind, norm: null, route: "row/column sums of |K|" })) };
      this.tauValue = 1;
      this.sigmaScale = 1;
    } else {
      this.tauVec = null;
      this.invTauVec = null;
      const ops = this.blocks.map((b) => {
        const hint = b.split.op.normHint;
        if (hint !== undefined) return { term: b.name, op: b.split.op.kind, norm: hint, route: "analytic" };
        const est = estimateOpNorm(b.split.op, { key: flow.key });
        return { term: b.name, op: b.split.op.kind, norm: 1.05 * est.norm, route: `power iteration ×1.05 (${est.iterations} iterations; an estimate)` };
      });
      const L = Math.sqrt(ops.reduce((s, o) => s + (o.norm as number) ** 2, 0));
      this.norm = { bound: L, route: ops.every((o) => o.route === "analytic") ? "analytic" : "power-iteration", ops };
      const beta = flow.lipschitz;
      const sigma = L > 0 ? C / (ratio * L) : 1;
      // without f: στL² = C² < 1; with f: 1/τ = σL² + β/2 over C, so 1/τ − σL² > β/2
      const tau = beta > 0 ? C / (sigma * L * L + beta / 2) : L > 0 ? (C * ratio) / L : 1;
      this.tauValue = tau;
      this.sigmaScale = sigma;
      for (const b of this.blocks) b.sigma.value = sigma;
    }
    this.setCells();
    this.program = this.buildStep();
    this.init = this.buildInit();
    this.load(flow.x0);
  }

  private slot(b: RealBuf, s: { offset: number; size: number }): RealBuf {
    return b.sub(s.offset, s.size);
  }

  private setCells(): void {
    const c = this.cells;
    const tau = this.tauVec ? 1 : this.tauValue;
    c.tau.value = tau;
    c.negTau.value = -tau;
    c.invTau.value = 1 / tau;
    c.negInvTau.value = -1 / tau;
    c.theta.value = this.thetaValue;
    c.onePlusTheta.value = 1 + this.thetaValue;
    c.negTheta.value = -this.thetaValue;
    for (const b of this.blocks) {
      b.invSigma.value = 1 / b.sigma.value;
      b.negInvSigma.value = -1 / b.sigma.value;
    }
  }

  /** ∇f(x) into g (fill + each term's gradient), f_i into the value cells. */
  private emitGradient(p: PlanBuilder, x: RealBuf, g: RealBuf): void {
    const flow = this.flow;
    p.call("fill", flow.n, this.cells.zero, g);
    flow.smooth.forEach((t, i) => {
      const xs = this.slot(x, t.slot);
      t.term.emitObserve(p, xs, 0, this.cells.fValues[i]);
      t.term.emitGradient(p, xs, 0, 0, this.cells.zero, this.slot(g, t.slot), this.cells.fValues[i]);
    });
  }

  /** kty ← Σ K_iᵀ y_i (each block on its slot), with each block's ‖K_iᵀy_i‖². */
  private emitAdjoints(p: PlanBuilder, use: "y" | "yNew", out: RealBuf): void {
    p.call("fill", this.flow.n, this.cells.zero, out);
    for (const b of this.blocks) {
      const t = this.slot(this.tmp, b.slot);
      b.split.op.emitAdjoint(p, b[use], t);
      p.call("norm2sq", b.slot.size, t, b.kty2);
      p.call("axpy", b.slot.size, this.cells.one, t, this.slot(out, b.slot));
    }
  }

  private buildInit(): Program {
    const p = new PlanBuilder(this.flow.kernel);
    const n = this.flow.n;
    this.emitGradient(p, this.x, this.gx);
    for (const b of this.blocks) {
      p.call("fill", b.m, this.cells.zero, b.y);
      b.split.op.emitApply(p, this.slot(this.x, b.slot), b.kx);
    }
    p.call("fill", n, this.cells.zero, this.kty);
    return p.build();
  }

  private buildStep(): Program {
    const p = new PlanBuilder(this.flow.kernel);
    const n = this.flow.n;
    const c = this.cells;
    // F_Dis, primal: w = x − τ(∇f(x) + Kᵀy)
    p.call("axpbyz", n, c.one, this.gx, c.one, this.kty, this.tmp);
    if (this.tauVec) p.call("precondStep", n, c.negOne, this.x, this.tauVec, this.tmp, this.xNew);
    else p.call("axpbyz", n, c.one, this.x, c.negTau, this.tmp, this.xNew);
    // F_Proj, primal: x⁺ = prox_{τg}(w) (slots without a prox term keep w)
    this.flow.prox.forEach((t, i) => {
      const xs = this.slot(this.xNew, t.slot);
      t.term.emitProx(p, xs, c.tau, xs, c.proxStats[i]);
    });
    // dual blocks: Kx⁺, h(Kx⁺), Kx̄ = (1 + θ)Kx⁺ − θKx, y⁺ = prox_{σh*}(y + σKx̄)
    for (const b of this.blocks) {
      const xs = this.slot(this.xNew, b.slot);
      b.split.op.emitApply(p, xs, b.kxNew);
      b.split.emitValue(p, xs, b.kxNew, b.hValue);
      p.call("axpbyz", b.m, c.onePlusTheta, b.kxNew, c.negTheta, b.kx, b.work);
      p.call("axpbyz", b.m, c.one, b.y, b.sigma, b.work, b.work);
      b.split.emitProxConjugate(p, b.work, b.sigma, b.yNew, b.stats);
    }
    this.emitAdjoints(p, "yNew", this.ktyNew);
    // ∇f(x⁺) for the residual and the next step
    this.emitGradient(p, this.xNew, this.gxNew);
    // r_P = (x − x⁺)/τ − (Kᵀy − Kᵀy⁺) + ∇f(x⁺) − ∇f(x), and its scales
    if (this.invTauVec) {
      p.call("sub", n, this.x, this.xNew, this.w);
      p.call("mul", n, this.w, this.invTauVec, this.w);
    } else p.call("axpbyz", n, c.invTau, this.x, c.negInvTau, this.xNew, this.w);
    p.call("norm2sq", n, this.w, c.dx2);
    p.call("axpy", n, c.negOne, this.kty, this.w);
    p.call("axpy", n, c.one, this.ktyNew, this.w);
    p.call("axpy", n, c.one, this.gxNew, this.w);
    p.call("axpy", n, c.negOne, this.gx, this.w);
    p.call("norm2sq", n, this.w, c.rp2);
    p.call("norm2sq", n, this.gxNew, c.gx2);
    // r_D = (y − y⁺)/σ + θ(Kx⁺ − Kx), per block
    for (const b of this.blocks) {
      p.call("axpbyz", b.m, b.invSigma, b.y, b.negInvSigma, b.yNew, b.work);
      p.call("norm2sq", b.m, b.work, b.dy2);
      p.call("axpy", b.m, c.theta, b.kxNew, b.work);
      p.call("axpy", b.m, c.negTheta, b.kx, b.work);
      p.call("norm2sq", b.m, b.work, b.rd2);
      p.call("norm2sq", b.m, b.kxNew, b.kx2);
      // accept: the new iterate becomes current
      p.call("copy", b.m, b.yNew, b.y);
      p.call("copy", b.m, b.kxNew, b.kx);
    }
    p.call("copy", n, this.xNew, this.x);
    p.call("copy", n, this.ktyNew, this.kty);
    p.call("copy", n, this.gxNew, this.gx);
    return p.build();
  }

  /** Loads a primal state; the dual restarts at 0. */
  load(x: RealArray): void {
    this.x.set(x, "PrimalDualRunner.load");
    this.init.run();
    this.energy = this.flow.fValue(x) + this.flow.gValue(x);
  }

  /** The current primal iterate (a copy). */
  get state(): RealArray {
    return this.x.toArray();
  }

  /** The current dual iterates, one per split term (copies). */
  get dual(): RealArray[] {
    return this.blocks.map((b) => b.y.toArray());
  }

  get tau(): number {
    return this.tauValue;
  }

  get sigma(): number {
    return this.blocks[0].sigma.value;
  }

  step(): PrimalDualMetrics {
    const c = this.cells;
    const theta = this.thetaValue;
    const tau = this.tauValue;
    const sigma = this.blocks[0].sigma.value;
    this.program.run();
    let E = 0;
    for (const f of c.fValues) E += f.value;
    for (const s of c.proxStats) E += s.value.value;
    let rd2 = 0;
    let sD = 0;
    let sP = Math.max(Math.sqrt(c.gx2.value), Math.sqrt(c.dx2.value));
    let m = 0;
    for (const b of this.blocks) {
      E += b.hValue.value;
      rd2 += b.rd2.value;
      sD = Math.max(sD, Math.sqrt(b.kx2.value), Math.sqrt(b.dy2.value));
      sP = Math.max(sP, Math.sqrt(b.kty2.value));
      m += b.m;
    }
    const rP = Math.sqrt(c.rp2.value);
    const rD = Math.sqrt(rd2);
    const tiny = Number.MIN_VALUE;
    const optimality = Math.max(rP / Math.max(sP, tiny), rD / Math.max(sD, tiny));
    this.iter++;
    this.energy = E;
    this.lastScales = { sP, sD, n: this.flow.n, m };
    this.lastResiduals = { rP, rD };
    // the accelerated variant's next steps (στ stays constant)
    if (this.gamma > 0) {
      const th = 1 / Math.sqrt(1 + 2 * this.gamma * this.tauValue);
      this.tauValue *= th;
      for (const b of this.blocks) b.sigma.value /= th;
      this.thetaValue = th;
      this.setCells();
    }
    return { iter: this.iter, E, primalResidual: rP, dualResidual: rD, optimality, tau, sigma, theta };
  }

  private lastScales = { sP: 0, sD: 0, n: 0, m: 0 };
  private lastResiduals = { rP: Number.NaN, rD: Number.NaN };

  /** Whether the last step met the stopping rule's tolerances. */
  converged(rule: Pick<StopRule, "rtol" | "atol">): boolean {
    const { sP, sD, n, m } = this.lastScales;
    const { rP, rD } = this.lastResiduals;
    return rP <= rule.atol * Math.sqrt(n) + rule.rtol * sP && rD <= rule.atol * Math.sqrt(m) + rule.rtol * sD;
  }

  private best = Number.POSITIVE_INFINITY;
  private bestAt = 0;
  private monitored = 0;

  /**
   * The stop reason after step m, or null to go on: converged (residuals within rtol/atol),
   * non-finite (a NaN or ∞ residual, a NaN energy — E itself may be +∞ on the way: an indicator
   * through an op before the iterate is feasible), diverged (residuals 1e6 times their smallest),
   * stalled (no new smallest residual in the last half of ≥ 1000 monitored steps). The budget is
   * the caller's.
   */
  verdict(rule: Pick<StopRule, "rtol" | "atol">, m: PrimalDualMetrics): StopReason | null {
    const k = this.monitored++;
    const r = Math.max(m.primalResidual, m.dualResidual);
    if (!Number.isFinite(r) || Number.isNaN(m.E)) return "non-finite";
    if (this.converged(rule)) return "converged";
    if (r < this.best) {
      this.best = r;
      this.bestAt = k;
    }
    if (r > 1e6 * this.best) return "diverged";
    if (k >= 1000 && this.bestAt < k / 2) return "stalled";
    return null;
  }

  /** Steps until `verdict` says stop or maxIters steps are taken ("budget"). */
  run(rule: StopRule): { reason: StopReason; iters: number; last: PrimalDualMetrics | null } {
    let last: PrimalDualMetrics | null = null;
    for (let k = 0; k < rule.maxIters; k++) {
      last = this.step();
      const v = this.verdict(rule, last);
      if (v) return { reason: v, iters: this.iter, last };
    }
    return { reason: "budget", iters: this.iter, last };
  }

  dispose(): void {
    this.program.dispose();
    this.init.dispose();
    for (const b of this.blocks) b.split.dispose();
    for (const b of this.owned) if (!b.isFreed) b.free();
    this.owned.length = 0;
  }
}
