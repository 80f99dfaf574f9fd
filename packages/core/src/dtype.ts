import { DtypeError, ShapeError } from "./errors.js";

/** One global dtype per run: every array, op, transform and kernel of a run uses it. */
export type Dtype = "float32" | "float64";
export type RealArray = Float32Array | Float64Array;
export type Shape = readonly number[];

export const DTYPES: readonly Dtype[] = ["float64", "float32"];

export function isDtype(x: unknown): x is Dtype {
  return x === "float32" || x === "float64";
}

export function dtypeOf(a: RealArray): Dtype {
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Float32Array) return "float32";
  throw new DtypeError("dtypeOf", "Float32Array or Float64Array", describeValue(a));
}

export function bytesPerElement(dtype: Dtype): 4 | 8 {
  return dtype === "float64" ? 8 : 4;
}

/** A zeroed array of the dtype. */
export function zeros(dtype: Dtype, n: number): RealArray {
  return dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
}

/** The product of a shape's extents. */
export function shapeSize(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Throws a DtypeError unless `a` has the dtype `expected`. */
export function checkDtype(operation: string, expected: Dtype, a: RealArray): void {
  const found = dtypeOf(a);
  if (found !== expected) throw new DtypeError(operation, expected, found);
}

/** Throws a ShapeError unless `a` holds exactly `shapeSize(expected)` elements. */
export function checkLength(operation: string, expected: Shape, a: { length: number }): void {
  const n = shapeSize(expected);
  if (a.length !== n) throw new ShapeError(operation, expected, a.length, `an array of ${n} elements`);
}

/** Checks dtype and length of an input array; returns it typed. */
export function checkArray(operation: string, dtype: Dtype, shape: Shape, a: RealArray): RealArray {
  checkDtype(operation, dtype, a);
  checkLength(operation, shape, a);
  return a;
}

/** The output array for `out?` arguments: checked if given, allocated if not. */
export function outArray(operation: string, dtype: Dtype, shape: Shape, out?: RealArray): RealArray {
  if (out === undefined) return zeros(dtype, shapeSize(shape));
  return checkArray(`${operation} (out)`, dtype, shape, out);
}

/** A short, safe description of any value for error messages (never serialises deep structures). */
export function describeValue(v: unknown): string {
  try {
    if (v === null) return "null";
    if (v === undefined) return "undefined";
    if (typeof v === "string") return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
    if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
    if (typeof v === "function") return "a function";
    if (typeof v === "symbol") return v.toString();
    if (Array.isArray(v)) return `an array of ${v.length}`;
    if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as { length: number }).length})`;
    const name = (v as object).constructor?.name;
    return name && name !== "Object" ? `a ${name}` : "an object";
  } catch {
    return "an unreadable value";
  }
}
