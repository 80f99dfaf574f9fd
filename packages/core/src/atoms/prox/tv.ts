import { ShapeError } from "../../errors.js";
import type { RealBuf } from "../../kernel/kernel.js";
import type { Cell, PlanBuilder } from "../../kernel/plan.js";
import type { AtomContext, AtomDef, ProxCells } from "../atom.js";
import { KernelProxTerm, readAtomParams } from "./prox-term.js";

/**
 * g(x) = λ·TV(x) with Neumann forward differences, 1D or 2D by the slot's shape: anisotropic
 * Σ|D⁰x| + |D¹x| or isotropic Σ‖(D⁰x, D¹x)_ij‖₂ (the two coincide in 1D). The prox runs fast
 * gradient projection on the dual (assembly/tv.ts) for at most `iterations` steps, stopping once
 * the primal iterate moves less than tol relative to its norm. With `warmStart` each prox starts
 * from the previous dual solution (faster in a flow, but the dual is state outside the
 * checkpoint, so a resumed run is not bit-identical).
 */
export class TvTerm extends KernelProxTerm {
  readonly atom: "tvAnisotropic" | "tvIsotropic";
  readonly space = "x" as const;
  readonly sparsity = false;
  readonly dims: 1 | 2;
  readonly rows: number;
  readonly cols: number;
  readonly iterations: number;
  readonly tol: Cell;
  /** Dual steps the last recorded or direct prox took. */
  readonly steps: Cell;
  private readonly scratch: RealBuf;
  private readonly warm: 0 | 1;

  constructor(ctx: AtomContext, readonly isotropic: boolean, params: { iterations: number; tol: number; warmStart: boolean }) {
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
    this.steps = ctx.cells.cell(0);
    this.warm = params.warmStart ? 1 : 0;
    this.scratch = this.own(ctx.kernel.alloc(ctx.kernel.exports.tvScratchSize(this.dims, this.size)));
  }

  emitProx(p: PlanBuilder, u: RealBuf, step: Cell, out: RealBuf, stats: ProxCells): void {
    this.checkBufs("emitProx", u, out);
    const s = [stats.nnz.ptr, stats.value.ptr, this.steps] as const;
    if (this.dims === 1) p.call("tvProx1D", this.size, step, this.lam, this.iterations, this.tol, u, out, this.scratch, this.warm, ...s);
    else p.call("tvProx2D", this.rows, this.cols, step, this.lam, this.iterations, this.tol, this.isotropic ? 1 : 0, u, out, this.scratch, this.warm, ...s);
  }

  emitValue(p: PlanBuilder, u: RealBuf, value: Cell): void {
    this.checkBufs("emitValue", u);
    if (this.dims === 1) p.call("tvValue1D", this.size, this.lam, u, value);
    else p.call("tvValue2D", this.rows, this.cols, this.lam, this.isotropic ? 1 : 0, u, value);
  }
}

function tvAtom(isotropic: boolean): AtomDef {
  const def: AtomDef = {
    name: isotropic ? "tvIsotropic" : "tvAnisotropic",
    kind: "prox",
    description: isotropic
      ? "λ Σ‖(∇x)_ij‖₂ (isotropic total variation, 1D or 2D); prox: fast gradient projection on the dual"
      : "λ Σ|∂₀x| + |∂₁x| (anisotropic total variation, 1D or 2D); prox: fast gradient projection on the dual",
    op: "none",
    target: "none",
    transform: "none",
    params: {
      iterations: { type: "integer", description: "maximum dual steps per prox", default: 100, min: 1 },
      tol: { type: "number", description: "stop when the primal iterate moves less than tol·‖x‖", default: 1e-5, min: 0 },
      warmStart: { type: "boolean", description: "start each prox from the previous dual solution (not bit-reproducible across resume)", default: false },
    },
    convex: true,
    space: "x",
    sparsity: false,
    create(ctx: AtomContext) {
      const params = readAtomParams(def, ctx);
      return new TvTerm(ctx, isotropic, { iterations: params.iterations as number, tol: params.tol as number, warmStart: params.warmStart === true });
    },
  };
  return def;
}

export const tvAnisotropicAtom: AtomDef = tvAtom(false);
export const tvIsotropicAtom: AtomDef = tvAtom(true);
