import {
  CflowError,
  type Dtype,
  type Manifold,
  type ManifoldFactory,
  type RealArray,
  type RngKey,
  type Shape,
  ShapeError,
  checkArray,
  describeValue,
  isDtype,
  normal,
  outArray,
} from "@cflow/core";
import { conformalFactor, dot, gyration, mobiusAdd, mobiusDifference } from "./mobius.js";

export interface PoincareBallOptions {
  /** Shape of one point (flattened: the ball lives in R^n, n = the shape's size). */
  shape: Shape;
  dtype: Dtype;
  /** c > 0: the ball {‖x‖ < 1/√c} with sectional curvature −c (default 1). */
  curvature?: number;
}

/**
 * Points are kept at Euclidean norm ≤ (1 − margin)/√c, the margin being where 1 − c‖x‖² stops
 * carrying digits (geoopt's choice): it bounds the representable distance from the origin by
 * ≈ ln(2/margin)/√c (≈ 12 in float64, ≈ 6 in float32).
 */
const MARGIN: Record<Dtype, number> = { float64: 1e-5, float32: 4e-3 };

/**
 * The Poincaré ball 𝔹ⁿ_c = {x ∈ Rⁿ : c‖x‖² < 1} with the metric g_x = λ_x² ⟨·,·⟩, λ_x = 2/(1 − c‖x‖²)
 * (curvature −c). Tangent spaces are all of Rⁿ. exp/log and parallel transport are the closed forms
 * of the gyrovector calculus (Ungar; Ganea, Bécigneul & Hofmann 2018):
 *   exp_x(v) = x ⊕ tanh(√c λ_x‖v‖/2) v/(√c‖v‖),   log_x(y) = 2/(√c λ_x) artanh(√c‖z‖) z/‖z‖, z = (−x) ⊕ y,
 *   P_{x→y}(v) = (λ_x/λ_y) gyr[y, −x] v,   d(x, y) = arcosh(1 + 2c‖x − y‖²/((1 − c‖x‖²)(1 − c‖y‖²)))/√c.
 * Computes in float64 and meets the run's dtype only on output; `out` may alias any input.
 */
export class PoincareBall implements Manifold {
  readonly name = "poincare";
  readonly shape: Shape;
  readonly dim: number;
  readonly dtype: Dtype;
  readonly curvature: number;
  /** Largest Euclidean norm of a point (see MARGIN). */
  readonly maxNorm: number;
  private readonly sqrtC: number;

  constructor(options: PoincareBallOptions) {
    const o = (options ?? {}) as Partial<PoincareBallOptions>;
    if (!isDtype(o.dtype)) {
      throw new CflowError("BAD_DTYPE", `poincare.create: expected dtype "float32" or "float64", found ${describeValue(o.dtype)}`, { path: "poincare.create.dtype", expected: "float32 | float64", found: describeValue(o.dtype) });
    }
    if (!Array.isArray(o.shape) || o.shape.length === 0 || !o.shape.every((d) => Number.isSafeInteger(d) && d > 0)) {
      throw new ShapeError("poincare.create", "an array of positive integers", Array.isArray(o.shape) ? [...o.shape] : describeValue(o.shape));
    }
    const c = o.curvature ?? 1;
    if (!(typeof c === "number" && Number.isFinite(c) && c > 0)) {
      throw new CflowError("BAD_OPTION", `poincare.create: curvature must be a finite number > 0 (the ball has curvature −c), found ${describeValue(c)}`, { path: "poincare.create.curvature", expected: "c > 0", found: describeValue(c) });
    }
    this.shape = [...o.shape];
    this.dtype = o.dtype;
    this.dim = o.shape.reduce((a, b) => a * b, 1);
    this.curvature = c;
    this.sqrtC = Math.sqrt(c);
    this.maxNorm = (1 - MARGIN[o.dtype]) / this.sqrtC;
  }

  exp(x: RealArray, v: RealArray, out?: RealArray): RealArray {
    const op = "poincare.exp";
    return this.emit(op, this.clip(this.exp64(this.arr(op, x), this.arr(op, v))), out);
  }

  log(x: RealArray, y: RealArray, out?: RealArray): RealArray {
    const op = "poincare.log";
    const xs = this.arr(op, x);
    const z = mobiusDifference(xs, this.arr(op, y), this.curvature);
    const s = this.sqrtC * Math.sqrt(dot(z, z));
    // 2/(√c λ_x)·artanh(s)/‖z‖ = (2/λ_x)·artanh(s)/s, with artanh(s)/s → 1 + s²/3 as s → 0
    const f = (2 / conformalFactor(xs, this.curvature)) * (s < 1e-8 ? 1 + (s * s) / 3 : Math.atanh(Math.min(s, 1 - 1e-16)) / s);
    for (let i = 0; i < z.length; i++) z[i] *= f;
    return this.emit(op, z, out);
  }

  /** exp itself (it costs O(n), like any first-order retraction), kept inside the ball. */
  retract(x: RealArray, v: RealArray, out?: RealArray): RealArray {
    const op = "poincare.retract";
    return this.emit(op, this.clip(this.exp64(this.arr(op, x), this.arr(op, v))), out);
  }

  /** Every ambient vector is tangent: the identity. */
  projTangent(x: RealArray, u: RealArray, out?: RealArray): RealArray {
    const op = "poincare.projTangent";
    this.arr(op, x);
    return this.emit(op, Float64Array.from(this.arr(op, u)), out);
  }

  /** grad f = egrad / λ_x², so that ⟨grad f, w⟩_x = ⟨egrad, w⟩. */
  egradToRgrad(x: RealArray, egrad: RealArray, out?: RealArray): RealArray {
    const op = "poincare.egradToRgrad";
    const l = conformalFactor(this.arr(op, x), this.curvature);
    const g = Float64Array.from(this.arr(op, egrad));
    for (let i = 0; i < g.length; i++) g[i] /= l * l;
    return this.emit(op, g, out);
  }

  metric(x: RealArray, u: RealArray, v: RealArray): number {
    const op = "poincare.metric";
    const l = conformalFactor(this.arr(op, x), this.curvature);
    return l * l * dot(this.arr(op, u), this.arr(op, v));
  }

  /** Parallel transport along the geodesic: (λ_x/λ_y) gyr[y, −x] v (a rotation scaled by the conformal factors). */
  transport(x: RealArray, y: RealArray, v: RealArray, out?: RealArray): RealArray {
    const op = "poincare.transport";
    const xs = this.arr(op, x);
    const ys = this.arr(op, y);
    const negX = Float64Array.from(xs, (q) => -q);
    const t = gyration(ys, negX, this.arr(op, v), this.curvature);
    const f = conformalFactor(xs, this.curvature) / conformalFactor(ys, this.curvature);
    for (let i = 0; i < t.length; i++) t[i] *= f;
    return this.emit(op, t, out);
  }

  /** arcosh(1 + δ)/√c evaluated as log1p(δ + √(δ(δ + 2)))/√c, accurate for nearby points too. */
  dist(x: RealArray, y: RealArray): number {
    const op = "poincare.dist";
    const xs = this.arr(op, x);
    const ys = this.arr(op, y);
    const c = this.curvature;
    let d2 = 0;
    for (let i = 0; i < xs.length; i++) d2 += (xs[i] - ys[i]) ** 2;
    const delta = (2 * c * d2) / ((1 - c * dot(xs, xs)) * (1 - c * dot(ys, ys)));
    return Math.log1p(delta + Math.sqrt(delta * (delta + 2))) / this.sqrtC;
  }

  /** Radial projection onto the ball of radius maxNorm (points inside are kept). */
  project(x: RealArray, out?: RealArray): RealArray {
    const op = "poincare.project";
    return this.emit(op, this.clip(Float64Array.from(this.arr(op, x))), out);
  }

  /** How far beyond the allowed radius a point lies (0 inside). */
  residual(x: RealArray): number {
    const xs = this.arr("poincare.residual", x);
    return Math.max(0, Math.sqrt(dot(xs, xs)) - this.maxNorm);
  }

  /** exp_0(v) of a standard normal v/√n: hyperbolic radius ≈ 2·artanh(tanh(1)) = 2/√c. */
  random(key: RngKey, out?: RealArray): RealArray {
    const v = normal(key, this.dim, "float64") as Float64Array;
    const s = 1 / Math.sqrt(this.dim);
    for (let i = 0; i < v.length; i++) v[i] *= s;
    return this.emit("poincare.random", this.clip(this.exp64(new Float64Array(this.dim), v)), out);
  }

  /** Coordinates in the orthonormal basis e_i/λ_x of T_x: c = λ_x v. */
  toAlgebra(x: RealArray, v: RealArray, out?: RealArray): RealArray {
    const op = "poincare.toAlgebra";
    const l = conformalFactor(this.arr(op, x), this.curvature);
    return this.emit(op, Float64Array.from(this.arr(op, v), (q) => l * q), out);
  }

  fromAlgebra(x: RealArray, c: RealArray, out?: RealArray): RealArray {
    const op = "poincare.fromAlgebra";
    const l = conformalFactor(this.arr(op, x), this.curvature);
    return this.emit(op, Float64Array.from(this.arr(op, c), (q) => q / l), out);
  }

  private exp64(x: Float64Array | RealArray, v: Float64Array | RealArray): Float64Array {
    const nv = Math.sqrt(dot(v, v));
    if (nv === 0) return Float64Array.from(x);
    const t = (this.sqrtC * conformalFactor(x, this.curvature) * nv) / 2;
    const f = Math.tanh(t) / (this.sqrtC * nv);
    return mobiusAdd(x, Float64Array.from(v, (q) => f * q), this.curvature);
  }

  /** Radial clip to maxNorm, aimed a few ulps inside so the dtype's rounding cannot push it out. */
  private clip(x: Float64Array): Float64Array {
    const r = Math.sqrt(dot(x, x));
    if (r > this.maxNorm) {
      const s = (this.maxNorm * (1 - 4 * (this.dtype === "float64" ? Number.EPSILON : 2 ** -23))) / r;
      for (let i = 0; i < x.length; i++) x[i] *= s;
    }
    return x;
  }

  private arr(op: string, a: RealArray): RealArray {
    return checkArray(op, this.dtype, this.shape, a);
  }

  private emit(op: string, r: Float64Array, out: RealArray | undefined): RealArray {
    if (out === undefined && this.dtype === "float64") return r;
    const o = outArray(op, this.dtype, this.shape, out);
    o.set(r);
    return o;
  }
}

export function poincareBall(options: PoincareBallOptions): PoincareBall {
  return new PoincareBall(options);
}

/** The registered factory: the unit-curvature ball (−1) for a slot of any shape. */
export const poincareFactory: ManifoldFactory = {
  description: "Poincaré ball of curvature −1 (hyperbolic space; exp/log, gyration-based parallel transport)",
  probe: { shape: [5] },
  create: ({ shape, dtype }) => new PoincareBall({ shape, dtype }),
};
