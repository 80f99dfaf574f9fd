import { CflowError, type ManifoldFactory, type RngKey, ShapeError, normal } from "@cflow/core";
import { cholesky, solveLower, whiten } from "./linalg/cholesky.js";
import { matmul, matmulNT, matmulTN, symPart } from "./linalg/dense.js";
import { type SymmetricEigen, symmetricEigen, symmetricFunction } from "@cflow/core/linalg";
import { Float64Manifold } from "./float64-manifold.js";
import { type ManifoldOptions, checkOptions } from "./options.js";

/**
 * Symmetric positive definite n×n matrices with the affine-invariant metric
 * ⟨U, V⟩_X = tr(X⁻¹U X⁻¹V) (row-major points; tangent vectors are symmetric matrices). The metric
 * is invariant under X ↦ AXAᵀ, complete (the boundary of singular matrices is infinitely far),
 * and geodesically convex: log is defined between any two points.
 *
 * exp, log, transport and dist work in the eigenbasis X = U Λ Uᵀ from the Jacobi solver:
 * exp_X(V) = X^{½} Exp(X^{-½} V X^{-½}) X^{½}, log_X(Y) = X^{½} Log(X^{-½} Y X^{-½}) X^{½},
 * transport is parallel transport V ↦ E V Eᵀ with E = X^{½}(X^{-½} Y X^{-½})^{½} X^{-½}.
 * `retract` is the second-order retraction X + V + ½ V X⁻¹ V = ½X + ½(X + V) X⁻¹ (X + V),
 * positive definite for every symmetric V and cheaper (one Cholesky). The Riemannian gradient
 * is X sym(G) X — this metric is not the ambient one, so it differs from the tangent projection.
 * Intrinsic coordinates: W = L⁻¹ V L⁻ᵀ (X = LLᵀ) as [W_ii, √2·W_ij (i < j)], upper triangle row by row.
 */
export class SPD extends Float64Manifold {
  readonly name = "spd";
  private readonly n: number;

  constructor(options: ManifoldOptions) {
    const { shape, dtype } = checkOptions("spd.create", options);
    if (shape.length !== 2 || shape[0] !== shape[1]) throw new ShapeError("spd.create", "[n, n]", shape);
    const n = shape[0];
    super(shape, (n * (n + 1)) / 2, dtype);
    this.n = n;
  }

  protected exp64(x: Float64Array, v: Float64Array): Float64Array {
    const { u, sq, w } = this.whitened(x, v, "spd.exp");
    return this.unwhiten(u, sq, symmetricFunction(symmetricEigen(w, this.n), this.n, Math.exp));
  }

  protected log64(x: Float64Array, y: Float64Array): Float64Array {
    const op = "spd.log";
    const { u, sq, w } = this.whitened(x, y, op);
    return this.unwhiten(u, sq, symmetricFunction(this.positiveEigen(w, op), this.n, Math.log));
  }

  protected retract64(x: Float64Array, v: Float64Array): Float64Array {
    const n = this.n;
    const vs = symPart(v, n);
    const l = cholesky(x, n, "spd.retract");
    const b = solveLower(l, vs, n, n); // L⁻¹V, so V X⁻¹ V = (L⁻¹V)ᵀ(L⁻¹V)
    const q = matmulTN(b, b, n, n, n);
    const out = new Float64Array(n * n);
    for (let i = 0; i < n * n; i++) out[i] = x[i] + vs[i] + 0.5 * q[i];
    return symPart(out, n);
  }

  /** The tangent space is all symmetric matrices: the Frobenius-orthogonal projection is sym(U). */
  protected projTangent64(_x: Float64Array, u: Float64Array): Float64Array {
    return symPart(u, this.n);
  }

  protected egradToRgrad64(x: Float64Array, g: Float64Array): Float64Array {
    const n = this.n;
    return symPart(matmul(matmul(x, symPart(g, n), n, n, n), x, n, n, n), n);
  }

  protected metric64(x: Float64Array, u: Float64Array, v: Float64Array): number {
    const n = this.n;
    const l = cholesky(x, n, "spd.metric");
    const a = whiten(l, symPart(u, n), n);
    const b = whiten(l, symPart(v, n), n);
    let s = 0;
    for (let i = 0; i < n * n; i++) s += a[i] * b[i];
    return s;
  }

  protected transport64(x: Float64Array, y: Float64Array, v: Float64Array): Float64Array {
    const n = this.n;
    const op = "spd.transport";
    const { u, sq, w } = this.whitened(x, y, op);
    const r = symmetricFunction(this.positiveEigen(w, op), n, Math.sqrt); // (Λ^{-½} Y' Λ^{-½})^{½}
    // E' = Λ^{½} R Λ^{-½} in the eigenbasis of X; transport is U E' (UᵀVU) E'ᵀ Uᵀ.
    const e = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) e[i * n + j] = (sq[i] * r[i * n + j]) / sq[j];
    const vp = matmul(matmulTN(u, symPart(v, n), n, n, n), u, n, n, n);
    const pv = matmulNT(matmul(e, vp, n, n, n), e, n, n, n);
    return symPart(matmulNT(matmul(u, pv, n, n, n), u, n, n, n), n);
  }

  protected dist64(x: Float64Array, y: Float64Array): number {
    const op = "spd.dist";
    const l = cholesky(x, this.n, op);
    const mu = this.positiveEigen(whiten(l, symPart(y, this.n), this.n), op).values;
    let s = 0;
    for (const m of mu) s += Math.log(m) ** 2;
    return Math.sqrt(s);
  }

  /**
   * The nearest SPD matrix: the symmetric part with its eigenvalues raised to at least
   * n·ε·λ_max (ε of the run's dtype), so the result is positive definite in that dtype.
   */
  protected project64(a: Float64Array): Float64Array {
    const n = this.n;
    const e = symmetricEigen(a, n);
    const top = e.values[n - 1];
    if (!(top > 0)) {
      throw new CflowError("SPD_NO_PROJECTION", `spd.project: expected a matrix with a positive eigenvalue, found largest eigenvalue ${top}`, {
        path: "spd.project",
        expected: "λ_max > 0",
        found: top,
      });
    }
    const floor = n * (this.dtype === "float64" ? 2.220446049250313e-16 : 1.1920929e-7) * top;
    return symmetricFunction(e, n, (l) => Math.max(l, floor));
  }

  /** ‖X − Xᵀ‖_F plus how far the smallest eigenvalue of sym(X) is below zero. */
  protected residual64(x: Float64Array): number {
    const n = this.n;
    let asym = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) asym += 2 * (x[i * n + j] - x[j * n + i]) ** 2;
    const lmin = symmetricEigen(x, n).values[0];
    return Math.sqrt(asym) + Math.max(0, -lmin);
  }

  /** Exp(S) of a symmetric Gaussian S scaled so that its eigenvalues lie in about [−√2, √2]. */
  protected random64(key: RngKey): Float64Array {
    const n = this.n;
    const g = Float64Array.from(normal(key, n * n, "float64"));
    const s = symPart(g, n).map((v) => v / Math.sqrt(n));
    return symmetricFunction(symmetricEigen(s, n), n, Math.exp);
  }

  protected toAlgebra64(x: Float64Array, v: Float64Array): Float64Array {
    const n = this.n;
    const w = whiten(cholesky(x, n, "spd.toAlgebra"), symPart(v, n), n);
    const c = new Float64Array(this.dim);
    let k = 0;
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) c[k++] = i === j ? w[i * n + i] : Math.SQRT2 * w[i * n + j];
    return c;
  }

  protected fromAlgebra64(x: Float64Array, c: Float64Array): Float64Array {
    const n = this.n;
    const w = new Float64Array(n * n);
    let k = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        const s = i === j ? c[k++] : c[k++] / Math.SQRT2;
        w[i * n + j] = s;
        w[j * n + i] = s;
      }
    }
    const l = cholesky(x, n, "spd.fromAlgebra");
    return symPart(matmulNT(matmul(l, w, n, n, n), l, n, n, n), n);
  }

  /**
   * X = U Λ Uᵀ and the whitened W = Λ^{-½} (UᵀAU) Λ^{-½} of a second matrix A (its symmetric
   * part), with sq = √λ. Everything else happens in this eigenbasis of X.
   */
  private whitened(x: Float64Array, a: Float64Array, op: string): { u: Float64Array; sq: Float64Array; w: Float64Array } {
    const n = this.n;
    const ex = this.positiveEigen(x, op);
    const u = ex.vectors;
    const sq = ex.values.map(Math.sqrt);
    const ap = matmul(matmulTN(u, symPart(a, n), n, n, n), u, n, n, n);
    const w = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) w[i * n + j] = ap[i * n + j] / (sq[i] * sq[j]);
    return { u, sq, w: symPart(w, n) };
  }

  /** U Λ^{½} M Λ^{½} Uᵀ: back from the whitened eigenbasis. */
  private unwhiten(u: Float64Array, sq: Float64Array, m: Float64Array): Float64Array {
    const n = this.n;
    const s = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s[i * n + j] = sq[i] * m[i * n + j] * sq[j];
    return symPart(matmulNT(matmul(u, s, n, n, n), u, n, n, n), n);
  }

  private positiveEigen(a: Float64Array, op: string): SymmetricEigen {
    const e = symmetricEigen(a, this.n);
    if (!(e.values[0] > 0)) {
      throw new CflowError("NOT_POSITIVE_DEFINITE", `${op}: expected a symmetric positive definite matrix, found smallest eigenvalue ${e.values[0]}`, {
        path: op,
        expected: "all eigenvalues > 0",
        found: e.values[0],
      });
    }
    return e;
  }
}

export const spdFactory: ManifoldFactory = {
  create: (options) => new SPD(options),
  probe: { shape: [4, 4] },
  description: "symmetric positive definite n×n matrices (affine-invariant metric)",
};
