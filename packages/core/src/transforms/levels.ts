// How many decomposition levels a shape allows, and the checks that turn a bad request into an
// error naming the shape, the levels asked for and the largest level allowed.
import type { Shape } from "../dtype.js";
import { CflowError, ShapeError, formatShape } from "../errors.js";

/** Throws unless the shape is [n] or [rows, cols] with positive integer extents. */
export function checkSignalShape(operation: string, shape: Shape): void {
  const ok = Array.isArray(shape) && (shape.length === 1 || shape.length === 2) && shape.every((d) => Number.isInteger(d) && d > 0);
  if (!ok) {
    throw new ShapeError(operation, "[n] or [rows, cols] with positive integer extents", Array.isArray(shape) ? shape : String(shape), "wavelet transforms are 1D or 2D");
  }
}

/** Largest L such that every extent is divisible by 2^L (periodised transforms halve each level). */
export function maxDivisibleLevel(shape: Shape): number {
  let level = Infinity;
  for (const d of shape) {
    let l = 0;
    for (let n = d; n % 2 === 0 && n > 0; n /= 2) l++;
    level = Math.min(level, l);
  }
  return level === Infinity ? 0 : level;
}

/**
 * PyWavelets' `dwt_max_level`: the deepest level whose coefficients are still longer than the
 * filter, floor(log2(n / (F − 1))), taken over every axis.
 */
export function filterMaxLevel(shape: Shape, filterLength: number): number {
  if (filterLength < 2) return maxDivisibleLevel(shape);
  let level = Infinity;
  for (const d of shape) level = Math.min(level, d < filterLength - 1 ? 0 : Math.floor(Math.log2(d / (filterLength - 1))));
  return level;
}

/**
 * The levels a transform uses: `requested` if the shape allows it (every extent divisible by
 * 2^levels), else a ShapeError naming the largest allowed level. Without a request: PyWavelets'
 * default (`dwt_max_level`), capped by divisibility, at least 1.
 */
export function resolveLevels(operation: string, shape: Shape, requested: number | undefined, filterLength: number): number {
  const maxLevel = maxDivisibleLevel(shape);
  if (maxLevel < 1) {
    throw new ShapeError(operation, "every extent even (divisible by 2^levels)", shape, `shape ${formatShape(shape)} allows no decomposition level`);
  }
  if (requested === undefined) return Math.max(1, Math.min(filterMaxLevel(shape, filterLength), maxLevel));
  if (!Number.isInteger(requested) || requested < 1) {
    throw new CflowError("BAD_LEVELS", `${operation}: levels must be an integer ≥ 1, found ${String(requested)}`, {
      path: operation,
      expected: `an integer in [1, ${maxLevel}]`,
      found: requested,
    });
  }
  if (requested > maxLevel) {
    const f = 2 ** requested;
    throw new ShapeError(
      operation,
      `every extent divisible by 2^${requested} = ${f} for levels = ${requested}`,
      shape,
      `the largest level shape ${formatShape(shape)} allows is ${maxLevel}`,
    );
  }
  return requested;
}
