import type { Dtype } from "../dtype.js";
import { CflowError } from "../errors.js";
import type { RealBuf } from "../kernel/kernel.js";
import type { Cell, PlanBuilder } from "../kernel/plan.js";
import { GradientOp } from "../ops/gradient.js";
import type { Op } from "../ops/op.js";
import { PRIMAL_DUAL_FAMILIES } from "../spec/defaults.js";
import type { ProxCells, ProxTerm } from "./atom.js";
import { TvTerm } from "./prox/tv.js";

/**
 * A non-smooth term written as h(Kx) for a primal–dual flow: the op K, the prox of σ·h* on K's
 * output, and h's value. Data-fidelity terms given an op (poisson, l1Data, l2Ball: atoms with
 * `splitting: "dual"`) are their atom's g on Kx; total variation is λ·‖∇x‖ (isotropic: the sum of
 * the 2-norms of the gradient's pixel pairs; anisotropic and 1D: the 1-norm) with K the
 * finite-difference gradient of ops/gradient.ts, whose adjoint-pair layout the TV prox kernels
 * share, and h* the indicator of the dual-norm ball of radius λ: its prox is a projection.
 */
export interface DualSplit {
  readonly term: ProxTerm;
  readonly op: Op;
  /** Records out ← prox_{σh*}(v) (out may alias v); stats ← nnz and h*(out). */
  emitProxConjugate(p: PlanBuilder, v: RealBuf, sigma: Cell, out: RealBuf, stats: ProxCells): void;
  /** Records value ← h(Kx) from the slot's x and kx = Kx (the caller applies K). */
  emitValue(p: PlanBuilder, x: RealBuf, kx: RealBuf, value: Cell): void;
  dispose(): void;
}

/** Whether a compiled prox term goes through its conjugate in a flow of this family (null: it is an ordinary prox). */
export function splitsThroughOp(term: ProxTerm, family: string): boolean {
  if (term.op) return true;
  return PRIMAL_DUAL_FAMILIES.includes(family) && term instanceof TvTerm;
}

export function dualSplit(term: ProxTerm, dtype: Dtype): DualSplit {
  if (term.op) {
    const op = term.op;
    const conj = term.emitProxConjugate?.bind(term);
    if (!conj) throw new CflowError("NO_CONJUGATE_PROX", `${term.atom}: a term split through its op needs emitProxConjugate`, { path: term.atom, expected: "a prox term with emitProxConjugate" });
    return {
      term,
      op,
      emitProxConjugate: conj,
      emitValue: (p, _x, kx, value) => term.emitValue(p, kx, value),
      dispose: () => {},
    };
  }
  if (term instanceof TvTerm) {
    const op = new GradientOp(dtype, term.dims === 1 ? [term.size] : [term.rows, term.cols]);
    const pairs = term.dims === 2 && term.isotropic;
    return {
      term,
      op,
      emitProxConjugate: (p, v, _sigma, out, stats) => {
        if (pairs) p.call("projL2PairBall", term.size, term.lam, v, out, stats.nnz.ptr, stats.value.ptr);
        else p.call("projLinfBall", op.outSize, term.lam, v, out, stats.nnz.ptr, stats.value.ptr);
      },
      emitValue: (p, x, _kx, value) => term.emitValue(p, x, value),
      dispose: () => op.dispose(),
    };
  }
  throw new CflowError("NO_DUAL_SPLIT", `${term.atom}: the term has no op and is not total variation, so a primal–dual flow cannot split it`, { path: term.atom, expected: "a term with an op, or tvIsotropic / tvAnisotropic" });
}
