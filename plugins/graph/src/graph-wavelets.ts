import {
  type Band,
  type Cell,
  CflowError,
  type Dtype,
  type I32Buf,
  KernelTransform,
  type PlanBuilder,
  type RealBuf,
  type Shape,
  ShapeError,
  type TransformFactory,
  describeValue,
} from "@cflow/core";
import { chebyshevCoefficients, chebyshevProduct, chebyshevRange } from "./chebyshev.js";
import { type Graph, latticeGraph } from "./graph.js";
import { meyerPartition } from "./meyer-partition.js";

export interface GraphWaveletOptions {
  /** Band-pass scales J ≥ 1 (default 3); the frame has J + 1 bands (low-pass first). */
  levels?: number;
  /**
   * Largest accepted tightness δ = (B − A)/(B + A) of the polynomial frame (default 5e-4, below
   * the 1e-3 energy tolerance transforms are validated against).
   */
  tightness?: number;
  /** Chebyshev degree; default the smallest of 16, 20, 25, … 400 that meets `tightness`. */
  degree?: number;
  dtype?: Dtype;
  /** Signal shape (default [nodes]); its size must be the number of nodes. */
  shape?: Shape;
  /** Name reported by the transform (default "sgwt"). */
  name?: string;
}

/** A polynomial filter bank on the normalised spectrum and its measured frame bounds. */
export interface GraphWaveletDesign {
  levels: number;
  degree: number;
  /** Chebyshev coefficients in μ = 2λ/λ_bound − 1 of each filter, low-pass first. */
  filters: Float64Array[];
  /** Coefficients of S(μ) = Σ_j p_j(μ)², the symbol of WᵀW. */
  frameOperator: Float64Array;
  /** Enclosure of S over [−1, 1]: A ≤ S ≤ B. */
  A: number;
  B: number;
  /** Frame constant c = (A + B)/2 and tightness δ = (B − A)/(B + A): |WᵀW − cI| ≤ δc. */
  c: number;
  delta: number;
}

const DEGREES = [16, 20, 25, 32, 40, 50, 64, 80, 100, 128, 160, 200, 256, 320, 400];
const designs = new Map<string, GraphWaveletDesign>();

/** The filter design at one degree (pure, memoised: it depends only on levels and degree). */
function designAt(levels: number, degree: number): GraphWaveletDesign {
  const key = `${levels}:${degree}`;
  let d = designs.get(key);
  if (!d) {
    const filters = meyerPartition(levels).map((g) => chebyshevCoefficients((mu) => g((mu + 1) / 2), degree));
    const frameOperator = new Float64Array(2 * degree + 1);
    for (const f of filters) {
      const sq = chebyshevProduct(f, f);
      for (let k = 0; k < sq.length; k++) frameOperator[k] += sq[k];
    }
    const { lo: A, hi: B } = chebyshevRange(frameOperator);
    d = { levels, degree, filters, frameOperator, A, B, c: (A + B) / 2, delta: (B - A) / (B + A) };
    designs.set(key, d);
  }
  return d;
}

/**
 * Designs the filter bank: Chebyshev approximations of the Meyer-like partition of unity (whose
 * squares sum to exactly 1) and the frame bounds of what the polynomials actually compute. The
 * bounds are an enclosure of S = Σ p_j² over the whole interval (see chebyshevRange), hence over
 * every Laplacian spectrum that λ_bound bounds: ‖Wx‖² ∈ [A, B]·‖x‖² for every x.
 */
export function designGraphWavelets(options: { levels?: number; tightness?: number; degree?: number } = {}): GraphWaveletDesign {
  const levels = options.levels ?? 3;
  const tightness = options.tightness ?? 5e-4;
  if (!Number.isInteger(levels) || levels < 1 || levels > 12) {
    throw new CflowError("BAD_OPTION", `graph wavelets: levels must be an integer in [1, 12], found ${describeValue(levels)}`, { path: "graphWavelets.levels", expected: "an integer in [1, 12]", found: describeValue(levels) });
  }
  if (!(typeof tightness === "number" && tightness > 0 && tightness < 1)) {
    throw new CflowError("BAD_OPTION", `graph wavelets: tightness must be in (0, 1), found ${describeValue(tightness)}`, { path: "graphWavelets.tightness", expected: "a number in (0, 1)", found: describeValue(tightness) });
  }
  if (options.degree !== undefined) {
    if (!Number.isInteger(options.degree) || options.degree < 2 || options.degree > 2000) {
      throw new CflowError("BAD_OPTION", `graph wavelets: degree must be an integer in [2, 2000], found ${describeValue(options.degree)}`, { path: "graphWavelets.degree", expected: "an integer in [2, 2000]", found: describeValue(options.degree) });
    }
    const d = designAt(levels, options.degree);
    if (d.delta > tightness) throw tooLoose(d, tightness, "raise degree or tightness");
    return d;
  }
  let d = designAt(levels, DEGREES[0]);
  for (const degree of DEGREES) {
    d = designAt(levels, degree);
    if (d.delta <= tightness) return d;
  }
  throw tooLoose(d, tightness, "use fewer levels or a looser tightness");
}

function tooLoose(d: GraphWaveletDesign, tightness: number, hint: string): CflowError {
  return new CflowError(
    "FRAME_NOT_TIGHT",
    `graph wavelets: ${d.levels} levels at Chebyshev degree ${d.degree} give a frame with tightness δ = ${d.delta.toExponential(2)} (bounds A = ${d.A.toPrecision(8)}, B = ${d.B.toPrecision(8)}), above ${tightness}`,
    { path: "graphWavelets", expected: `δ ≤ ${tightness}`, found: d.delta, hint },
  );
}

/**
 * Spectral graph wavelets (Hammond, Vandergheynst & Gribonval 2011) as a tight frame: band j of
 * Wx is p_j(L)x, with p_j the Chebyshev approximation of a Meyer-like partition of unity on
 * [0, λ_bound] (λ_bound ≥ λ_max(L), see Graph.lambdaMaxBound). Forward: one three-term
 * recurrence T_k(M)x, M = (2/λ_bound)L − I, shared by all bands (K sparse products). Adjoint:
 * Σ_j p_j(L)u_j. WᵀW = S(L) with A ≤ S ≤ B, so the frame is tight with c = (A + B)/2 up to δ;
 * `inverse` is the canonical dual S⁻¹Wᵀ, evaluated by Richardson steps x ← x + (Wᵀu − Sx)/c,
 * which contract by δ each — reconstruction is exact to rounding, not merely to δ.
 */
export class SpectralGraphWavelets extends KernelTransform {
  readonly name: string;
  readonly frame = "tight" as const;
  readonly c: number;
  readonly levels: number;
  readonly bands: readonly Band[];
  readonly design: GraphWaveletDesign;
  readonly lambdaBound: number;
  /** Richardson steps of the inverse (δ^(steps+1) below the dtype's rounding). */
  readonly refinements: number;
  private readonly n: number;
  private readonly mIndptr: I32Buf;
  private readonly mIndices: I32Buf;
  private readonly mValues: RealBuf;
  private readonly filterCells: Cell[][];
  private readonly frameCells: Cell[];
  private readonly two: Cell;
  private readonly minusOne: Cell;
  private readonly zero: Cell;
  private readonly invC: Cell;
  private readonly a: RealBuf;
  private readonly b: RealBuf;
  private readonly tmp: RealBuf;
  private readonly dual: RealBuf;
  private readonly residual: RealBuf;

  constructor(
    readonly graph: Graph,
    options: GraphWaveletOptions = {},
  ) {
    const shape = options.shape ?? [graph.nodes];
    const n = shape.reduce((p, d) => p * d, 1);
    if (n !== graph.nodes) throw new ShapeError("graphWavelets", `a shape of ${graph.nodes} elements (the graph's nodes)`, [...shape]);
    const design = designGraphWavelets(options);
    super(options.dtype ?? "float64", shape, (design.levels + 1) * n);
    this.name = options.name ?? "sgwt";
    this.design = design;
    this.levels = design.levels;
    this.c = design.c;
    this.n = n;
    this.lambdaBound = graph.lambdaMaxBound;
    if (!(this.lambdaBound > 0)) {
      throw new CflowError("BAD_GRAPH", "graphWavelets: the graph has no edge of positive weight (its Laplacian is 0)", { path: "graphWavelets.graph", expected: "at least one edge with weight > 0", found: graph.edges });
    }
    const bands: Band[] = [{ level: 0, orientation: "a", offset: 0, shape }];
    for (let j = 1; j <= this.levels; j++) bands.push({ level: this.levels + 1 - j, orientation: "d", offset: j * n, shape });
    this.bands = bands;
    const target = this.dtype === "float64" ? 1e-13 : 1e-8;
    this.refinements = Math.max(1, Math.ceil(Math.log(target) / Math.log(Math.max(design.delta, 1e-16)) - 1));

    const csr = graph.laplacianCsr(2 / this.lambdaBound, -1);
    this.mIndptr = this.own(this.kernel.allocI32(csr.indptr.length));
    this.mIndptr.view.set(csr.indptr);
    this.mIndices = this.own(this.kernel.allocI32(csr.indices.length));
    this.mIndices.view.set(csr.indices);
    this.mValues = this.own(this.kernel.alloc(csr.values.length));
    this.mValues.view.set(csr.values);
    this.filterCells = design.filters.map((f) => Array.from(f, (v) => this.cells.cell(v)));
    this.frameCells = Array.from(design.frameOperator, (v) => this.cells.cell(v));
    this.two = this.cells.cell(2);
    this.minusOne = this.cells.cell(-1);
    this.zero = this.cells.cell(0);
    this.invC = this.cells.cell(1 / this.c);
    [this.a, this.b, this.tmp, this.dual, this.residual] = [0, 1, 2, 3, 4].map(() => this.own(this.kernel.alloc(n)));
  }

  get degree(): number {
    return this.design.degree;
  }

  /** δ: |‖Wx‖² − c‖x‖²| ≤ δ·c‖x‖² for every x. */
  get tightness(): number {
    return this.design.delta;
  }

  /**
   * Records outputs[j] ← (or +=) Σ_k coeffs[j][k] T_k(M) input, by the recurrence
   * T_k = 2M T_{k−1} − T_{k−2} over two rotating buffers (the input itself serves as T_0).
   */
  private emitSeries(p: PlanBuilder, coeffs: readonly Cell[][], input: RealBuf, outputs: readonly RealBuf[], accumulate: boolean): void {
    const n = this.n;
    const degree = coeffs[0].length - 1;
    coeffs.forEach((c, j) => {
      if (accumulate) p.call("axpy", n, c[0], input, outputs[j]);
      else p.call("axpbyz", n, c[0], input, this.zero, input, outputs[j]);
    });
    if (degree === 0) return;
    let prev = input;
    let cur = this.b;
    p.call("spmv", n, this.mIndptr, this.mIndices, this.mValues, input, cur);
    coeffs.forEach((c, j) => p.call("axpy", n, c[1], cur, outputs[j]));
    for (let k = 2; k <= degree; k++) {
      p.call("spmv", n, this.mIndptr, this.mIndices, this.mValues, cur, this.tmp);
      // T_k = 2·M T_{k−1} − T_{k−2}, written over the buffer of T_{k−2} (never over the input)
      const next = prev === input ? this.a : prev;
      p.call("axpbyz", n, this.two, this.tmp, this.minusOne, prev, next);
      prev = cur;
      cur = next;
      coeffs.forEach((c, j) => p.call("axpy", n, c[k], cur, outputs[j]));
    }
  }

  emitForward(p: PlanBuilder, x: RealBuf, out: RealBuf): void {
    const outputs = Array.from({ length: this.levels + 1 }, (_, j) => out.sub(j * this.n, this.n));
    this.emitSeries(p, this.filterCells, x, outputs, false);
  }

  emitAdjoint(p: PlanBuilder, u: RealBuf, out: RealBuf): void {
    for (let j = 0; j <= this.levels; j++) this.emitSeries(p, [this.filterCells[j]], u.sub(j * this.n, this.n), [out], j > 0);
  }

  emitInverse(p: PlanBuilder, u: RealBuf, out: RealBuf): void {
    const n = this.n;
    this.emitAdjoint(p, u, this.dual);
    p.call("axpbyz", n, this.invC, this.dual, this.zero, this.dual, out);
    for (let r = 0; r < this.refinements; r++) {
      this.emitSeries(p, [this.frameCells], out, [this.residual], false);
      p.call("sub", n, this.dual, this.residual, this.residual);
      p.call("axpy", n, this.invC, this.residual, out);
    }
  }
}

/** Spectral graph wavelets on a graph (see SpectralGraphWavelets). */
export function graphWavelets(graph: Graph, options: GraphWaveletOptions = {}): SpectralGraphWavelets {
  return new SpectralGraphWavelets(graph, options);
}

/**
 * A registrable transform factory: the graph is fixed, or made from the slot's shape (e.g. its
 * lattice). Register it under your own name for your own graph:
 * `registry.transforms.register("sgwtRoads", graphWaveletFactory(roads))`.
 */
export function graphWaveletFactory(
  graph: Graph | ((shape: Shape) => Graph),
  options: { tightness?: number; degree?: number; name?: string; description?: string; probe?: { shape: Shape; levels?: number } } = {},
): TransformFactory {
  const graphFor = typeof graph === "function" ? graph : () => graph;
  const probe = options.probe ?? (typeof graph === "function" ? { shape: [24], levels: 2 } : { shape: [graph.nodes], levels: 2 });
  return {
    description: options.description ?? "spectral graph wavelets (Chebyshev-polynomial Meyer-like tight frame)",
    probe,
    create: ({ shape, levels, dtype }) => new SpectralGraphWavelets(graphFor(shape), { shape, levels, dtype, tightness: options.tightness, degree: options.degree, name: options.name }),
  };
}

/** The factories the plugin registers: wavelets on the lattice of the slot (grid) and its periodic version (ring/torus). */
export const latticeWaveletFactories: Record<string, TransformFactory> = {
  sgwt: graphWaveletFactory((shape) => latticeGraph(shape), { name: "sgwt", description: "spectral graph wavelets on the slot's lattice graph (path, 4-neighbour grid)" }),
  "sgwtRing": graphWaveletFactory((shape) => latticeGraph(shape, { periodic: true }), { name: "sgwtRing", description: "spectral graph wavelets on the slot's periodic lattice (ring, torus)" }),
};
