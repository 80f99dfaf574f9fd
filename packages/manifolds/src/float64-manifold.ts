import {
  type Dtype,
  type Manifold,
  type RealArray,
  type RngKey,
  type Shape,
  checkArray,
  outArray,
  shapeSize,
} from "@cflow/core";

/**
 * Base of the matrix manifolds (SO(3), SE(3), SPD, Stiefel): they compute in float64 on small
 * dense matrices and meet the run's dtype only here. Each public method checks dtype and length
 * of its inputs (DtypeError/ShapeError naming `<name>.<method>`), hands float64 copies — or the
 * arrays themselves in a float64 run — to the subclass, and writes the float64 result into `out`
 * (or a new array) of the run's dtype. Subclasses return fresh arrays and never write to their
 * inputs, so `out` may alias any input.
 */
export abstract class Float64Manifold implements Manifold {
  abstract readonly name: string;
  readonly size: number;

  constructor(
    readonly shape: Shape,
    readonly dim: number,
    readonly dtype: Dtype,
  ) {
    this.size = shapeSize(shape);
  }

  protected abstract exp64(x: Float64Array, v: Float64Array): Float64Array;
  protected abstract log64(x: Float64Array, y: Float64Array): Float64Array;
  protected abstract retract64(x: Float64Array, v: Float64Array): Float64Array;
  protected abstract projTangent64(x: Float64Array, u: Float64Array): Float64Array;
  protected abstract egradToRgrad64(x: Float64Array, g: Float64Array): Float64Array;
  protected abstract metric64(x: Float64Array, u: Float64Array, v: Float64Array): number;
  protected abstract transport64(x: Float64Array, y: Float64Array, v: Float64Array): Float64Array;
  protected abstract dist64(x: Float64Array, y: Float64Array): number;
  protected abstract project64(x: Float64Array): Float64Array;
  protected abstract residual64(x: Float64Array): number;
  protected abstract random64(key: RngKey): Float64Array;
  protected abstract toAlgebra64(x: Float64Array, v: Float64Array): Float64Array;
  protected abstract fromAlgebra64(x: Float64Array, c: Float64Array): Float64Array;

  exp(x: RealArray, v: RealArray, out?: RealArray): RealArray {
    const op = this.op("exp");
    return this.emit(op, this.exp64(this.point(op, x), this.vector(op, v)), out);
  }

  log(x: RealArray, y: RealArray, out?: RealArray): RealArray {
    const op = this.op("log");
    return this.emit(op, this.log64(this.point(op, x), this.point(op, y)), out);
  }

  retract(x: RealArray, v: RealArray, out?: RealArray): RealArray {
    const op = this.op("retract");
    return this.emit(op, this.retract64(this.point(op, x), this.vector(op, v)), out);
  }

  projTangent(x: RealArray, u: RealArray, out?: RealArray): RealArray {
    const op = this.op("projTangent");
    return this.emit(op, this.projTangent64(this.point(op, x), this.vector(op, u)), out);
  }

  egradToRgrad(x: RealArray, egrad: RealArray, out?: RealArray): RealArray {
    const op = this.op("egradToRgrad");
    return this.emit(op, this.egradToRgrad64(this.point(op, x), this.vector(op, egrad)), out);
  }

  metric(x: RealArray, u: RealArray, v: RealArray): number {
    const op = this.op("metric");
    return this.metric64(this.point(op, x), this.vector(op, u), this.vector(op, v));
  }

  transport(x: RealArray, y: RealArray, v: RealArray, out?: RealArray): RealArray {
    const op = this.op("transport");
    return this.emit(op, this.transport64(this.point(op, x), this.point(op, y), this.vector(op, v)), out);
  }

  dist(x: RealArray, y: RealArray): number {
    const op = this.op("dist");
    return this.dist64(this.point(op, x), this.point(op, y));
  }

  project(x: RealArray, out?: RealArray): RealArray {
    const op = this.op("project");
    return this.emit(op, this.project64(this.point(op, x)), out);
  }

  residual(x: RealArray): number {
    return this.residual64(this.point(this.op("residual"), x));
  }

  random(key: RngKey, out?: RealArray): RealArray {
    return this.emit(this.op("random"), this.random64(key), out);
  }

  toAlgebra(x: RealArray, v: RealArray, out?: RealArray): RealArray {
    const op = this.op("toAlgebra");
    return this.emit(op, this.toAlgebra64(this.point(op, x), this.vector(op, v)), out, [this.dim]);
  }

  fromAlgebra(x: RealArray, c: RealArray, out?: RealArray): RealArray {
    const op = this.op("fromAlgebra");
    const c64 = this.f64(checkArray(`${op} (coordinates)`, this.dtype, [this.dim], c));
    return this.emit(op, this.fromAlgebra64(this.point(op, x), c64), out);
  }

  private op(method: string): string {
    return `${this.name}.${method}`;
  }

  private point(op: string, a: RealArray): Float64Array {
    return this.f64(checkArray(`${op} (point)`, this.dtype, this.shape, a));
  }

  private vector(op: string, a: RealArray): Float64Array {
    return this.f64(checkArray(`${op} (vector)`, this.dtype, this.shape, a));
  }

  private f64(a: RealArray): Float64Array {
    return a instanceof Float64Array ? a : Float64Array.from(a);
  }

  private emit(op: string, r: Float64Array, out: RealArray | undefined, shape: Shape = this.shape): RealArray {
    if (out === undefined && this.dtype === "float64") return r;
    const o = outArray(op, this.dtype, shape, out);
    o.set(r);
    return o;
  }
}
