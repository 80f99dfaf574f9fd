import { CflowError, type Shape, describeValue } from "@cflow/core";

/** An undirected weighted graph given as an edge list. */
export interface EdgeList {
  /** One endpoint of each edge (node indices in [0, nodes)). */
  sources: ArrayLike<number>;
  /** The other endpoint of each edge. */
  targets: ArrayLike<number>;
  /** Non-negative finite weight of each edge (default 1). */
  weights?: ArrayLike<number>;
}

/** Compressed sparse rows in float64 (the ops convert the values to the run's dtype). */
export interface GraphCsr {
  rows: number;
  cols: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float64Array;
}

/**
 * An undirected graph with non-negative edge weights on `nodes` vertices. Parallel edges are
 * merged (weights add), every edge is stored once with `sources[e] < targets[e]`, sorted.
 */
export class Graph {
  readonly nodes: number;
  readonly sources: Int32Array;
  readonly targets: Int32Array;
  readonly weights: Float64Array;
  /** Weighted degree d_i = Σ_{e ∋ i} w_e. */
  readonly degrees: Float64Array;

  constructor(nodes: number, sources: Int32Array, targets: Int32Array, weights: Float64Array) {
    this.nodes = nodes;
    this.sources = sources;
    this.targets = targets;
    this.weights = weights;
    this.degrees = new Float64Array(nodes);
    for (let e = 0; e < sources.length; e++) {
      this.degrees[sources[e]] += weights[e];
      this.degrees[targets[e]] += weights[e];
    }
  }

  get edges(): number {
    return this.sources.length;
  }

  /**
   * An upper bound of λ_max(L): max over edges of d_i + d_j. (L = BᵀWB shares its non-zero
   * eigenvalues with BBᵀW, whose row e has absolute sum 2w_e + Σ_{f adjacent to e} w_f = d_i + d_j;
   * Gershgorin bounds it.)
   */
  get lambdaMaxBound(): number {
    let b = 0;
    for (let e = 0; e < this.edges; e++) b = Math.max(b, this.degrees[this.sources[e]] + this.degrees[this.targets[e]]);
    return b;
  }

  /** The same bound for the unweighted incidence B (‖B‖² ≤ max over edges of deg_i + deg_j). */
  get incidenceNormSqBound(): number {
    const deg = new Float64Array(this.nodes);
    for (let e = 0; e < this.edges; e++) {
      deg[this.sources[e]]++;
      deg[this.targets[e]]++;
    }
    let b = 0;
    for (let e = 0; e < this.edges; e++) b = Math.max(b, deg[this.sources[e]] + deg[this.targets[e]]);
    return b;
  }

  /** The CSR of scale·L + shift·I, L = D − A the combinatorial Laplacian (diagonal included in every row). */
  laplacianCsr(scale = 1, shift = 0): GraphCsr {
    const n = this.nodes;
    const count = new Int32Array(n + 1);
    for (let e = 0; e < this.edges; e++) {
      count[this.sources[e] + 1]++;
      count[this.targets[e] + 1]++;
    }
    const indptr = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) indptr[i + 1] = indptr[i] + count[i + 1] + 1;
    const nnz = indptr[n];
    const indices = new Int32Array(nnz);
    const values = new Float64Array(nnz);
    // rows list their entries by column: neighbours below i, the diagonal, neighbours above i
    const rowsLow: number[][] = Array.from({ length: n }, () => []);
    const rowsHigh: number[][] = Array.from({ length: n }, () => []);
    for (let e = 0; e < this.edges; e++) {
      rowsHigh[this.sources[e]].push(e);
      rowsLow[this.targets[e]].push(e);
    }
    for (let i = 0; i < n; i++) {
      let k = indptr[i];
      const low = rowsLow[i].sort((a, b) => this.sources[a] - this.sources[b]);
      for (const e of low) {
        indices[k] = this.sources[e];
        values[k++] = -scale * this.weights[e];
      }
      indices[k] = i;
      values[k++] = scale * this.degrees[i] + shift;
      const high = rowsHigh[i].sort((a, b) => this.targets[a] - this.targets[b]);
      for (const e of high) {
        indices[k] = this.targets[e];
        values[k++] = -scale * this.weights[e];
      }
    }
    return { rows: n, cols: n, indptr, indices, values };
  }

  /**
   * The CSR of the incidence matrix (edges × nodes): row e has +s_e at sources[e] and −s_e at
   * targets[e], with s_e = √w_e when weighted (then BᵀB = L) and 1 otherwise.
   */
  incidenceCsr(weighted: boolean): GraphCsr {
    const m = this.edges;
    const indptr = new Int32Array(m + 1);
    const indices = new Int32Array(2 * m);
    const values = new Float64Array(2 * m);
    for (let e = 0; e < m; e++) {
      const s = weighted ? Math.sqrt(this.weights[e]) : 1;
      indptr[e + 1] = 2 * e + 2;
      indices[2 * e] = this.sources[e];
      values[2 * e] = s;
      indices[2 * e + 1] = this.targets[e];
      values[2 * e + 1] = -s;
    }
    return { rows: m, cols: this.nodes, indptr, indices, values };
  }
}

/**
 * A graph from an edge list: checks every index and weight (naming the edge), rejects self-loops
 * (they do not change the Laplacian and usually mean an off-by-one), merges parallel edges.
 */
export function graphFromEdges(edges: EdgeList, options: { nodes: number; path?: string }): Graph {
  const path = options.path ?? "graphFromEdges";
  const nodes = options.nodes;
  if (!Number.isSafeInteger(nodes) || nodes < 1) {
    throw new CflowError("BAD_GRAPH", `${path}: nodes must be a positive integer, found ${describeValue(nodes)}`, { path: `${path}.nodes`, expected: "an integer ≥ 1", found: describeValue(nodes) });
  }
  const { sources, targets, weights } = edges ?? ({} as EdgeList);
  for (const [name, a] of [
    ["sources", sources],
    ["targets", targets],
    ["weights", weights],
  ] as const) {
    if (a === undefined && name === "weights") continue;
    if (!(ArrayBuffer.isView(a) || Array.isArray(a))) {
      throw new CflowError("BAD_GRAPH", `${path}: ${name} must be an array, found ${describeValue(a)}`, { path: `${path}.${name}`, expected: "a number array or typed array", found: describeValue(a) });
    }
  }
  const m = sources.length;
  if (targets.length !== m || (weights !== undefined && weights.length !== m)) {
    throw new CflowError("BAD_GRAPH", `${path}: sources, targets and weights must have one entry per edge, found ${m}, ${targets.length}, ${weights?.length ?? m}`, {
      path,
      expected: `${m} entries each`,
      found: `${m}, ${targets.length}, ${weights?.length ?? m}`,
    });
  }
  const merged = new Map<number, number>();
  for (let e = 0; e < m; e++) {
    const i = sources[e];
    const j = targets[e];
    for (const [name, v] of [
      ["sources", i],
      ["targets", j],
    ] as const) {
      if (!Number.isInteger(v) || v < 0 || v >= nodes) {
        throw new CflowError("BAD_GRAPH", `${path}: ${name}[${e}] = ${v} is not a node index in [0, ${nodes})`, { path: `${path}.${name}[${e}]`, expected: `an integer in [0, ${nodes})`, found: String(v) });
      }
    }
    if (i === j) {
      throw new CflowError("BAD_GRAPH", `${path}: edge ${e} is a self-loop at node ${i}`, { path: `${path}.targets[${e}]`, expected: `a node other than ${i}`, found: String(j) });
    }
    const w = weights === undefined ? 1 : weights[e];
    if (!(Number.isFinite(w) && w >= 0)) {
      throw new CflowError("BAD_GRAPH", `${path}: weights[${e}] = ${w}; edge weights must be finite and ≥ 0 (the Laplacian must be positive semi-definite)`, {
        path: `${path}.weights[${e}]`,
        expected: "a finite number ≥ 0",
        found: String(w),
      });
    }
    const key = Math.min(i, j) * nodes + Math.max(i, j);
    merged.set(key, (merged.get(key) ?? 0) + w);
  }
  const keys = [...merged.keys()].sort((a, b) => a - b);
  const s = new Int32Array(keys.length);
  const t = new Int32Array(keys.length);
  const w = new Float64Array(keys.length);
  keys.forEach((k, e) => {
    s[e] = Math.floor(k / nodes);
    t[e] = k % nodes;
    w[e] = merged.get(k)!;
  });
  return new Graph(nodes, s, t, w);
}

/**
 * The lattice graph of an array shape: each element joined to its neighbours along every axis
 * (a path for [n], the 4-neighbour grid for [h, w]); `periodic` wraps every axis (a ring, a torus).
 */
export function latticeGraph(shape: Shape, options: { periodic?: boolean } = {}): Graph {
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isSafeInteger(d) && d >= 1)) {
    throw new CflowError("BAD_GRAPH", `latticeGraph: shape must be an array of positive integers, found ${describeValue(shape)}`, { path: "latticeGraph.shape", expected: "e.g. [64] or [32, 32]", found: describeValue(shape) });
  }
  const periodic = options.periodic ?? false;
  const n = shape.reduce((a, b) => a * b, 1);
  const strides = shape.map((_, a) => shape.slice(a + 1).reduce((p, d) => p * d, 1));
  const sources: number[] = [];
  const targets: number[] = [];
  for (let i = 0; i < n; i++) {
    shape.forEach((d, a) => {
      const c = Math.floor(i / strides[a]) % d;
      if (c + 1 < d) {
        sources.push(i);
        targets.push(i + strides[a]);
      } else if (periodic && d > 2) {
        sources.push(i);
        targets.push(i - c * strides[a]);
      }
    });
  }
  return graphFromEdges({ sources, targets }, { nodes: n, path: "latticeGraph" });
}
