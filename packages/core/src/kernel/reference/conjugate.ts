// Plain-TypeScript references for assembly/conjugate.ts: the Moreau identity's two halves and the
// ∞-ball projection, element by element.
import type { RealArray } from "../../dtype.js";
import type { ProxStats } from "./prox.js";

const inDtype = (a: RealArray, v: number) => (a instanceof Float32Array ? Math.fround(v) : v);

/** w = v/σ; returns 1/σ. */
export function moreauScale(n: number, sigma: number, v: RealArray, w: RealArray): number {
  for (let i = 0; i < n; i++) w[i] = v[i] / inDtype(w, sigma);
  return 1 / sigma;
}

/** out = v − σx; value ⟨x, out⟩ − g(x). */
export function moreauCombine(n: number, sigma: number, v: RealArray, x: RealArray, out: RealArray, gx: number): ProxStats {
  const s = inDtype(out, sigma);
  let d = 0;
  let nnz = 0;
  for (let i = 0; i < n; i++) {
    out[i] = v[i] - s * x[i];
    d += x[i] * out[i];
    if (out[i] !== 0) nnz++;
  }
  return { nnz, value: d - gx };
}

export function projLinfBall(n: number, radius: number, u: RealArray, out: RealArray): ProxStats {
  const r = inDtype(out, radius);
  let nnz = 0;
  for (let i = 0; i < n; i++) {
    out[i] = Math.min(Math.max(u[i], -r), r);
    if (out[i] !== 0) nnz++;
  }
  return { nnz, value: 0 };
}

export function projL2PairBall(n: number, radius: number, u: RealArray, out: RealArray): ProxStats {
  let nnz = 0;
  for (let i = 0; i < n; i++) {
    const a = u[i];
    const b = u[n + i];
    const m = Math.hypot(a, b);
    const f = m > radius ? radius / m : 1;
    out[i] = a * f;
    out[n + i] = b * f;
    if (out[i] !== 0) nnz++;
    if (out[n + i] !== 0) nnz++;
  }
  return { nnz, value: 0 };
}
