import { totalmem } from "node:os";
import { type Dtype, bytesPerElement } from "../dtype.js";
import { CflowError } from "../errors.js";

/**
 * The share of the machine's memory one array may take unless a limit is given. A run holds
 * several arrays of a state's size at once (iterate, momentum, gradient, the last good state,
 * checkpoints, transform coefficients), so one array of a sixteenth of the memory leaves room for
 * the others.
 */
export const DEFAULT_ELEMENT_MEMORY_FRACTION = 1 / 16;

/**
 * The default maximum element count of one array (a state slot, a data array, a decoded image):
 * `DEFAULT_ELEMENT_MEMORY_FRACTION` of the machine's memory (`os.totalmem()`) divided by the bytes
 * of one element of the dtype (8 for float64, 4 for float32).
 */
export function defaultMaxElements(dtype: Dtype, totalBytes: number = totalmem()): number {
  return Math.floor((totalBytes * DEFAULT_ELEMENT_MEMORY_FRACTION) / bytesPerElement(dtype));
}

/** The limit in force and where it comes from (for messages). */
export interface ElementLimit {
  maxElements: number;
  source: string;
}

/**
 * The element limit in force: the one given (`policies.budgets.maxElements`, `--max-elements`,
 * a loader's `maxElements` option — `givenBy` names it), else the machine default for the dtype.
 */
export function elementLimit(dtype: Dtype, given?: number, givenBy = "the maxElements option"): ElementLimit {
  if (given !== undefined) return { maxElements: given, source: `set by ${givenBy}` };
  const total = totalmem();
  return {
    maxElements: defaultMaxElements(dtype, total),
    source: `the default: 1/${1 / DEFAULT_ELEMENT_MEMORY_FRACTION} of this machine's ${(total / 2 ** 30).toFixed(1)} GiB of memory at ${bytesPerElement(dtype)} bytes per ${dtype} element`,
  };
}

/** An element count for messages: digits up to ten million, then `9e+8`, `1.25e+12`. */
export function formatCount(n: number): string {
  if (Number.isSafeInteger(n) && n < 1e7) return String(n);
  return n.toExponential(3).replace(/\.?0+e/, "e");
}

export const ELEMENT_LIMIT_HINT = "raise the limit with policies.budgets.maxElements (cflow: --max-elements <n>) if the machine has the memory, or reduce the size";

/**
 * Refuses an array of `count` elements before it is allocated: a CflowError TOO_MANY_ELEMENTS
 * naming `path` (a spec path or a file), what was found (`30000 × 30000`) and the limit.
 */
export function checkElementCount(count: number, o: { path: string; what: string; found: string; dtype: Dtype; maxElements?: number; hint?: string }): void {
  const limit = elementLimit(o.dtype, o.maxElements);
  if (count <= limit.maxElements) return;
  throw new CflowError("TOO_MANY_ELEMENTS", `${o.path}: ${o.what} has ${formatCount(count)} elements, more than the limit of ${formatCount(limit.maxElements)}`, {
    path: o.path,
    expected: `at most ${formatCount(limit.maxElements)} elements (${limit.source})`,
    found: `${o.found} = ${formatCount(count)} elements`,
    hint: o.hint ?? ELEMENT_LIMIT_HINT,
  });
}
