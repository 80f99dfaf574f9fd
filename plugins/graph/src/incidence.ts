import type { Dtype, OpFactory } from "@cflow/core";
import type { Graph } from "./graph.js";
import { GraphMatrixOp } from "./graph-matrix-op.js";
import { EDGE_PARAMS, graphFromParams } from "./graph-params.js";

/**
 * The incidence (graph gradient) operator, nodes → edges: (Bx)_e = s_e (x_i − x_j) for edge
 * e = (i, j), with s_e = √w_e when weighted (so BᵀB = L) and 1 otherwise.
 */
export class GraphIncidenceOp extends GraphMatrixOp {
  override readonly kind = "graphIncidence";

  constructor(
    readonly graph: Graph,
    readonly weighted: boolean,
    dtype: Dtype,
  ) {
    super(graph.incidenceCsr(weighted), dtype);
  }

  /** ‖B‖₂ = √λ_max(BᵀB), bounded by the Laplacian bound of the (weighted or unit) graph. */
  override get normHint(): number {
    return Math.sqrt(this.weighted ? this.graph.lambdaMaxBound : this.graph.incidenceNormSqBound);
  }
}

export function graphIncidence(graph: Graph, options: { dtype?: Dtype; weighted?: boolean } = {}): GraphIncidenceOp {
  return new GraphIncidenceOp(graph, options.weighted ?? true, options.dtype ?? "float64");
}

/** `ops: { D: { type: "graphIncidence", sources: "src", targets: "dst", weights: "w", nodes: 64 } }` */
export const graphIncidenceFactory: OpFactory = {
  description: "graph gradient (incidence matrix, nodes → edges): (Dx)_e = √w_e (x_i − x_j), so DᵀD = L",
  params: {
    ...EDGE_PARAMS,
    sources: { ...EDGE_PARAMS.sources, required: true },
    targets: { ...EDGE_PARAMS.targets, required: true },
    nodes: { type: "integer", description: "number of nodes (the op's input length)", required: true, min: 1 },
    weighted: { type: "boolean", description: "scale rows by √w_e (default true); false gives the ±1 incidence", default: true },
  },
  create(params, ctx) {
    const graph = graphFromParams({ ...params, graph: "edges" }, ctx.data, { nodes: params.nodes as number, path: ctx.path });
    return new GraphIncidenceOp(graph, params.weighted !== false, ctx.dtype);
  },
};
