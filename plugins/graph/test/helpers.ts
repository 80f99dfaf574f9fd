// Independent truth for the graph tests: random graphs and dense matrices built straight from
// edge lists (the seeded generator and the Jacobi eigen-solver are in @cflow/test-kit).
import { type AtomContext, type AtomDef, type Dtype } from "@cflow/core";
import { CellBank, Kernel } from "@cflow/core/kernel";
import { typed } from "@cflow/test-kit";

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

/** ‖a − b‖² */
export function sqDist(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s;
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
