// Input checks shared by the operator constructors and factories: every bad argument becomes a
// CflowError/DtypeError/ShapeError naming the constructor, the argument, what was found and what
// was expected.
import { type Dtype, type RealArray, type Shape, describeValue, dtypeOf, isDtype } from "../dtype.js";
import { CflowError, DtypeError, ShapeError } from "../errors.js";
import type { Op } from "./op.js";

/** A shape argument: an array of non-negative integers (a bare length n means [n]). */
export function shapeArg(operation: string, name: string, shape: unknown): Shape {
  const s = typeof shape === "number" ? [shape] : shape;
  if (!Array.isArray(s) || s.length === 0 || !s.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new ShapeError(`${operation} (${name})`, "an array of non-negative integers", describeValue(shape));
  }
  return Object.freeze([...s]) as Shape;
}

/** A non-negative integer extent (rows, cols, sizes). */
export function extentArg(operation: string, name: string, v: unknown): number {
  if (!Number.isSafeInteger(v) || (v as number) < 0) {
    throw new ShapeError(`${operation} (${name})`, "a non-negative integer", describeValue(v));
  }
  return v as number;
}

/**
 * The dtype an operator is built in: `requested` if given, else the array's own, else float64.
 * A typed array of another dtype than `requested` is refused (no silent casts).
 */
export function dtypeArg(operation: string, requested: unknown, values?: unknown): Dtype {
  if (requested !== undefined && !isDtype(requested)) throw new DtypeError(operation, "float32 | float64", describeValue(requested));
  const own = values instanceof Float64Array || values instanceof Float32Array ? dtypeOf(values) : undefined;
  if (requested !== undefined && own !== undefined && own !== requested) {
    throw new DtypeError(operation, requested, `${own} data`, "build the data in the op's dtype or convert it explicitly");
  }
  return (requested as Dtype | undefined) ?? own ?? "float64";
}

/** Finite real values as a typed array of `dtype` (plain number arrays are converted). */
export function realsArg(operation: string, name: string, values: unknown, dtype: Dtype): RealArray {
  if (!(values instanceof Float64Array || values instanceof Float32Array || (Array.isArray(values) && values.every((v) => typeof v === "number")))) {
    throw new CflowError("BAD_ARGUMENT", `${operation}: ${name} must be a Float64Array, Float32Array or number[], found ${describeValue(values)}`, {
      path: `${operation}.${name}`,
      expected: "Float64Array | Float32Array | number[]",
      found: describeValue(values),
    });
  }
  const a = dtype === "float64" ? Float64Array.from(values as ArrayLike<number>) : Float32Array.from(values as ArrayLike<number>);
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) {
      throw new CflowError("NON_FINITE", `${operation}: ${name}[${i}] is ${a[i]}; operator entries must be finite`, {
        path: `${operation}.${name}[${i}]`,
        expected: "a finite number",
        found: String(a[i]),
      });
    }
  }
  return a;
}

/** Integer indices in [0, bound) as an Int32Array (float data arrays holding integers are accepted). */
export function indicesArg(operation: string, name: string, values: unknown, bound: number): Int32Array {
  if (!(ArrayBuffer.isView(values) || Array.isArray(values))) {
    throw new CflowError("BAD_ARGUMENT", `${operation}: ${name} must be an array of indices, found ${describeValue(values)}`, {
      path: `${operation}.${name}`,
      expected: "Int32Array | number[]",
      found: describeValue(values),
    });
  }
  const src = values as ArrayLike<number>;
  const out = new Int32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    if (!Number.isInteger(v) || v < 0 || v >= bound) {
      throw new CflowError("BAD_INDEX", `${operation}: ${name}[${i}] = ${v} is not an index in [0, ${bound})`, {
        path: `${operation}.${name}[${i}]`,
        expected: `an integer in [0, ${bound})`,
        found: String(v),
      });
    }
    out[i] = v;
  }
  return out;
}

/** Throws unless `x` is an operator a plan can record (composites call emitApply/emitAdjoint). */
export function opArg(operation: string, name: string, x: unknown): Op {
  const o = x as Partial<Op> | null;
  const ok =
    typeof o === "object" && o !== null && isDtype(o.dtype) && Array.isArray(o.inShape) && Array.isArray(o.outShape) && typeof o.emitApply === "function" && typeof o.emitAdjoint === "function";
  if (!ok) {
    throw new CflowError("BAD_OP", `${operation}: ${name} is not an operator with emitApply/emitAdjoint, found ${describeValue(x)}`, {
      path: `${operation}.${name}`,
      expected: "an Op (dtype, inShape, outShape, emitApply, emitAdjoint)",
      found: describeValue(x),
    });
  }
  return o as Op;
}

/** The data array a factory's string parameter names (`{ type: "dense", matrix: "A" }`). */
export function dataParam(ctx: { data: Record<string, RealArray>; path: string }, params: Record<string, unknown>, name: string): RealArray {
  const ref = params[name];
  const arr = typeof ref === "string" && Object.hasOwn(ctx.data, ref) ? ctx.data[ref] : undefined;
  if (!arr) {
    const names = Object.keys(ctx.data);
    throw new CflowError("UNKNOWN_DATA", `parameter ${name}: no data array ${describeValue(ref)}`, {
      path: `${ctx.path}.${name}`,
      expected: `the name of a data array (${names.join(", ") || "the spec has no data"})`,
      found: describeValue(ref),
    });
  }
  return arr;
}
