import { CflowError, ShapeError } from "../../errors.js";
import type { F64Buf, RealBuf } from "../../kernel/kernel.js";
import type { Cell, PlanBuilder } from "../../kernel/plan.js";
import type { AtomContext, AtomDef, ProxCells, TermState } from "../atom.js";
import { KernelProxTerm, readAtomParams } from "./prox-term.js";

/**
 * g(x) = λ·TV(x) with Neumann forward differences, 1D or 2D by the slot's shape: anisotropic
 * Σ|D⁰x| + |D¹x| or isotropic Σ‖(D⁰x, D¹x)_ij‖₂ (the two coincide in 1D). The prox runs fast
 * gradient projection on the dual (assembly/tv.ts) and stops on the subproblem's own relative
 * duality gap: the k-th prox of the term to ε_k = tol·k^(−tolDecay) (summable: the errors of a
 * flow's successive proxes add up to a finite total, so the flow converges to the true minimum
 * instead of stalling at a fixed inner accuracy), floored at the dtype's rounding, within at most
 * `iterations` dual steps. With `warmStart` (the default) each prox starts from the previous
 * dual solution and its momentum, so while the input stays the same successive proxes continue
 * one dual run. The dual, its momentum and k are flow state: `saveState`/`loadState` carry them.
 */
export class TvTerm extends KernelProxTerm {
  readonly atom: "tvAnisotropic" | "tvIsotropic";
  readonly space = "x" as const;
  readonly sparsity = false;
  readonly dims: 1 | 2;
  readonly rows: number;
  readonly cols: number;
  readonly iterations: number;
  /** ε_1, the first prox's relative gap, and the exponent of its decay (cells: the plan reads them). */
  readonly tol: Cell;
  readonly tolDecay: Cell;
  /** Dual steps the last recorded or direct prox took. */
  readonly steps: Cell;
  private readonly scratch: RealBuf;
  /** [proxes so far, relative gap reached by the last one, its target ε_k, dual momentum t_k] (assembly/tv.ts). */
  private readonly progress: F64Buf;
  private readonly warm: 0 | 1;

  constructor(ctx: AtomContext, readonly isotropic: boolean, params: { iterations: number; tol: number; tolDecay: number; warmStart: boolean }) {
    const shape = ctx.slotShape;
    if (shape.length !== 1 && shape.length !== 2) {
      throw new ShapeError(`${ctx.path}: ${isotropic ? "tvIsotropic" : "tvAnisotropic"}`, "[n] or [rows, cols]", [...shape], "TV acts on 1D signals and 2D images");
    }
    const rows = shape.length === 1 ? 1 : shape[0];
    const cols = shape.length === 1 ? shape[0] : shape[1];
    super(ctx, rows * cols);
    this.atom = isotropic ? "tvIsotropic" : "tvAnisotropic";
    this.dims = shape.length === 1 ? 1 : 2;
    this.rows = rows;
    this.cols = cols;
    this.iterations = params.iterations;
    this.tol = ctx.cells.cell(params.tol);
    this.tolDecay = ctx.cells.cell(params.tolDecay);
    this.steps = ctx.cells.cell(0);
    this.warm = params.warmStart ? 1 : 0;
    this.scratch = this.own(ctx.kernel.alloc(ctx.kernel.exports.tvScratchSize(this.dims, this.size)));
    this.scratch.view.fill(0);
    this.progress = this.own(ctx.kernel.allocF64(4));
    this.progress.view.fill(0);
  }

  /** Proxes taken so far (k of the last one). */
  get proxCount(): number {
    return this.progress.view[0];
  }

  /** The relative duality gap the last prox reached (an upper bound on its relative suboptimality). */
  get lastGap(): number {
    return this.progress.view[1];
  }

  /** The gap the last prox aimed for, ε_k. */
  get lastTarget(): number {
    return this.progress.view[2];
  }

  /** Reals of the dual variable (n in 1D, 2n in 2D: one pair per pixel). */
  private get dualSize(): number {
    return this.dims * this.size;
  }

  emitProx(p: PlanBuilder, u: RealBuf, step: Cell, out: RealBuf, stats: ProxCells): void {
    this.checkBufs("emitProx", u, out);
    const s = [this.warm, this.progress, stats.nnz.ptr, stats.value.ptr, this.steps] as const;
    if (this.dims === 1) p.call("tvProx1D", this.size, step, this.lam, this.iterations, this.tol, this.tolDecay, u, out, this.scratch, ...s);
    else p.call("tvProx2D", this.rows, this.cols, step, this.lam, this.iterations, this.tol, this.tolDecay, this.isotropic ? 1 : 0, u, out, this.scratch, ...s);
  }

  emitValue(p: PlanBuilder, u: RealBuf, value: Cell): void {
    this.checkBufs("emitValue", u);
    if (this.dims === 1) p.call("tvValue1D", this.size, this.lam, u, value);
    else p.call("tvValue2D", this.rows, this.cols, this.lam, this.isotropic ? 1 : 0, u, value);
  }

  /** The warm start — the dual p, its momentum point r and t_k (copies, in the term's dtype) — and the prox count k. */
  saveState(): TermState {
    const m = this.dualSize;
    return {
      arrays: { dual: this.scratch.view.slice(0, m), momentum: this.scratch.view.slice(m, 2 * m) },
      scalars: { proxes: this.proxCount, momentumStep: this.progress.view[3] },
    };
  }

  loadState(state: TermState): void {
    const path = `${this.path}: ${this.atom}.loadState`;
    const m = this.dualSize;
    for (const key of ["dual", "momentum"]) {
      const a = state.arrays[key];
      if (!a || a.length !== m || (a instanceof Float64Array ? "float64" : "float32") !== this.dtype) {
        throw new CflowError("BAD_STATE", `${path}: expected arrays.${key} as ${m} ${this.dtype} reals`, {
          path: `${path}.arrays.${key}`,
          expected: `${this.dtype}[${m}]`,
          found: a ? `${a instanceof Float64Array ? "float64" : "float32"}[${a.length}]` : "undefined",
        });
      }
    }
    const { proxes, momentumStep } = state.scalars;
    if (!(Number.isInteger(proxes) && proxes >= 0)) {
      throw new CflowError("BAD_STATE", `${path}: expected scalars.proxes as an integer ≥ 0`, { path: `${path}.scalars.proxes`, expected: "integer ≥ 0", found: proxes });
    }
    if (!(momentumStep === 0 || momentumStep >= 1)) {
      throw new CflowError("BAD_STATE", `${path}: expected scalars.momentumStep as 0 or a number ≥ 1`, { path: `${path}.scalars.momentumStep`, expected: "0 or ≥ 1", found: momentumStep });
    }
    this.scratch.view.set(state.arrays.dual, 0);
    this.scratch.view.set(state.arrays.momentum, m);
    this.progress.view[0] = proxes;
    this.progress.view[3] = momentumStep;
  }
}

function tvAtom(isotropic: boolean): AtomDef {
  const def: AtomDef = {
    name: isotropic ? "tvIsotropic" : "tvAnisotropic",
    kind: "prox",
    description: isotropic
      ? "λ Σ‖(∇x)_ij‖₂ (isotropic total variation, 1D or 2D); prox: fast gradient projection on the dual, to a tightening duality gap"
      : "λ Σ|∂₀x| + |∂₁x| (anisotropic total variation, 1D or 2D); prox: fast gradient projection on the dual, to a tightening duality gap",
    op: "none",
    target: "none",
    transform: "none",
    params: {
      iterations: { type: "integer", description: "maximum dual steps per prox", default: 100, min: 1 },
      tol: { type: "number", description: "relative duality gap the first prox stops at; the k-th stops at tol·k^(−tolDecay)", default: 1e-3, min: 0 },
      tolDecay: { type: "number", description: "exponent of the tightening tol·k^(−tolDecay) (> 1: summable)", default: 4, min: 1, exclusiveMin: true },
      warmStart: { type: "boolean", description: "start each prox from the previous dual solution (flow state, carried by checkpoints)", default: true },
    },
    convex: true,
    space: "x",
    sparsity: false,
    splitting: "gradient",
    create(ctx: AtomContext) {
      const params = readAtomParams(def, ctx);
      return new TvTerm(ctx, isotropic, { iterations: params.iterations as number, tol: params.tol as number, tolDecay: params.tolDecay as number, warmStart: params.warmStart !== false });
    },
  };
  return def;
}

export const tvAnisotropicAtom: AtomDef = tvAtom(false);
export const tvIsotropicAtom: AtomDef = tvAtom(true);
