// Plain-TypeScript references for assembly/prox.ts: the textbook formulas, element by element.
// Stats the kernels store in cells are returned here. Thresholds and bounds are rounded to the
// array's dtype, as the kernel uses them.
import type { RealArray } from "../../dtype.js";

export interface ProxStats {
  nnz: number;
  value: number;
}

const slack = (a: RealArray) => (a instanceof Float32Array ? 1e-5 : 1e-10);
const inDtype = (a: RealArray, v: number) => (a instanceof Float32Array ? Math.fround(v) : v);

function countNonzero(lo: number, hi: number, a: RealArray): number {
  let k = 0;
  for (let i = lo; i < hi; i++) if (a[i] !== 0) k++;
  return k;
}

function sumAbs(lo: number, hi: number, a: RealArray): number {
  let s = 0;
  for (let i = lo; i < hi; i++) s += Math.abs(a[i]);
  return s;
}

function soft(x: number, thr: number): number {
  return Math.sign(x) * Math.max(Math.abs(x) - thr, 0);
}

/** out[lo, hi) ← soft(u, thr) in one loop (the obvious fused form); returns [Σ|out|, #out ≠ 0]. */
function softRange(lo: number, hi: number, thr: number, u: RealArray, out: RealArray): [number, number] {
  let abs = 0;
  let nnz = 0;
  for (let i = lo; i < hi; i++) {
    out[i] = soft(u[i], thr);
    const o = out[i];
    abs += Math.abs(o);
    if (o !== 0) nnz++;
  }
  return [abs, nnz];
}

export function softThreshold(n: number, t: number, lam: number, u: RealArray, out: RealArray): ProxStats {
  const [abs, nnz] = softRange(0, n, inDtype(out, t * lam), u, out);
  return { nnz, value: lam * abs };
}

export function softThresholdBands(nb: number, offsets: Int32Array, weights: Float64Array, t: number, lam: number, skipFirst: number, u: RealArray, out: RealArray): ProxStats {
  let value = 0;
  let nnz = 0;
  for (let j = 0; j < nb; j++) {
    if (j === 0 && skipFirst !== 0) {
      for (let i = offsets[0]; i < offsets[1]; i++) out[i] = u[i];
      nnz += countNonzero(offsets[0], offsets[1], out);
      continue;
    }
    if (weights[j] === Infinity) {
      out.fill(0, offsets[j], offsets[j + 1]);
      continue;
    }
    const [abs, k] = softRange(offsets[j], offsets[j + 1], inDtype(out, t * lam * weights[j]), u, out);
    value += lam * weights[j] * abs;
    nnz += k;
  }
  return { nnz, value };
}

export function l1Value(n: number, lam: number, u: RealArray): number {
  return lam * sumAbs(0, n, u);
}

export function l1BandsValue(nb: number, offsets: Int32Array, weights: Float64Array, lam: number, skipFirst: number, u: RealArray): number {
  let v = 0;
  for (let j = skipFirst !== 0 ? 1 : 0; j < nb; j++) {
    const abs = sumAbs(offsets[j], offsets[j + 1], u);
    v += weights[j] === Infinity ? (abs > 0 ? Infinity : 0) : lam * weights[j] * abs;
  }
  return v;
}

export function projBox(n: number, lo: number, hi: number, u: RealArray, out: RealArray): ProxStats {
  const l = inDtype(out, lo);
  const h = inDtype(out, hi);
  for (let i = 0; i < n; i++) out[i] = Math.min(Math.max(u[i], l), h);
  return { nnz: countNonzero(0, n, out), value: 0 };
}

export function projNonneg(n: number, u: RealArray, out: RealArray): ProxStats {
  for (let i = 0; i < n; i++) out[i] = Math.max(u[i], 0);
  return { nnz: countNonzero(0, n, out), value: 0 };
}

export function boxIndicator(n: number, lo: number, hi: number, u: RealArray): number {
  const l = inDtype(u, lo);
  const h = inDtype(u, hi);
  for (let i = 0; i < n; i++) if (!(u[i] >= l && u[i] <= h)) return Infinity;
  return 0;
}

export function proxL1Nonneg(n: number, t: number, lam: number, u: RealArray, out: RealArray): ProxStats {
  const thr = inDtype(out, t * lam);
  for (let i = 0; i < n; i++) out[i] = Math.max(u[i] - thr, 0);
  return { nnz: countNonzero(0, n, out), value: lam * sumAbs(0, n, out) };
}

export function proxL1Box(n: number, t: number, lam: number, lo: number, hi: number, u: RealArray, out: RealArray): ProxStats {
  const thr = inDtype(out, t * lam);
  const l = inDtype(out, lo);
  const h = inDtype(out, hi);
  for (let i = 0; i < n; i++) out[i] = Math.min(Math.max(soft(u[i], thr), l), h);
  return { nnz: countNonzero(0, n, out), value: lam * sumAbs(0, n, out) };
}

export function l1BoxValue(n: number, lam: number, lo: number, hi: number, u: RealArray): number {
  return boxIndicator(n, lo, hi, u) === 0 ? l1Value(n, lam, u) : Infinity;
}

export function proxElasticNet(n: number, t: number, lam: number, alpha: number, u: RealArray, out: RealArray): ProxStats {
  const thr = inDtype(out, t * lam * alpha);
  const sc = inDtype(out, 1 / (1 + t * lam * (1 - alpha)));
  for (let i = 0; i < n; i++) out[i] = inDtype(out, soft(u[i], thr)) * sc;
  return { nnz: countNonzero(0, n, out), value: elasticNetValue(n, lam, alpha, out) };
}

export function elasticNetValue(n: number, lam: number, alpha: number, u: RealArray): number {
  let a = 0;
  let q = 0;
  for (let i = 0; i < n; i++) {
    a += Math.abs(u[i]);
    q += u[i] * u[i];
  }
  return lam * (alpha * a + 0.5 * (1 - alpha) * q);
}

export function proxGroupL1(n: number, size: number, t: number, lam: number, u: RealArray, out: RealArray): ProxStats {
  const thr = t * lam;
  for (let g = 0; g < n; g += size) {
    const e = Math.min(g + size, n);
    let sq = 0;
    for (let i = g; i < e; i++) sq += u[i] * u[i];
    const norm = Math.sqrt(sq);
    const f = inDtype(out, norm > thr ? 1 - thr / norm : 0);
    for (let i = g; i < e; i++) out[i] = u[i] * f;
  }
  return { nnz: countNonzero(0, n, out), value: groupL1Value(n, size, lam, out) };
}

export function groupL1Value(n: number, size: number, lam: number, u: RealArray): number {
  let v = 0;
  for (let g = 0; g < n; g += size) {
    let sq = 0;
    for (let i = g; i < Math.min(g + size, n); i++) sq += u[i] * u[i];
    v += Math.sqrt(sq);
  }
  return lam * v;
}

function norm2(n: number, u: RealArray): number {
  let sq = 0;
  for (let i = 0; i < n; i++) sq += u[i] * u[i];
  return Math.sqrt(sq);
}

export function projL2Ball(n: number, radius: number, u: RealArray, out: RealArray): ProxStats {
  const norm = norm2(n, u);
  const f = inDtype(out, norm > radius ? radius / norm : 1);
  for (let i = 0; i < n; i++) out[i] = u[i] * f;
  return { nnz: countNonzero(0, n, out), value: 0 };
}

export function l2BallIndicator(n: number, radius: number, u: RealArray): number {
  return norm2(n, u) <= radius * (1 + slack(u)) ? 0 : Infinity;
}

/** θ with Σ max(y_i − θ, 0) = radius: sort decreasingly, take the last k with y_(k) > (Σ_{i≤k} y_(i) − radius)/k. */
function simplexThreshold(n: number, radius: number, y: RealArray): number {
  const s = y.subarray(0, n).sort();
  let cs = 0;
  let theta = 0;
  for (let k = 1; k <= n; k++) {
    const yk = s[n - k];
    cs += yk;
    const tk = (cs - radius) / k;
    if (yk > tk) theta = tk;
  }
  return theta;
}

export function projL1Ball(n: number, radius: number, u: RealArray, out: RealArray, scratch: RealArray): ProxStats {
  if (sumAbs(0, n, u) <= radius) {
    for (let i = 0; i < n; i++) out[i] = u[i];
  } else {
    for (let i = 0; i < n; i++) scratch[i] = Math.abs(u[i]);
    const theta = inDtype(out, simplexThreshold(n, radius, scratch));
    for (let i = 0; i < n; i++) out[i] = soft(u[i], theta);
  }
  return { nnz: countNonzero(0, n, out), value: 0 };
}

export function l1BallIndicator(n: number, radius: number, u: RealArray): number {
  return sumAbs(0, n, u) <= radius * (1 + slack(u)) ? 0 : Infinity;
}

export function projSimplex(n: number, radius: number, u: RealArray, out: RealArray, scratch: RealArray): ProxStats {
  for (let i = 0; i < n; i++) scratch[i] = u[i];
  const theta = inDtype(out, simplexThreshold(n, radius, scratch));
  for (let i = 0; i < n; i++) out[i] = Math.max(u[i] - theta, 0);
  return { nnz: countNonzero(0, n, out), value: 0 };
}

export function simplexIndicator(n: number, radius: number, u: RealArray): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    if (!(u[i] >= 0)) return Infinity;
    s += u[i];
  }
  return Math.abs(s - radius) <= slack(u) * radius ? 0 : Infinity;
}
