import type { Dtype, RealArray, Shape } from "../dtype.js";
import type { Cell, CellBank, PlanBuilder } from "../kernel/plan.js";
import type { Kernel, RealBuf } from "../kernel/kernel.js";
import type { Op } from "../ops/op.js";
import type { LinearStructure } from "../ops/structure.js";
import type { ParamRule } from "../spec/params.js";
import type { Band, TransformOp } from "../transforms/transform.js";

export type Need = "required" | "optional" | "none";

/** What the compiler hands an atom to instantiate it for one term of one flow. */
export interface AtomContext {
  /** Spec path of the term, for error messages ("terms[1]"). */
  path: string;
  kernel: Kernel;
  dtype: Dtype;
  /** Shape of the slot the term acts on. */
  slotShape: Shape;
  op?: Op;
  /** The target data in kernel memory. */
  target?: RealBuf;
  transform?: TransformOp;
  /** Weight (λ for regularizers) — the value at compile time; terms read it from `weightCell`. */
  weight: number;
  bandWeights?: number[];
  /** Parameters with defaults applied (string parameters may name arrays of `data`). */
  params: Record<string, number | string | boolean | number[]>;
  /** The spec's data arrays in kernel memory. */
  data: Record<string, RealBuf>;
  cells: CellBank;
}

/** Which of a term's three image caches an emission reads or writes (see SmoothTerm). */
export type CacheIndex = 0 | 1 | 2;

/**
 * A smooth term f of the energy. `value`/`addGradient`/`addHessian` are direct evaluations (used
 * by certificates, unit normalisation and tests); the `emit…` methods record the term's part of a
 * flow step into a plan.
 *
 * Terms of the form φ(Ax − b) keep three caches of the linear image Ax − b, one per state buffer
 * the runtime rotates through (current, previous, candidate). The momentum point of accelerated
 * flows y = x + β(x − x_prev) then has the image (1 + β)·c_cur − β·c_prev by linearity, so one
 * step costs one apply (observing the candidate) and one adjoint (the gradient at y) — never two
 * applies. Terms without a linear image simply read `y`.
 */
export interface SmoothTerm {
  readonly kind: "smooth";
  readonly atom: string;
  /** ∇²f is constant (the certificates' core operator is then exact). */
  readonly quadratic: boolean;
  /**
   * Lipschitz constant of ∇f as `scale·‖A‖^power` (power 2 for φ(Ax − b) terms, 1 for quadratic
   * forms ½xᵀAx; default 2) where A is `normOp` (null: the term has no op and `scale` is the
   * constant itself). The compiler uses the op's analytic norm hint, or power iteration.
   */
  readonly lipschitz: { scale: number; normOp: Op | null; power?: 1 | 2 };
  /**
   * ∇²f is constant and commutes with circular shifts of the slot's grid (least squares through a
   * circular convolution, Tikhonov with the identity...). Optional: absent means no.
   */
  readonly translationInvariantHessian?: boolean;
  value(x: RealBuf): number;
  /** g ← g + ∇f(x); returns f(x). */
  addGradient(x: RealBuf, g: RealBuf): number;
  /**
   * g ← g + ∇f(x) where cache[cur] holds the term's image of x (`emitObserve` of x into cur): the
   * bits of `addGradient(x, g)` without applying the op again; returns f(x). Optional: terms
   * without it are differentiated by `addGradient`.
   */
  addGradientFromImage?(x: RealBuf, cur: CacheIndex, g: RealBuf): number;
  /** out ← out + ∇²f(x)·v. */
  addHessian(x: RealBuf, v: RealBuf, out: RealBuf): void;
  /**
   * diag ∇²f(x) in float64 when the term knows it exactly and cheaply (least squares through an
   * op that offers `gramDiagonal`), else null. Optional: the preconditioned flow family builds
   * its Jacobi preconditioner from it and probes the Hessian of terms without it.
   */
  hessianDiagonal?(x: RealBuf): Float64Array | null;
  /**
   * The structure of the constant ∇²f with the current weight (least squares through an op that
   * declares its Gram structure, Tikhonov without an op: a scaled identity), else null. Optional:
   * the compiler sums the terms' structures into the flow's, which certificates use in closed form.
   */
  hessianStructure?(): LinearStructure | null;
  /** Records: cache[into] ← the term's image of x; value ← f(x). */
  emitObserve(p: PlanBuilder, x: RealBuf, into: CacheIndex, value: Cell): void;
  /**
   * Records: g ← g + ∇f(y) and value ← f(y), where y = x_cur + β(x_cur − x_prev) and the images
   * of x_cur, x_prev are in cache[cur], cache[prev] (β = 0: y = x_cur).
   */
  emitGradient(p: PlanBuilder, y: RealBuf, cur: CacheIndex, prev: CacheIndex, beta: Cell, g: RealBuf, value: Cell): void;
  /**
   * As emitGradient, but g ← ∇f(y), overwriting g. Optional: when a term is the only smooth term
   * of a flow and spans the whole state, the runtime records this instead of zeroing g and
   * accumulating (two passes fewer per step).
   */
  emitGradientSet?(p: PlanBuilder, y: RealBuf, cur: CacheIndex, prev: CacheIndex, beta: Cell, g: RealBuf, value: Cell): void;
  dispose(): void;
}

/** Statistics of one prox evaluation, fused into the pass that computes it. */
export interface ProxCells {
  /** Number of non-zero outputs (sparsity-inducing proxes) — NaN when not tracked. */
  nnz: Cell;
  /** g(prox output) with the current weight. */
  value: Cell;
}

/**
 * What a term carries from one evaluation to the next (an iterative prox's warm start): part of
 * the flow's state, so a checkpoint must hold it for a resumed run to repeat an uninterrupted one.
 * Arrays are in the term's dtype; scalars are plain numbers (JSON).
 */
export interface TermState {
  arrays: Record<string, RealArray>;
  scalars: Record<string, number>;
}

/**
 * A non-smooth term g with a cheap proximal map, acting on a slot (space "x") or on the slot's
 * transform coefficients (space "W") — or, for atoms with `splitting: "dual"` given an op K, on
 * K's output: the term is then g(Kx). Weights (λ, λ_j) live in cells the tuner changes between
 * steps without rebuilding plans.
 */
export interface ProxTerm {
  readonly kind: "prox";
  readonly atom: string;
  readonly space: "x" | "W";
  /**
   * The op K of a term g(Kx) (an atom with `splitting: "dual"` given an op): `value`, `prox` and
   * the conjugate prox then act on K's output space. Null or absent: the term acts on its slot
   * (or the slot's transform coefficients).
   */
  readonly op?: Op | null;
  /** Induces sparsity: certificates are restricted to the active set. */
  readonly sparsity: boolean;
  /**
   * The prox is the same in every positive diagonal metric: argmin_x g(x) + ½‖x − u‖²_D does not
   * depend on D (indicators of coordinate-wise constraints: box, non-negativity). The
   * preconditioned flow family accepts only such terms. Default false.
   */
  readonly diagonalMetricExact?: boolean;
  /** Current global weight λ (a setter updates the cells the plan reads). */
  lambda: number;
  /** Per-band weights λ_j (relative to λ) when the atom supports bands, else null. */
  bandWeights: number[] | null;
  /** The bands the weights refer to (W-space atoms), else null. */
  readonly bands: readonly Band[] | null;
  value(u: RealBuf): number;
  /** out ← prox_{t·g}(u) (out may alias u). */
  prox(u: RealBuf, t: number, out: RealBuf): void;
  /** Records out ← prox_{t·g}(u) with t read from `step`; writes nnz and g(out) into `stats`. */
  emitProx(p: PlanBuilder, u: RealBuf, step: Cell, out: RealBuf, stats: ProxCells): void;
  /** Records `value` ← g(u). */
  emitValue(p: PlanBuilder, u: RealBuf, value: Cell): void;
  /**
   * out ← prox_{σ·g*}(v), g* the convex conjugate of g (with its weight); `lastStats`-style
   * statistics as `prox`, the value being g*(out). Optional, like `emitProxConjugate`.
   */
  proxConjugate?(v: RealBuf, sigma: number, out: RealBuf): void;
  /**
   * Records out ← prox_{σ·g*}(v) with σ read from `sigma`; writes nnz and g*(out) into `stats`
   * (out may alias v). The built-in atoms give it in closed form where that is cheaper or more
   * accurate (the conjugate of a norm is the indicator of the dual-norm ball: a projection), else
   * through the Moreau identity. Optional: for a term without it, `emitMoreauConjugate`
   * (atoms/conjugate.ts) derives it from `emitProx`.
   */
  emitProxConjugate?(p: PlanBuilder, v: RealBuf, sigma: Cell, out: RealBuf, stats: ProxCells): void;
  /** The term's state between proxes (TermState), for checkpoints. Optional: absent means stateless. */
  saveState?(): TermState;
  /** Restores what `saveState` returned (same term shape and dtype). */
  loadState?(state: TermState): void;
  dispose(): void;
}

export type Term = SmoothTerm | ProxTerm;

/** A registered atom: metadata the linter checks and a factory the compiler calls. */
export interface AtomDef {
  name: string;
  kind: "smooth" | "prox";
  description: string;
  op: Need;
  target: Need;
  transform: Need;
  params: Record<string, ParamRule>;
  convex: boolean;
  /** Prox atoms: where the prox acts. */
  space?: "x" | "W";
  /** Prox atoms that induce sparsity (restricted certificates). */
  sparsity?: boolean;
  /** Accepts per-band weights λ_j. */
  bandWeights?: boolean;
  /**
   * Prox atoms that may take an op K (`op` "optional" or "required"): "dual" — a term with an op is
   * g(Kx), non-smooth through K, so forward–backward flows cannot take it (they need prox of g∘K);
   * a primal–dual flow splits it through prox of g* on K's output. Without an op the term acts on
   * its slot like any prox atom. "gradient" — total variation λ‖∇x‖: in a primal–dual flow the
   * term is split through the finite-difference gradient (atoms/dual-split.ts). Absent: neither.
   */
  splitting?: "dual" | "gradient";
  /** Prox atoms this one fuses with on one slot into one exact prox (L1 + box ...). */
  composesWith?: string[];
  /** Cross-parameter checks: returns a problem ("lo must be ≤ hi") or null. */
  checkParams?(params: Record<string, unknown>): { param: string; message: string; expected: string; found: unknown } | null;
  create(ctx: AtomContext): Term;
}

/** Identity function that types an atom definition (for plugins). */
export function defineAtom(def: AtomDef): AtomDef {
  return def;
}
