// Plain-TypeScript references for assembly/tv.ts: the same FGP iteration (Beck & Teboulle 2009)
// with gradient restart, and duality-gap stopping rule written with explicit gradients D and adjoints Dᵀ
// (reference/diff.ts), one array at a time.
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

/** Relative-gap floor of the dtype (assembly/tv.ts). */
export function tvGapFloor(a: RealArray): number {
  return a instanceof Float32Array ? 5e-7 : 1e-13;
}

/** The gap is checked before dual step j = 0, after steps 1, 2, 4, 8, 16, then every 16. */
const checkAt = (j: number) => (j < 16 ? (j & (j - 1)) === 0 : j % 16 === 0);

/**
 * The FGP loop shared by 1D and 2D: D, Dᵀ, the dual projection, the step constant and the
 * per-element gap term differ. state: [proxes so far, relative gap reached, target ε_k, t_k].
 */
function fgp(
  n: number,
  m: number,
  mu: number,
  lip: number,
  iters: number,
  tol: number,
  decay: number,
  u: RealArray,
  out: RealArray,
  scratch: RealArray,
  warm: number,
  state: Float64Array,
  grad: (x: RealArray, g: Float64Array) => void,
  adjoint: (q: RealArray, out: Float64Array) => void,
  project: (a: Float64Array) => void,
  /** Σ‖d‖ and Σ ‖d‖ − ⟨d, p⟩ over the dual's elements, for d = Dx. */
  gapTerms: (d: Float64Array, p: RealArray) => [number, number],
): { out: RealArray; steps: number; tv: number } {
  const p = scratch.subarray(0, m);
  const r = scratch.subarray(m, 2 * m);
  const v = scratch.slice(2 * m, 2 * m + n);
  v.set(u.subarray(0, n));
  state[0] += 1;
  const eps = Math.max(tol * state[0] ** -decay, tvGapFloor(out));
  state[2] = eps;
  state[1] = 0;
  if (!(mu > 0) || n <= 1) {
    state[3] = 0;
    out.set(v);
    return { out, steps: 0, tv: NaN };
  }
  let tk = state[3];
  if (!warm || !(tk >= 1)) {
    if (!warm) p.fill(0);
    r.set(p);
    tk = 1;
  }
  const dq = new Float64Array(n);
  const g = new Float64Array(m);
  const s = 1 / (lip * mu);
  let k = 0;
  let tv = 0;
  const primal = (q: RealArray): number => {
    adjoint(q, dq);
    let fit = 0;
    for (let i = 0; i < n; i++) {
      out[i] = v[i] - mu * dq[i];
      fit += (out[i] - v[i]) ** 2;
    }
    return fit;
  };
  for (;;) {
    if (checkAt(k) || k === iters) {
      const fit = primal(p);
      grad(out, g);
      const [t, gap] = gapTerms(g, p);
      tv = t;
      const den = 0.5 * fit + mu * t;
      state[1] = den > 0 ? (mu * gap) / den : 0;
      if (state[1] <= eps || k === iters) break;
    }
    primal(r);
    const tn = 0.5 * (1 + Math.sqrt(1 + 4 * tk * tk));
    const beta = (tk - 1) / tn;
    grad(out, g);
    for (let i = 0; i < m; i++) g[i] = r[i] + s * g[i];
    project(g);
    let uphill = 0;
    for (let i = 0; i < m; i++) {
      const pk = p[i];
      p[i] = g[i];
      uphill += (r[i] - p[i]) * (p[i] - pk);
      r[i] = p[i] + beta * (p[i] - pk);
    }
    tk = tn;
    // restart: the momentum points uphill
    if (uphill > 0) {
      r.set(p);
      tk = 1;
    }
    k++;
  }
  state[3] = tk;
  return { out, steps: k, tv };
}

const clampUnit = (a: Float64Array) => {
  for (let i = 0; i < a.length; i++) a[i] = Math.min(Math.max(a[i], -1), 1);
};

const l1GapTerms = (d: Float64Array, p: RealArray): [number, number] => {
  let tv = 0;
  let gap = 0;
  for (let i = 0; i < d.length; i++) {
    tv += Math.abs(d[i]);
    gap += Math.abs(d[i]) - d[i] * p[i];
  }
  return [tv, gap];
};

export function tvProx1D(n: number, t: number, lam: number, iters: number, tol: number, decay: number, u: RealArray, out: RealArray, scratch: RealArray, warm: number, state: Float64Array): ProxStats & { steps: number } {
  const r = fgp(
    n,
    n,
    t * lam,
    4,
    iters,
    tol,
    decay,
    u,
    out,
    scratch,
    warm,
    state,
    (x, g) => diff1D(n, x, g),
    (q, o) => diff1DAdjoint(n, q, o),
    clampUnit,
    l1GapTerms,
  );
  return { nnz: NaN, value: Number.isNaN(r.tv) ? tvValue1D(n, lam, out) : lam * r.tv, steps: r.steps };
}

export function tvProx2D(rows: number, cols: number, t: number, lam: number, iters: number, tol: number, decay: number, iso: number, u: RealArray, out: RealArray, scratch: RealArray, warm: number, state: Float64Array): ProxStats & { steps: number } {
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
  const gapTerms = iso
    ? (d: Float64Array, p: RealArray): [number, number] => {
        let tv = 0;
        let gap = 0;
        for (let k = 0; k < n; k++) {
          const a = Math.hypot(d[k], d[n + k]);
          tv += a;
          gap += a - (d[k] * p[k] + d[n + k] * p[n + k]);
        }
        return [tv, gap];
      }
    : (d: Float64Array, p: RealArray): [number, number] => {
        let tv = 0;
        let gap = 0;
        for (let k = 0; k < n; k++) {
          const a = Math.abs(d[k]) + Math.abs(d[n + k]);
          tv += a;
          gap += a - (d[k] * p[k] + d[n + k] * p[n + k]);
        }
        return [tv, gap];
      };
  const r = fgp(
    n,
    2 * n,
    t * lam,
    8,
    iters,
    tol,
    decay,
    u,
    out,
    scratch,
    warm,
    state,
    (x, g) => diff2D(rows, cols, x, g),
    (q, o) => diff2DAdjoint(rows, cols, q, o),
    project,
    gapTerms,
  );
  return { nnz: NaN, value: Number.isNaN(r.tv) ? tvValue2D(rows, cols, lam, iso, out) : lam * r.tv, steps: r.steps };
}
