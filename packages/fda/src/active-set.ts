import { activeIndices, CflowError, ShapeError } from "@cflow/core";

/**
 * The active set of a certificate request: from `coefficients` (core's `activeIndices` rule, at
 * `activeTol`; at tol 0 the caller's `known` indices of them when given) or an explicit
 * `activeSet` (checked, sorted, deduplicated), null when neither is given (the whole space).
 */
export function resolveActive(options: { activeSet?: ArrayLike<number> | null; coefficients?: ArrayLike<number> | null; activeTol?: number; known?: Int32Array | null }, m: number, where: string): Int32Array | null {
  const { activeSet, coefficients, known } = options;
  if (activeSet && coefficients) {
    throw new CflowError("BAD_OPTION", `${where}: give either activeSet or coefficients, not both`, { path: "options.activeSet", expected: "one of activeSet, coefficients", found: "both" });
  }
  if (coefficients) {
    if (coefficients.length !== m) throw new ShapeError(`${where}: options.coefficients`, m, coefficients.length, "one coefficient per W-space index");
    const tol = options.activeTol ?? 0;
    // the non-zeros, as the caller scanned them (ascending, inside W-space)
    if (tol === 0 && known && (known.length === 0 || known[known.length - 1] < m)) return known;
    return activeIndices(coefficients, tol);
  }
  if (!activeSet) return null;
  for (let k = 0; k < activeSet.length; k++) {
    const i = activeSet[k];
    if (!Number.isInteger(i) || i < 0 || i >= m) {
      throw new CflowError("BAD_OPTION", `${where}: activeSet[${k}] = ${i} is not an index of W-space [0, ${m})`, { path: `options.activeSet[${k}]`, expected: `integer in [0, ${m})`, found: i });
    }
  }
  const sorted = Int32Array.from(activeSet).sort();
  let u = 0;
  for (let k = 0; k < sorted.length; k++) if (k === 0 || sorted[k] !== sorted[k - 1]) sorted[u++] = sorted[k];
  return sorted.slice(0, u);
}

/** Whether every index of `a` is in `b` (both ascending). */
export function isSubset(a: Int32Array, b: Int32Array): boolean {
  if (a.length > b.length) return false;
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    while (j < b.length && b[j] < a[i]) j++;
    if (j === b.length || b[j] !== a[i]) return false;
  }
  return true;
}
