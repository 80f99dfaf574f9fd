import type { RealArray } from "./dtype.js";

/**
 * The one active-set rule of the certificates: coefficient i is active when |u_i| > tol or u_i is
 * NaN (a NaN coefficient is never silently dropped: it stays in the set, and the certificate on it
 * fails closed). At tol 0 these are the non-zeros. Returns the indices ascending.
 */
export function activeIndices(u: ArrayLike<number>, tol = 0): Int32Array {
  // one pass, into a buffer kept for the next call (doubled when a support outgrows it)
  let buf = indexScratch;
  let k = 0;
  for (let i = 0; i < u.length; i++) {
    // !(|u_i| ≤ tol): above tol, or NaN
    if (!(Math.abs(u[i]) <= tol)) {
      if (k === buf.length) {
        const grown = new Int32Array(2 * k);
        grown.set(buf);
        buf = grown;
      }
      buf[k++] = i;
    }
  }
  indexScratch = buf;
  return buf.slice(0, k);
}

let indexScratch = new Int32Array(1024);

/**
 * How many of the indices `active` (a support, e.g. `activeIndices` of the current coefficients)
 * are zero in `certified` — the part of the support a certificate taken on `certified`'s does not
 * cover. One look-up per active index.
 */
export function newlyActive(active: Int32Array, certified: RealArray): number {
  let n = 0;
  for (let k = 0; k < active.length; k++) if (certified[active[k]] === 0) n++;
  return n;
}
