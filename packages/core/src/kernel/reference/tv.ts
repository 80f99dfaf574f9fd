// Plain-TypeScript references for assembly/tv.ts: the same FGP iteration (Beck & Teboulle 2009)
// written with explicit gradients D and adjoints Dᵀ (reference/diff.ts), one array at a time.
import type { RealArray } from "../../dtype.js";
import { diff1D, diff1DAdjoint, diff2D, diff2DAdjoint } from "./diff.js";
import type { ProxStats } from "./prox.js";

export function tvScratchSize(dims: number, n: number): number {
  return (2 * dims + 1) * n;
}

export function tvValue1D(n: number, lam: number, x: RealArray): number {
  let s = 0;
  for (let i = 0; i < n - 1; i++) s += Math.abs(x[i + 1] - x[i]);
  return lam * s;
}

export function tvValue2D(rows: number, cols: number, lam: number, iso: number, x: RealArray): number {
  const n = rows * cols;
  const d = new Float64Array(2 * n);
  diff2D(rows, cols, x, d);
  let s = 0;
  for (let k = 0; k < n; k++) s += iso ? Math.hypot(d[k], d[n + k]) : Math.abs(d[k]) + Math.abs(d[n + k]);
  return lam * s;
}

/** The FGP loop shared by 1D and 2D: D, Dᵀ, the dual projection and the step constant differ. */
function fgp(
  n: number,
  m: number,
  mu: number,
  lip: number,
  iters: number,
  tol: number,
  u: RealArray,
  out: RealArray,
  scratch: RealArray,
  warm: number,
  grad: (x: RealArray, g: Float64Array) => void,
  adjoint: (q: RealArray, out: Float64Array) => void,
  project: (a: Float64Array) => void,
): { out: RealArray; steps: number } {
  const p = scratch.subarray(0, m);
  const r = scratch.subarray(m, 2 * m);
  const v = scratch.slice(2 * m, 2 * m + n);
  v.set(u.subarray(0, n));
  if (!(mu > 0) || n <= 1) {
    out.set(v);
    return { out, steps: 0 };
  }
  if (!warm) p.fill(0);
  r.set(p);
  const dq = new Float64Array(n);
  const g = new Float64Array(m);
  const s = 1 / (lip * mu);
  let tk = 1;
  let k = 0;
  const primal = (q: RealArray, track: boolean): [number, number] => {
    adjoint(q, dq);
    let dx = 0;
    let xx = 0;
    for (let i = 0; i < n; i++) {
      const xn = v[i] - mu * dq[i];
      if (track) {
        const y = out instanceof Float32Array ? Math.fround(xn) : xn;
        dx += (y - out[i]) ** 2;
        xx += y * y;
      }
      out[i] = xn;
    }
    return [dx, xx];
  };
  for (; k < iters; k++) {
    const [dx, xx] = primal(r, k > 0);
    if (k > 0 && dx < tol * tol * xx) break;
    const tn = 0.5 * (1 + Math.sqrt(1 + 4 * tk * tk));
    const beta = (tk - 1) / tn;
    grad(out, g);
    for (let i = 0; i < m; i++) g[i] = r[i] + s * g[i];
    project(g);
    for (let i = 0; i < m; i++) {
      const pk = p[i];
      p[i] = g[i];
      r[i] = p[i] + beta * (p[i] - pk);
    }
    tk = tn;
  }
  primal(p, false);
  return { out, steps: k };
}

const clampUnit = (a: Float64Array) => {
  for (let i = 0; i < a.length; i++) a[i] = Math.min(Math.max(a[i], -1), 1);
};

export function tvProx1D(n: number, t: number, lam: number, iters: number, tol: number, u: RealArray, out: RealArray, scratch: RealArray, warm: number): ProxStats & { steps: number } {
  const { steps } = fgp(
    n,
    n,
    t * lam,
    4,
    iters,
    tol,
    u,
    out,
    scratch,
    warm,
    (x, g) => diff1D(n, x, g),
    (q, o) => diff1DAdjoint(n, q, o),
    clampUnit,
  );
  return { nnz: NaN, value: tvValue1D(n, lam, out), steps };
}

export function tvProx2D(rows: number, cols: number, t: number, lam: number, iters: number, tol: number, iso: number, u: RealArray, out: RealArray, scratch: RealArray, warm: number): ProxStats & { steps: number } {
  const n = rows * cols;
  const project = iso
    ? (a: Float64Array) => {
        for (let k = 0; k < n; k++) {
          const f = Math.max(1, Math.hypot(a[k], a[n + k]));
          a[k] /= f;
          a[n + k] /= f;
        }
      }
    : clampUnit;
  const { steps } = fgp(
    n,
    2 * n,
    t * lam,
    8,
    iters,
    tol,
    u,
    out,
    scratch,
    warm,
    (x, g) => diff2D(rows, cols, x, g),
    (q, o) => diff2DAdjoint(rows, cols, q, o),
    project,
  );
  return { nnz: NaN, value: tvValue2D(rows, cols, lam, iso, out), steps };
}
