// Plain-TypeScript references for assembly/fidelity.ts: the closed forms written directly (the
// textbook root ½(a + √(a² + 4τy)), log(u/y), the ball's radial scaling), element by element.
import type { RealArray } from "../../dtype.js";
import type { ProxStats } from "./prox.js";

const slack = (a: RealArray) => (a instanceof Float32Array ? 1e-5 : 1e-10);
const inDtype = (a: RealArray, v: number) => (a instanceof Float32Array ? Math.fround(v) : v);

function countNonzero(n: number, a: RealArray): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (a[i] !== 0) k++;
  return k;
}

/** u − y − y·log(u/y) (y > 0), u (y = 0); +∞ off the domain. */
function kl(u: number, y: number): number {
  if (y > 0) return u > 0 ? u - y - y * Math.log(u / y) : Infinity;
  return u >= 0 ? u : Infinity;
}

export function klValue(n: number, lam: number, y: RealArray, u: RealArray): number {
  if (lam === 0) return 0;
  let s = 0;
  for (let i = 0; i < n; i++) s += kl(u[i], y[i]);
  return lam * s;
}

export function proxKL(n: number, t: number, lam: number, y: RealArray, u: RealArray, out: RealArray): ProxStats {
  const tau = t * lam;
  for (let i = 0; i < n; i++) {
    const a = u[i] - tau;
    out[i] = 0.5 * (a + Math.sqrt(a * a + 4 * tau * y[i]));
  }
  return { nnz: countNonzero(n, out), value: klValue(n, lam, y, out) };
}

export function proxKLConj(n: number, sigma: number, lam: number, y: RealArray, v: RealArray, out: RealArray): ProxStats {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const b = v[i] - lam;
    out[i] = 0.5 * (v[i] + lam - Math.sqrt(b * b + 4 * sigma * lam * y[i]));
    if (y[i] > 0) s += out[i] < lam ? -y[i] * Math.log(1 - out[i] / lam) : Infinity;
    else if (out[i] > lam * (1 + slack(out))) s = Infinity;
  }
  return { nnz: countNonzero(n, out), value: lam === 0 ? 0 : lam * s };
}

export function l1DataValue(n: number, lam: number, y: RealArray, u: RealArray): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(u[i] - y[i]);
  return lam * s;
}

export function proxL1Data(n: number, t: number, lam: number, y: RealArray, u: RealArray, out: RealArray): ProxStats {
  const thr = inDtype(out, t * lam);
  for (let i = 0; i < n; i++) {
    const d = u[i] - y[i];
    out[i] = y[i] + Math.sign(d) * Math.max(Math.abs(d) - thr, 0);
  }
  return { nnz: countNonzero(n, out), value: l1DataValue(n, lam, y, out) };
}

export function proxL1DataConj(n: number, sigma: number, lam: number, y: RealArray, v: RealArray, out: RealArray): ProxStats {
  const h = inDtype(out, lam);
  let s = 0;
  for (let i = 0; i < n; i++) {
    out[i] = Math.min(Math.max(v[i] - sigma * y[i], -h), h);
    s += out[i] * y[i];
  }
  return { nnz: countNonzero(n, out), value: s };
}

function dist(n: number, y: RealArray, u: RealArray): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += (u[i] - y[i]) ** 2;
  return Math.sqrt(s);
}

export function l2BallAtIndicator(n: number, radius: number, y: RealArray, u: RealArray): number {
  return dist(n, y, u) <= radius * (1 + slack(u)) ? 0 : Infinity;
}

export function projL2BallAt(n: number, radius: number, y: RealArray, u: RealArray, out: RealArray): ProxStats {
  const d = dist(n, y, u);
  const f = d > radius ? radius / d : 1;
  for (let i = 0; i < n; i++) out[i] = y[i] + (u[i] - y[i]) * f;
  return { nnz: countNonzero(n, out), value: 0 };
}

export function proxL2BallAtConj(n: number, sigma: number, radius: number, y: RealArray, v: RealArray, out: RealArray): ProxStats {
  const w = Float64Array.from({ length: n }, (_, i) => v[i] - sigma * y[i]);
  const norm = Math.sqrt(w.reduce((s, a) => s + a * a, 0));
  const f = Math.max(0, 1 - (sigma * radius) / norm);
  let dot = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    out[i] = w[i] * (norm > 0 ? f : 0);
    dot += out[i] * y[i];
    sq += out[i] * out[i];
  }
  return { nnz: countNonzero(n, out), value: dot + radius * Math.sqrt(sq) };
}
