import {
  type Dtype,
  type Manifold,
  type ManifoldFactory,
  type RealArray,
  type RngKey,
  type Shape,
  checkArray,
  normal,
  outArray,
  shapeSize,
} from "@cflow/core";
import { type ManifoldOptions, checkOptions } from "./options.js";

/**
 * Rⁿ of any shape with the Euclidean inner product: the manifold of an unconstrained slot, so the
 * runtime can treat every slot alike. exp = retract = x + v, log = y − x, transport is the
 * identity, intrinsic coordinates are the entries themselves. Works on the run's arrays directly
 * (accumulating inner products in float64); `out` may alias any input.
 */
export class Euclidean implements Manifold {
  readonly name = "euclidean";
  readonly shape: Shape;
  readonly dim: number;
  readonly dtype: Dtype;

  constructor(options: ManifoldOptions) {
    const { shape, dtype } = checkOptions("euclidean.create", options);
    this.shape = shape;
    this.dtype = dtype;
    this.dim = shapeSize(shape);
  }

  exp(x: RealArray, v: RealArray, out?: RealArray): RealArray {
    return this.add("euclidean.exp", x, v, 1, out);
  }

  log(x: RealArray, y: RealArray, out?: RealArray): RealArray {
    return this.add("euclidean.log", y, x, -1, out);
  }

  retract(x: RealArray, v: RealArray, out?: RealArray): RealArray {
    return this.add("euclidean.retract", x, v, 1, out);
  }

  projTangent(x: RealArray, u: RealArray, out?: RealArray): RealArray {
    this.check("euclidean.projTangent", x);
    return this.copy("euclidean.projTangent", u, out);
  }

  egradToRgrad(x: RealArray, egrad: RealArray, out?: RealArray): RealArray {
    this.check("euclidean.egradToRgrad", x);
    return this.copy("euclidean.egradToRgrad", egrad, out);
  }

  metric(x: RealArray, u: RealArray, v: RealArray): number {
    this.check("euclidean.metric", x);
    this.check("euclidean.metric", u);
    this.check("euclidean.metric", v);
    let s = 0;
    for (let i = 0; i < u.length; i++) s += u[i] * v[i];
    return s;
  }

  transport(x: RealArray, y: RealArray, v: RealArray, out?: RealArray): RealArray {
    this.check("euclidean.transport", x);
    this.check("euclidean.transport", y);
    return this.copy("euclidean.transport", v, out);
  }

  dist(x: RealArray, y: RealArray): number {
    this.check("euclidean.dist", x);
    this.check("euclidean.dist", y);
    let s = 0;
    for (let i = 0; i < x.length; i++) s += (y[i] - x[i]) ** 2;
    return Math.sqrt(s);
  }

  project(x: RealArray, out?: RealArray): RealArray {
    return this.copy("euclidean.project", x, out);
  }

  /** 0 for a finite array; Infinity if an entry is NaN or infinite (not a point of Rⁿ). */
  residual(x: RealArray): number {
    this.check("euclidean.residual", x);
    for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return Infinity;
    return 0;
  }

  random(key: RngKey, out?: RealArray): RealArray {
    const o = outArray("euclidean.random", this.dtype, this.shape, out);
    o.set(normal(key, this.dim, this.dtype));
    return o;
  }

  toAlgebra(x: RealArray, v: RealArray, out?: RealArray): RealArray {
    this.check("euclidean.toAlgebra", x);
    return this.copy("euclidean.toAlgebra", v, out);
  }

  fromAlgebra(x: RealArray, c: RealArray, out?: RealArray): RealArray {
    this.check("euclidean.fromAlgebra", x);
    return this.copy("euclidean.fromAlgebra", c, out);
  }

  private check(op: string, a: RealArray): void {
    checkArray(op, this.dtype, this.shape, a);
  }

  private add(op: string, a: RealArray, b: RealArray, s: number, out?: RealArray): RealArray {
    this.check(op, a);
    this.check(op, b);
    const o = outArray(op, this.dtype, this.shape, out);
    for (let i = 0; i < o.length; i++) o[i] = a[i] + s * b[i];
    return o;
  }

  private copy(op: string, a: RealArray, out?: RealArray): RealArray {
    this.check(op, a);
    const o = outArray(op, this.dtype, this.shape, out);
    if (o !== a) o.set(a);
    return o;
  }
}

export const euclideanFactory: ManifoldFactory = {
  create: (options) => new Euclidean(options),
  probe: { shape: [5] },
  description: "Euclidean space of any shape (exp = x + v; identity transport)",
};
