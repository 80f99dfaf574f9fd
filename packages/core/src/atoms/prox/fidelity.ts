import { shapeSize } from "../../dtype.js";
import { CflowError, ShapeError } from "../../errors.js";
import type { RealBuf } from "../../kernel/kernel.js";
import type { Cell, PlanBuilder, PlanFn } from "../../kernel/plan.js";
import { type Op, checkBuf } from "../../ops/op.js";
import type { AtomContext, AtomDef, ProxCells } from "../atom.js";
import { KernelProxTerm, readAtomParams } from "./prox-term.js";

/**
 * Where a data-fidelity term g(Kx) acts: on the output of its op K (the term is then non-smooth
 * through K: a primal–dual flow splits it, `splitting: "dual"`), or on the slot when the term
 * names no op; and its target y there (checked against that space).
 */
export function fidelitySpace(ctx: AtomContext, atom: string, target: "required" | "optional"): { size: number; op: Op | null; target: RealBuf | null } {
  const op = ctx.op ?? null;
  if (op && shapeSize(op.inShape) !== shapeSize(ctx.slotShape)) {
    throw new ShapeError(`${ctx.path}.op`, [...ctx.slotShape], [...op.inShape], `the op of a ${atom} term takes the slot`);
  }
  const size = op ? shapeSize(op.outShape) : shapeSize(ctx.slotShape);
  const y = ctx.target ?? null;
  if (!y) {
    if (target === "required") {
      throw new CflowError("MISSING_DATA", `${ctx.path}.target: atom "${atom}" needs the observation y as its target`, { path: `${ctx.path}.target`, expected: "the name of a data array", found: "undefined" });
    }
    return { size, op, target: null };
  }
  checkBuf(`${ctx.path}.target`, ctx, y, size);
  return { size, op, target: y };
}

/** The kernel routines of a data-fidelity term: its prox, its value and its conjugate's prox. */
interface FidelityCalls {
  prox: PlanFn;
  value: PlanFn;
  proxConjugate: PlanFn;
}

/**
 * A data-fidelity term g(u) = λ·φ(u; y) with a required target y, on u = Kx with an op, else on
 * the slot; its three computations are one kernel routine each, called with (n, …, λ, y, …).
 */
abstract class FidelityTerm extends KernelProxTerm {
  readonly space = "x" as const;
  readonly sparsity = false;
  override readonly op: Op | null;
  readonly target: RealBuf;

  constructor(
    ctx: AtomContext,
    atom: string,
    private readonly calls: FidelityCalls,
  ) {
    const at = fidelitySpace(ctx, atom, "required");
    super(ctx, at.size);
    this.op = at.op;
    this.target = at.target!;
  }

  emitProx(p: PlanBuilder, u: RealBuf, step: Cell, out: RealBuf, stats: ProxCells): void {
    this.checkBufs("emitProx", u, out);
    p.call(this.calls.prox, this.size, step, this.lam, this.target, u, out, stats.nnz.ptr, stats.value.ptr);
  }

  emitValue(p: PlanBuilder, u: RealBuf, value: Cell): void {
    this.checkBufs("emitValue", u);
    p.call(this.calls.value, this.size, this.lam, this.target, u, value);
  }

  override emitProxConjugate(p: PlanBuilder, v: RealBuf, sigma: Cell, out: RealBuf, stats: ProxCells): void {
    this.checkBufs("emitProxConjugate", v, out);
    p.call(this.calls.proxConjugate, this.size, sigma, this.lam, this.target, v, out, stats.nnz.ptr, stats.value.ptr);
  }
}

/**
 * g(u) = λ·KL(y ‖ u) = λ Σ u_i − y_i − y_i·log(u_i/y_i) (y ≥ 0; +∞ unless u > 0 where y > 0): the
 * negative Poisson log-likelihood of counts y with mean u, shifted to vanish at u = y. u = Kx
 * with an op, else the slot. prox: the positive root of x² − (u − tλ)x − tλy = 0; conjugate
 * g*(p) = −λ Σ y·log(1 − p/λ) on p < λ, with prox in closed form (assembly/fidelity.ts).
 */
export class PoissonTerm extends FidelityTerm {
  readonly atom = "poisson";

  constructor(ctx: AtomContext) {
    super(ctx, "poisson", { prox: "proxKL", value: "klValue", proxConjugate: "proxKLConj" });
    const y = this.target.view;
    for (let i = 0; i < y.length; i++) {
      if (!(y[i] >= 0 && Number.isFinite(y[i]))) {
        throw new CflowError("BAD_DATA", `${ctx.path}.target[${i}]: Poisson data are counts (finite and ≥ 0), found ${y[i]}`, { path: `${ctx.path}.target[${i}]`, expected: "a finite number ≥ 0", found: y[i] });
      }
    }
  }
}

/**
 * g(u) = λ‖u − y‖₁ (robust data fidelity: impulse noise). u = Kx with an op, else the slot. prox:
 * y + soft(u − y, tλ); conjugate g*(p) = ⟨p, y⟩ + ι{‖p‖∞ ≤ λ}, prox clip(v − σy, −λ, λ).
 */
export class L1DataTerm extends FidelityTerm {
  readonly atom = "l1Data";

  constructor(ctx: AtomContext) {
    super(ctx, "l1Data", { prox: "proxL1Data", value: "l1DataValue", proxConjugate: "proxL1DataConj" });
  }
}

/** The atom of a data-fidelity term: optional op, required target, split through its conjugate. */
function fidelityAtom(name: string, description: string, Term: new (ctx: AtomContext) => FidelityTerm): AtomDef {
  const atom: AtomDef = {
    name,
    kind: "prox",
    description,
    op: "optional",
    target: "required",
    transform: "none",
    params: {},
    convex: true,
    space: "x",
    sparsity: false,
    splitting: "dual",
    create(ctx) {
      readAtomParams(atom, ctx);
      return new Term(ctx);
    },
  };
  return atom;
}

export const poissonAtom = fidelityAtom(
  "poisson",
  "λ·KL(y ‖ Kx) = λ Σ (Kx)_i − y_i log (Kx)_i + y_i log y_i − y_i (Poisson counts y; Kx = x without an op); prox and conjugate prox in closed form",
  PoissonTerm,
);

export const l1DataAtom = fidelityAtom(
  "l1Data",
  "λ‖Kx − y‖₁ (Kx = x without an op: robust to impulse noise); prox: y + soft-threshold; conjugate prox: clip(v − σy, −λ, λ)",
  L1DataTerm,
);
