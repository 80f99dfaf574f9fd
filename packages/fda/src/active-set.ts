import { CflowError, ShapeError } from "@cflow/core";

/**
 * The one active-set rule of the certificates: coefficient i is active when |u_i| > tol or u_i is
 * NaN (a NaN coefficient is never silently dropped: it stays in the set, and the certificate on it
 * fails closed). Returns the indices ascending.
 */
export function activeIndices(u: ArrayLike<number>, tol = 0): Int32Array {
  let count = 0;
  for (let i = 0; i < u.length; i++) if (Math.abs(u[i]) > tol || Number.isNaN(u[i])) count++;
  const out = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < u.length; i++) if (Math.abs(u[i]) > tol || Number.isNaN(u[i])) out[k++] = i;
  return out;
}

/**
 * The active set of a certificate request: from `coefficients` (the rule above) or an explicit
 * `activeSet` (checked, sorted, deduplicated), null when neither is given (the whole space).
 */
export function resolveActive(options: { activeSet?: ArrayLike<number> | null; coefficients?: ArrayLike<number> | null; activeTol?: number }, m: number, where: string): Int32Array | null {
  const { activeSet, coefficients } = options;
  if (activeSet && coefficients) {
    throw new CflowError("BAD_OPTION", `${where}: give either activeSet or coefficients, not both`, { path: "options.activeSet", expected: "one of activeSet, coefficients", found: "both" });
  }
  if (coefficients) {
    if (coefficients.length !== m) throw new ShapeError(`${where}: options.coefficients`, m, coefficients.length, "one coefficient per W-space index");
    return activeIndices(coefficients, options.activeTol ?? 0);
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
