import { type AtomContext, type AtomDef, CflowError, QuadraticFormTerm, defineAtom } from "@cflow/core";
import type { Graph } from "./graph.js";
import { GRAPH_PARAMS, checkGraphParams, graphFromParams } from "./graph-params.js";
import { GraphIncidenceOp } from "./incidence.js";
import { GraphLaplacianOp } from "./laplacian.js";

/**
 * ½·w xᵀLx = ½·w Σ_e w_e (x_i − x_j)², the graph Dirichlet energy (smoothness of a graph signal):
 * core's quadratic form of the graph Laplacian L (one sparse product per step). Its Lipschitz
 * constant w·λ_max(L) is taken as w·‖B_w‖² through the weighted incidence B_w (BᵀB = L), whose
 * norm bound is analytic.
 */
export class DirichletEnergyTerm extends QuadraticFormTerm {
  readonly laplacian: GraphLaplacianOp;
  private readonly incidence: GraphIncidenceOp;

  constructor(ctx: AtomContext, graph: Graph) {
    const n = ctx.slotShape.reduce((a, b) => a * b, 1);
    if (graph.nodes !== n) {
      throw new CflowError("SHAPE_MISMATCH", `${ctx.path}: the graph has ${graph.nodes} nodes but the slot has ${n} elements`, { path: `${ctx.path}.params`, expected: n, found: graph.nodes });
    }
    const laplacian = new GraphLaplacianOp(graph, ctx.dtype);
    const incidence = new GraphIncidenceOp(graph, true, ctx.dtype);
    super(ctx, laplacian, { atom: "dirichletEnergy", lipschitz: { scale: ctx.weight, normOp: incidence, power: 2 } });
    this.laplacian = laplacian;
    this.incidence = incidence;
  }

  override dispose(): void {
    super.dispose();
    this.laplacian.dispose();
    this.incidence.dispose();
  }
}

/** `{ kind: "regularizer", atom: "dirichletEnergy", weight: 0.5, params: { graph: "edges", sources: "src", targets: "dst" } }` */
export const dirichletEnergy: AtomDef = defineAtom({
  name: "dirichletEnergy",
  kind: "smooth",
  description: "½·w xᵀLx = ½·w Σ_e w_e (x_i − x_j)² — graph Dirichlet energy (graph from edge data or the slot's lattice)",
  op: "none",
  target: "none",
  transform: "none",
  params: GRAPH_PARAMS,
  convex: true,
  checkParams: checkGraphParams,
  create(ctx) {
    const views = Object.fromEntries(Object.entries(ctx.data).map(([k, b]) => [k, b.view]));
    const n = ctx.slotShape.reduce((a, b) => a * b, 1);
    return new DirichletEnergyTerm(ctx, graphFromParams(ctx.params, views, { nodes: n, shape: ctx.slotShape, path: `${ctx.path}.params` }));
  },
});
