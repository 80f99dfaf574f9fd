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
  normal,
  outArray,
  shapeSize,
} from "@cflow/core";
import { type ManifoldOptions, checkOptions } from "./options.js";

/**
 * The unit sphere S^{n−1} = {x : ‖x‖ = 1} of arrays of any shape with n ≥ 2 entries, with the
 * metric of the ambient Rⁿ. Geodesics are great circles; transport is parallel transport along
 * the minimising great circle; `retract` is the metric projection (x + v)/‖x + v‖, which puts
 * every step back on the sphere to rounding. Works on the run's arrays directly (n may be
 * large), accumulating in float64; `out` may alias any input.
 */
export class Sphere implements Manifold {
  readonly name = "sphere";
  readonly shape: Shape;
  readonly dim: number;
  readonly dtype: Dtype;
  private readonly n: number;

  constructor(options: ManifoldOptions) {
    const { shape, dtype } = checkOptions("sphere.create", options);
    const n = shapeSize(shape);
    if (n < 2) throw new ShapeError("sphere.create", "at least 2 entries", shape, "S^{n−1} needs n ≥ 2");
    this.shape = shape;
    this.dtype = dtype;
    this.n = n;
    this.dim = n - 1;
  }

  /** exp_x(v) = cos‖v‖ x + sin‖v‖ v/‖v‖, renormalised so rounding never leaves the sphere. */
  exp(x: RealArray, v: RealArray, out?: RealArray): RealArray {
    const op = "sphere.exp";
    this.check(op, x);
    this.check(op, v);
    const t = Math.sqrt(dot(v, v));
    const a = Math.cos(t);
    const b = t < 1e-4 ? 1 - ((t * t) / 6) * (1 - (t * t) / 20) : Math.sin(t) / t;
    let s = 0;
    for (let i = 0; i < this.n; i++) s += (a * x[i] + b * v[i]) ** 2;
    const k = 1 / Math.sqrt(s);
    const o = outArray(op, this.dtype, this.shape, out);
    for (let i = 0; i < this.n; i++) o[i] = k * (a * x[i] + b * v[i]);
    return o;
  }

  /**
   * log_x(y) = θ u/‖u‖ with u the tangent part of d = y − x (u = d − ⟨x, d⟩x, computed from the
   * difference so that nearby points do not cancel) and θ = atan2(‖u‖, 1 + ⟨x, d⟩). For y = −x
   * (the cut locus) every direction is a logarithm; the one towards the coordinate axis least
   * aligned with x is returned.
   */
  log(x: RealArray, y: RealArray, out?: RealArray): RealArray {
    const op = "sphere.log";
    this.check(op, x);
    this.check(op, y);
    const { theta, nu, a } = this.angle(x, y);
    const o = outArray(op, this.dtype, this.shape, out);
    if (nu === 0) {
      if (theta === 0) {
        o.fill(0);
        return o;
      }
      return this.antipodalDirection(x, theta, o);
    }
    const f = theta / nu;
    for (let i = 0; i < this.n; i++) o[i] = f * (y[i] - x[i] - a * x[i]);
    return o;
  }

  /** The metric projection retraction (x + v)/‖x + v‖. */
  retract(x: RealArray, v: RealArray, out?: RealArray): RealArray {
    const op = "sphere.retract";
    this.check(op, x);
    this.check(op, v);
    let s = 0;
    for (let i = 0; i < this.n; i++) s += (x[i] + v[i]) ** 2;
    if (!(s > 0)) throw new CflowError("SPHERE_ZERO", `${op}: x + v is ${s === 0 ? "zero" : "not finite"}, which has no direction to retract to`, { path: op, found: s, expected: "x + v ≠ 0" });
    const k = 1 / Math.sqrt(s);
    const o = outArray(op, this.dtype, this.shape, out);
    for (let i = 0; i < this.n; i++) o[i] = k * (x[i] + v[i]);
    return o;
  }

  /** u − (⟨x, u⟩/⟨x, x⟩) x: dividing by ⟨x, x⟩ keeps it an exact projection for points off by rounding. */
  projTangent(x: RealArray, u: RealArray, out?: RealArray): RealArray {
    const op = "sphere.projTangent";
    this.check(op, x);
    this.check(op, u);
    const a = dot(x, u) / dot(x, x);
    const o = outArray(op, this.dtype, this.shape, out);
    for (let i = 0; i < this.n; i++) o[i] = u[i] - a * x[i];
    return o;
  }

  /** The embedded metric makes the Riemannian gradient the tangent projection of the Euclidean one. */
  egradToRgrad(x: RealArray, egrad: RealArray, out?: RealArray): RealArray {
    return this.projTangent(x, egrad, out);
  }

  metric(x: RealArray, u: RealArray, v: RealArray): number {
    const op = "sphere.metric";
    this.check(op, x);
    this.check(op, u);
    this.check(op, v);
    return dot(u, v);
  }

  /**
   * Parallel transport along the minimising great circle from x to y:
   * v − ⟨y, v⟩/(1 + ⟨x, y⟩) (x + y). Undefined for antipodal points.
   */
  transport(x: RealArray, y: RealArray, v: RealArray, out?: RealArray): RealArray {
    const op = "sphere.transport";
    this.check(op, x);
    this.check(op, y);
    this.check(op, v);
    const { theta } = this.angle(x, y);
    const c = 1 + dot(x, y);
    if (!(Math.PI - theta > 1e-7)) {
      throw new CflowError("SPHERE_ANTIPODAL", `${op}: x and y are antipodal (angle ${theta}), where the transporting geodesic is not unique`, {
        path: op,
        found: theta,
        expected: "angle < π",
      });
    }
    const a = dot(y, v) / c;
    const o = outArray(op, this.dtype, this.shape, out);
    for (let i = 0; i < this.n; i++) o[i] = v[i] - a * (x[i] + y[i]);
    return o;
  }

  dist(x: RealArray, y: RealArray): number {
    const op = "sphere.dist";
    this.check(op, x);
    this.check(op, y);
    return this.angle(x, y).theta;
  }

  project(x: RealArray, out?: RealArray): RealArray {
    const op = "sphere.project";
    this.check(op, x);
    const s = dot(x, x);
    if (!(s > 0)) throw new CflowError("SPHERE_ZERO", `${op}: the zero array has no nearest point on the sphere`, { path: op, found: s, expected: "a non-zero array" });
    const k = 1 / Math.sqrt(s);
    const o = outArray(op, this.dtype, this.shape, out);
    for (let i = 0; i < this.n; i++) o[i] = k * x[i];
    return o;
  }

  residual(x: RealArray): number {
    this.check("sphere.residual", x);
    return Math.abs(Math.sqrt(dot(x, x)) - 1);
  }

  random(key: RngKey, out?: RealArray): RealArray {
    const g = normal(key, this.n, "float64");
    const k = 1 / Math.sqrt(dot(g, g));
    const o = outArray("sphere.random", this.dtype, this.shape, out);
    for (let i = 0; i < this.n; i++) o[i] = k * g[i];
    return o;
  }

  /**
   * Coordinates in the orthonormal basis {H eᵢ : i = 1..n−1} of T_xS, with H the Householder
   * reflection taking x to ∓e₀ (w = x + sign(x₀)‖x‖e₀ avoids cancellation). O(n), no basis stored.
   */
  toAlgebra(x: RealArray, v: RealArray, out?: RealArray): RealArray {
    const op = "sphere.toAlgebra";
    this.check(op, x);
    this.check(op, v);
    const { w0, beta } = this.householder(x);
    let wv = w0 * v[0];
    for (let i = 1; i < this.n; i++) wv += x[i] * v[i];
    const f = beta * wv;
    const o = outArray(op, this.dtype, [this.dim], out);
    for (let i = 1; i < this.n; i++) o[i - 1] = v[i] - f * x[i];
    return o;
  }

  fromAlgebra(x: RealArray, c: RealArray, out?: RealArray): RealArray {
    const op = "sphere.fromAlgebra";
    this.check(op, x);
    checkArray(`${op} (coordinates)`, this.dtype, [this.dim], c);
    const { w0, beta } = this.householder(x);
    let wz = 0;
    for (let i = 1; i < this.n; i++) wz += x[i] * c[i - 1];
    const f = beta * wz;
    const o = outArray(op, this.dtype, this.shape, out);
    o[0] = -f * w0;
    for (let i = 1; i < this.n; i++) o[i] = c[i - 1] - f * x[i];
    return o;
  }

  private check(op: string, a: RealArray): void {
    checkArray(op, this.dtype, this.shape, a);
  }

  /** θ = angle between x and y; ‖u‖ and a = ⟨x, d⟩/⟨x, x⟩ of log's tangent part u = d − a x. */
  private angle(x: RealArray, y: RealArray): { theta: number; nu: number; a: number } {
    let xd = 0;
    let xx = 0;
    for (let i = 0; i < this.n; i++) {
      xd += x[i] * (y[i] - x[i]);
      xx += x[i] * x[i];
    }
    const a = xd / xx;
    let nu2 = 0;
    for (let i = 0; i < this.n; i++) nu2 += (y[i] - x[i] - a * x[i]) ** 2;
    const nu = Math.sqrt(nu2);
    return { theta: Math.atan2(nu, 1 + a), nu, a };
  }

  private antipodalDirection(x: RealArray, theta: number, o: RealArray): RealArray {
    let k = 0;
    for (let i = 1; i < this.n; i++) if (Math.abs(x[i]) < Math.abs(x[k])) k = i;
    const xk = x[k];
    const xx = dot(x, x);
    let s = 0;
    for (let i = 0; i < this.n; i++) s += ((i === k ? 1 : 0) - (xk / xx) * x[i]) ** 2;
    const f = theta / Math.sqrt(s);
    const xi = Array.from(x);
    for (let i = 0; i < this.n; i++) o[i] = f * ((i === k ? 1 : 0) - (xk / xx) * xi[i]);
    return o;
  }

  private householder(x: RealArray): { w0: number; beta: number } {
    const nx = Math.sqrt(dot(x, x));
    const w0 = x[0] + (x[0] >= 0 ? nx : -nx);
    // β = 2/‖w‖², ‖w‖² = 2‖x‖(‖x‖ + |x₀|).
    return { w0, beta: 1 / (nx * (nx + Math.abs(x[0]))) };
  }
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export const sphereFactory: ManifoldFactory = {
  create: (options) => new Sphere(options),
  probe: { shape: [6] },
  description: "unit sphere S^{n−1} in Rⁿ (embedded metric; parallel transport along great circles)",
};
