import { CflowError } from "../../errors.js";
import type { RealBuf } from "../../kernel/kernel.js";
import { type Cell, type PlanBuilder } from "../../kernel/plan.js";
import { KernelResources } from "../../kernel/resources.js";
import type { Op } from "../../ops/op.js";
import type { AtomContext, AtomDef, CacheIndex, SmoothTerm } from "../atom.js";

/**
 * ½·w xᵀQx with Q a symmetric positive semi-definite op (graph Laplacians, precision matrices).
 * Caches Qx per state buffer, so the gradient at the momentum point is a linear combination. A
 * base class for plugins' quadratic energies: `options` names the atom and may give a cheaper
 * Lipschitz form (a Laplacian's w·‖B‖² through its incidence B, instead of w·‖L‖).
 */
export class QuadraticFormTerm implements SmoothTerm {
  readonly kind = "smooth" as const;
  readonly atom: string;
  readonly quadratic = true;
  readonly translationInvariantHessian: boolean;
  readonly lipschitz: SmoothTerm["lipschitz"];
  private readonly n: number;
  private readonly caches: [RealBuf, RealBuf, RealBuf];
  private readonly hy: RealBuf;
  private readonly yy: RealBuf;
  private readonly w: Cell;
  private readonly halfW: Cell;
  private readonly scratch: Cell;
  private readonly resources: KernelResources;

  constructor(
    ctx: AtomContext,
    private readonly Q: Op,
    options: { atom?: string; lipschitz?: SmoothTerm["lipschitz"] } = {},
  ) {
    this.atom = options.atom ?? "quadraticForm";
    const k = ctx.kernel;
    this.n = ctx.slotShape.reduce((a, b) => a * b, 1);
    const inN = Q.inShape.reduce((a, b) => a * b, 1);
    const outN = Q.outShape.reduce((a, b) => a * b, 1);
    if (inN !== this.n || outN !== this.n) {
      throw new CflowError("SHAPE_MISMATCH", `${ctx.path}.op: a quadratic form needs a square op on the slot (${this.n} → ${this.n}), found ${inN} → ${outN}`, {
        path: `${ctx.path}.op`,
        expected: `${this.n} → ${this.n}`,
        found: `${inN} → ${outN}`,
      });
    }
    this.resources = new KernelResources(k);
    const alloc = (len: number) => this.resources.own(k.alloc(len));
    this.caches = [alloc(this.n), alloc(this.n), alloc(this.n)];
    this.hy = alloc(this.n);
    this.yy = alloc(this.n);
    this.w = ctx.cells.cell(ctx.weight);
    this.halfW = ctx.cells.cell(ctx.weight / 2);
    this.scratch = ctx.cells.cell(0);
    this.lipschitz = options.lipschitz ?? { scale: ctx.weight, normOp: Q, power: 1 };
    this.translationInvariantHessian = Q.translationInvariant === true;
    checkSymmetric(ctx, Q, this.n);
  }

  /** Records value ← ½w⟨x, h⟩ from h = Qx. */
  private emitValue(p: PlanBuilder, x: RealBuf, h: RealBuf, value: Cell): void {
    p.call("dot", this.n, x, h, value);
    p.call("scaleCell", this.halfW, value.ptr);
  }

  emitObserve(p: PlanBuilder, x: RealBuf, into: CacheIndex, value: Cell): void {
    this.Q.emitApply(p, x, this.caches[into]);
    this.emitValue(p, x, this.caches[into], value);
  }

  emitGradient(p: PlanBuilder, y: RealBuf, cur: CacheIndex, prev: CacheIndex, beta: Cell, g: RealBuf, value: Cell): void {
    p.call("momentum", this.n, beta, this.caches[cur], this.caches[prev], this.hy);
    this.emitValue(p, y, this.hy, value);
    p.call("axpy", this.n, this.w, this.hy, g);
  }

  value(x: RealBuf): number {
    this.resources.run("value", [x], (p) => {
      this.Q.emitApply(p, x, this.hy);
      this.emitValue(p, x, this.hy, this.scratch);
    });
    return this.scratch.value;
  }

  addGradient(x: RealBuf, g: RealBuf): number {
    this.resources.run("gradient", [x, g], (p) => {
      this.Q.emitApply(p, x, this.hy);
      this.emitValue(p, x, this.hy, this.scratch);
      p.call("axpy", this.n, this.w, this.hy, g);
    });
    return this.scratch.value;
  }

  addHessian(_x: RealBuf, v: RealBuf, out: RealBuf): void {
    this.resources.run("hessian", [v, out], (p) => {
      this.Q.emitApply(p, v, this.yy);
      p.call("axpy", this.n, this.w, this.yy, out);
    });
  }

  dispose(): void {
    this.resources.dispose();
  }
}

/** Q must be symmetric (the gradient of ½xᵀQx is Qx only then): probe ⟨Qu, v⟩ = ⟨u, Qv⟩. */
function checkSymmetric(ctx: AtomContext, Q: Op, n: number): void {
  const u = new (ctx.dtype === "float64" ? Float64Array : Float32Array)(n);
  const v = new (ctx.dtype === "float64" ? Float64Array : Float32Array)(n);
  for (let i = 0; i < n; i++) {
    u[i] = Math.sin(1.3 * i + 0.7);
    v[i] = Math.cos(0.9 * i + 0.2);
  }
  const Qu = Q.apply(u);
  const Qv = Q.apply(v);
  let a = 0;
  let b = 0;
  let s = 0;
  for (let i = 0; i < n; i++) {
    a += Qu[i] * v[i];
    b += u[i] * Qv[i];
    s += Math.abs(Qu[i] * v[i]) + Math.abs(u[i] * Qv[i]);
  }
  const tol = ctx.dtype === "float64" ? 1e-9 : 1e-3;
  if (Math.abs(a - b) > tol * Math.max(s, 1e-300)) {
    throw new CflowError("OP_NOT_SYMMETRIC", `${ctx.path}.op: a quadratic form needs a symmetric op — ⟨Qu, v⟩ = ${a} but ⟨u, Qv⟩ = ${b}`, {
      path: `${ctx.path}.op`,
      expected: "Q = Qᵀ",
      found: `relative asymmetry ${(Math.abs(a - b) / s).toExponential(2)}`,
      hint: "use (Q + Qᵀ)/2, or leastSquares/tikhonov with a factor L (Q = LᵀL)",
    });
  }
}

export const quadraticForm: AtomDef = {
  name: "quadraticForm",
  kind: "smooth",
  description: "½·w xᵀQx — quadratic form of a symmetric PSD op Q (graph Laplacian, precision matrix)",
  op: "required",
  target: "none",
  transform: "none",
  params: {},
  convex: true,
  create: (ctx) => new QuadraticFormTerm(ctx, ctx.op!),
};
