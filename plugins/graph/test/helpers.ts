// Independent truth for the graph tests: a seeded generator (not the library's RNG), dense
// matrices built straight from edge lists, and a cyclic Jacobi eigensolver for small symmetric
// matrices.
import { type AtomContext, type AtomDef, CellBank, type Dtype, Kernel, type RealArray } from "@cflow/core";
import { expect } from "vitest";

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randn(rand: () => number): number {
  const u = Math.max(rand(), 1e-300);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

export function randomArray(dtype: Dtype, n: number, rand: () => number): RealArray {
  const a = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = randn(rand);
  return a;
}

export function typed(dtype: Dtype, values: ArrayLike<number>): RealArray {
  return dtype === "float64" ? Float64Array.from(values) : Float32Array.from(values);
}

/** A connected random weighted graph: a random spanning tree plus extra edges, weights in [0.2, 2]. */
export function randomEdges(n: number, extra: number, rand: () => number): { sources: number[]; targets: number[]; weights: number[] } {
  const sources: number[] = [];
  const targets: number[] = [];
  const weights: number[] = [];
  const seen = new Set<string>();
  const add = (i: number, j: number) => {
    const key = `${Math.min(i, j)},${Math.max(i, j)}`;
    if (i === j || seen.has(key)) return;
    seen.add(key);
    sources.push(i);
    targets.push(j);
    weights.push(0.2 + 1.8 * rand());
  };
  for (let i = 1; i < n; i++) add(i, Math.floor(rand() * i));
  for (let k = 0; k < extra; k++) add(Math.floor(rand() * n), Math.floor(rand() * n));
  return { sources, targets, weights };
}

/** Dense Laplacian from an edge list (parallel edges add). */
export function denseLaplacian(n: number, edges: { sources: ArrayLike<number>; targets: ArrayLike<number>; weights?: ArrayLike<number> }): number[][] {
  const L = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let e = 0; e < edges.sources.length; e++) {
    const i = edges.sources[e];
    const j = edges.targets[e];
    const w = edges.weights ? edges.weights[e] : 1;
    L[i][i] += w;
    L[j][j] += w;
    L[i][j] -= w;
    L[j][i] -= w;
  }
  return L;
}

export function matVec(A: number[][], x: ArrayLike<number>): number[] {
  return A.map((row) => row.reduce((s, a, j) => s + a * x[j], 0));
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** ‖a − b‖² */
export function sqDist(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s;
}

/** Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations: A = V diag(values) Vᵀ (columns of V). */
export function symmetricEigen(A: number[][]): { values: number[]; vectors: number[][] } {
  const n = A.length;
  const a = A.map((r) => [...r]);
  const v: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p];
          const vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: a.map((r, i) => r[i]), vectors: v };
}

/** ‖a − b‖∞ / max(‖b‖∞, tiny). */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / Math.max(den, 1e-300);
}

export function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, rtol: number): void {
  const e = relErr(a, b);
  if (!(e <= rtol)) expect.fail(`relative error ${e.toExponential(3)} exceeds ${rtol.toExponential(1)}`);
}

/** Tolerance of single kernel operations in each dtype. */
export function tol(dtype: Dtype): number {
  return dtype === "float64" ? 1e-12 : 2e-6;
}

/** What the compiler hands an atom, built by hand: data copied into kernel memory, defaults applied. */
export function atomContext(
  def: AtomDef,
  o: { dtype: Dtype; shape: number[]; weight?: number; params?: Record<string, number | string | boolean | number[]>; data?: Record<string, ArrayLike<number>> },
): AtomContext {
  const kernel = Kernel.get(o.dtype);
  const params: Record<string, number | string | boolean | number[]> = {};
  for (const [k, r] of Object.entries(def.params)) if (r.default !== undefined) params[k] = r.default;
  Object.assign(params, o.params ?? {});
  const data = Object.fromEntries(Object.entries(o.data ?? {}).map(([k, v]) => [k, kernel.from(typed(o.dtype, v), `data.${k}`)]));
  return { path: "terms[0]", kernel, dtype: o.dtype, slotShape: o.shape, weight: o.weight ?? 1, params, data, cells: new CellBank(kernel) };
}
