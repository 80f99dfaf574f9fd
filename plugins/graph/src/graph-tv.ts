import { type AtomContext, type AtomDef, type Cell, CflowError, type PlanBuilder, type ProxCells, type ProxTerm, type RealBuf, defineAtom, describeValue } from "@cflow/core";
import type { Graph } from "./graph.js";
import { GRAPH_PARAMS, checkGraphParams, graphFromParams } from "./graph-params.js";
import { GraphTvProxSolver } from "./graph-tv-prox.js";

/**
 * g(x) = λ Σ_e w_e |x_i − x_j|, graph total variation (piecewise-constant graph signals). Its prox
 * has no closed form: each evaluation runs the FGP dual solver to a duality-gap tolerance, as a
 * JavaScript step of the flow's plan (the supported slow path for atoms outside the kernel).
 */
export class GraphTvTerm implements ProxTerm {
  readonly kind = "prox" as const;
  readonly atom = "graphTV";
  readonly space = "x" as const;
  /** Sparse in Bx, not in x or W-coefficients: no active-set restriction of certificates. */
  readonly sparsity = false;
  bandWeights: number[] | null = null;
  readonly bands = null;
  private weight: number;
  private readonly solver: GraphTvProxSolver;
  /** Certificate of the last prox evaluation. */
  lastSolve: { gap: number; iterations: number; converged: boolean } | null = null;

  constructor(
    ctx: AtomContext,
    readonly graph: Graph,
  ) {
    const n = ctx.slotShape.reduce((a, b) => a * b, 1);
    if (graph.nodes !== n) {
      throw new CflowError("SHAPE_MISMATCH", `${ctx.path}: the graph has ${graph.nodes} nodes but the slot has ${n} elements`, { path: `${ctx.path}.params`, expected: n, found: graph.nodes });
    }
    this.weight = ctx.weight;
    this.solver = new GraphTvProxSolver(graph, { tol: ctx.params.tol as number | undefined, maxIter: ctx.params.maxIter as number | undefined });
  }

  get lambda(): number {
    return this.weight;
  }

  set lambda(v: number) {
    if (!(Number.isFinite(v) && v >= 0)) throw new CflowError("BAD_ARGUMENT", `graphTV: λ must be finite and ≥ 0, found ${describeValue(v)}`, { path: "graphTV.lambda", expected: "a finite number ≥ 0", found: describeValue(v) });
    this.weight = v;
  }

  value(u: RealBuf): number {
    const x = u.view;
    const { sources, targets, weights } = this.graph;
    let s = 0;
    for (let e = 0; e < sources.length; e++) s += weights[e] * Math.abs(x[sources[e]] - x[targets[e]]);
    return this.weight * s;
  }

  prox(u: RealBuf, t: number, out: RealBuf): void {
    this.lastSolve = this.solver.solve(u.view, t * this.weight, out.view);
  }

  emitProx(p: PlanBuilder, u: RealBuf, step: Cell, out: RealBuf, stats: ProxCells): void {
    p.js(() => {
      this.prox(u, step.value, out);
      stats.value.value = this.value(out);
      stats.nnz.value = Number.NaN;
    });
  }

  emitValue(p: PlanBuilder, u: RealBuf, value: Cell): void {
    p.js(() => {
      value.value = this.value(u);
    });
  }

  dispose(): void {}
}

/** `{ kind: "regularizer", atom: "graphTV", weight: 0.1, params: { graph: "ring" } }` */
export const graphTV: AtomDef = defineAtom({
  name: "graphTV",
  kind: "prox",
  description: "λ Σ_e w_e |x_i − x_j| — graph total variation, prox by a dual (FGP) solver with a duality-gap tolerance",
  op: "none",
  target: "none",
  transform: "none",
  params: {
    ...GRAPH_PARAMS,
    tol: { type: "number", description: "prox accuracy: stop when the duality gap certifies ‖x − x*‖ ≤ tol·‖u‖", default: 1e-6, min: 0, exclusiveMin: true },
    maxIter: { type: "integer", description: "iteration cap of the dual solver per prox", default: 10000, min: 1 },
  },
  convex: true,
  space: "x",
  sparsity: false,
  checkParams: checkGraphParams,
  create(ctx) {
    const views = Object.fromEntries(Object.entries(ctx.data).map(([k, b]) => [k, b.view]));
    const n = ctx.slotShape.reduce((a, b) => a * b, 1);
    return new GraphTvTerm(ctx, graphFromParams(ctx.params, views, { nodes: n, shape: ctx.slotShape, path: `${ctx.path}.params` }));
  },
});
