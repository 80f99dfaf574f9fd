import type { Kernel, RealBuf } from "../kernel/kernel.js";
import type { Cell, CellBank, PlanBuilder } from "../kernel/plan.js";
import type { ProxCells, ProxTerm } from "./atom.js";

/**
 * What the Moreau identity needs beside the term: a buffer w of the term's size (v/σ, then
 * prox_{g/σ}(v/σ) in place), the cell 1/σ the inner prox reads as its step, and the inner prox's
 * statistics (g at the inner point, which gives g*(out) by Fenchel–Young).
 */
export class MoreauScratch {
  readonly w: RealBuf;
  readonly invSigma: Cell;
  readonly inner: ProxCells;

  constructor(kernel: Kernel, cells: CellBank, size: number) {
    this.w = kernel.alloc(size);
    this.invSigma = cells.cell(1);
    this.inner = { nnz: cells.cell(Number.NaN), value: cells.cell(Number.NaN) };
  }

  dispose(): void {
    if (!this.w.isFreed) this.w.free();
  }
}

/**
 * Records out ← prox_{σ·g*}(v) for any prox term g through the Moreau identity
 * prox_{σg*}(v) = v − σ·prox_{g/σ}(v/σ) (assembly/conjugate.ts around the term's own emitProx),
 * and stats ← nnz(out) and g*(out) = ⟨x, out⟩ − g(x) at x = prox_{g/σ}(v/σ): out ∈ ∂g(x) there, so
 * the Fenchel–Young inequality holds with equality. σ > 0 is read from `sigma` when the plan runs.
 */
export function emitMoreauConjugate(term: ProxTerm, p: PlanBuilder, v: RealBuf, sigma: Cell, out: RealBuf, stats: ProxCells, scratch: MoreauScratch): void {
  const n = v.length;
  p.call("moreauScale", n, sigma, v, scratch.w, scratch.invSigma.ptr);
  term.emitProx(p, scratch.w, scratch.invSigma, scratch.w, scratch.inner);
  p.call("moreauCombine", n, sigma, v, scratch.w, out, scratch.inner.value.ptr, stats.nnz.ptr, stats.value.ptr);
}
