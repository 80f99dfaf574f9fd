import type { CacheIndex } from "../atoms/atom.js";
import { CflowError } from "../errors.js";
import type { CompiledFlow, SlotLayout } from "../compiler/types.js";
import type { F64Buf, RealBuf } from "../kernel/kernel.js";
import type { Cell } from "../kernel/plan.js";
import { KernelResources, type Releasable } from "../kernel/resources.js";
import type { ProxCells } from "../atoms/atom.js";

/**
 * The preallocated buffers and scalar cells of a flow's step. The state rotates through three
 * buffers (current, previous, candidate) so that accepting a step is a change of index, never a
 * copy; the step's plan exists in three variants, one per rotation.
 */
export class StepBuffers {
  readonly X: [RealBuf, RealBuf, RealBuf];
  /** Momentum point y (accelerated flows). */
  readonly y: RealBuf;
  /** ∇f(y). */
  readonly g: RealBuf;
  /** W-space coefficients of the candidate (F_Multi⁺ output, F_Proj in place). */
  readonly u: RealBuf;
  /** Step size α and −α (F_Dis reads −α; F_Proj reads α). */
  readonly alpha: Cell;
  readonly negAlpha: Cell;
  /** Momentum coefficient β_k of y = x_k + β_k(x_k − x_{k−1}). */
  readonly momentum: Cell;
  readonly zero: Cell;
  readonly one: Cell;
  /** f_i(y) per smooth term, written by the gradient pass. */
  readonly fAtY: Cell[];
  /** f_i(x⁺) per smooth term, written when the candidate is observed. */
  readonly fAtX: Cell[];
  /** nnz and g_j(x⁺) per prox term, fused into the prox pass. */
  readonly proxStats: ProxCells[];
  /**
   * [‖x⁺ − y‖², ⟨y − x⁺, x⁺ − x_k⟩, ‖x⁺‖²] (stepMetrics); with a diagonal metric D
   * [‖x⁺ − y‖²_D, ‖D(x⁺ − y)‖², ‖Dx⁺‖²] (precondMetrics).
   */
  readonly metrics: F64Buf;
  /** The diagonal metric D and D⁻¹ of preconditioned flows (set by the runner), else null. */
  readonly metricDiag: RealBuf | null;
  readonly metricDiagInv: RealBuf | null;
  /** ⟨∇f(y), x⁺ − y⟩ for the sufficient-decrease test of the line search. */
  readonly linear: Cell;
  private readonly resources: KernelResources;

  constructor(
    readonly flow: CompiledFlow,
    diagonalMetric = false,
  ) {
    const k = flow.kernel;
    this.resources = new KernelResources(k);
    const own = <B extends Releasable>(b: B) => this.resources.own(b);
    this.X = [own(k.alloc(flow.n)), own(k.alloc(flow.n)), own(k.alloc(flow.n))];
    this.y = own(k.alloc(flow.n));
    this.g = own(k.alloc(flow.n));
    this.u = own(k.alloc(Math.max(1, flow.coeffSize)));
    const c = flow.cells;
    this.alpha = c.cell(0);
    this.negAlpha = c.cell(0);
    this.momentum = c.cell(0);
    this.zero = c.cell(0);
    this.one = c.cell(1);
    this.fAtY = flow.smooth.map(() => c.cell(0));
    this.fAtX = flow.smooth.map(() => c.cell(0));
    this.proxStats = flow.prox.map(() => ({ nnz: c.cell(0), value: c.cell(0) }));
    this.metrics = own(k.allocF64(3));
    this.linear = c.cell(0);
    this.metricDiag = diagonalMetric ? own(k.alloc(flow.n)) : null;
    this.metricDiagInv = diagonalMetric ? own(k.alloc(flow.n)) : null;
  }

  /** Sets the diagonal metric D (and D⁻¹) of a preconditioned flow. */
  setMetric(d: Float64Array): void {
    if (!this.metricDiag || !this.metricDiagInv) {
      throw new CflowError("NO_METRIC", "StepBuffers.setMetric: the step was built without a diagonal metric (only preconditioned families have one)", { path: "StepBuffers.setMetric" });
    }
    this.metricDiag.view.set(d);
    this.metricDiagInv.view.set(d.map((v) => 1 / v));
  }

  setAlpha(a: number): void {
    this.alpha.value = a;
    this.negAlpha.value = -a;
  }

  /** The slot's range of a state-sized buffer. */
  slot(b: RealBuf, s: SlotLayout): RealBuf {
    return b.sub(s.offset, s.size);
  }

  /** The slot's range of the W-space buffer. */
  coeffs(s: SlotLayout): RealBuf {
    return this.u.sub(s.coeffOffset, s.coeffSize);
  }

  dispose(): void {
    this.resources.dispose();
  }
}

/** Which buffer plays which role in one rotation of the state. */
export interface Rotation {
  cur: CacheIndex;
  prev: CacheIndex;
  cand: CacheIndex;
}

/** Rotation v: current v, previous v − 1, candidate v + 1 (mod 3). */
export function rotation(v: number): Rotation {
  return { cur: (v % 3) as CacheIndex, prev: ((v + 2) % 3) as CacheIndex, cand: ((v + 1) % 3) as CacheIndex };
}
