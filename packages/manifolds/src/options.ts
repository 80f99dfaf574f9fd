import { CflowError, type Dtype, type Shape, ShapeError, describeValue, isDtype } from "@cflow/core";

export interface ManifoldOptions {
  shape: Shape;
  dtype: Dtype;
}

/**
 * Checks the `{ shape, dtype }` a manifold is created with: a dtype of cflow and a shape of
 * positive integer extents (each adapter then checks the shapes it supports). Errors name the
 * operation (`<manifold>.create`), the value found and what was expected.
 */
export function checkOptions(operation: string, options: unknown): ManifoldOptions {
  const o = (options ?? {}) as { shape?: unknown; dtype?: unknown };
  if (!isDtype(o.dtype)) {
    throw new CflowError("BAD_DTYPE", `${operation}: expected dtype "float32" or "float64", found ${describeValue(o.dtype)}`, {
      path: `${operation}.dtype`,
      expected: "float32 | float64",
      found: o.dtype,
    });
  }
  const shape = o.shape;
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new ShapeError(operation, "an array of positive integers", Array.isArray(shape) ? `[${shape.join(", ")}]` : describeValue(shape));
  }
  return { shape: [...shape], dtype: o.dtype };
}
