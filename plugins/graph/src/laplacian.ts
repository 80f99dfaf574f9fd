import type { Dtype, OpFactory } from "@cflow/core";
import type { Graph } from "./graph.js";
import { GraphMatrixOp } from "./graph-matrix-op.js";
import { EDGE_PARAMS, graphFromParams } from "./graph-params.js";

/** The combinatorial Laplacian L = D − A of a weighted graph: x ↦ Lx (symmetric PSD, L·1 = 0). */
export class GraphLaplacianOp extends GraphMatrixOp {
  override readonly kind = "graphLaplacian";

  constructor(
    readonly graph: Graph,
    dtype: Dtype,
  ) {
    super(graph.laplacianCsr(), dtype);
  }

  /** ‖L‖₂ = λ_max(L) ≤ max over edges of d_i + d_j. */
  override get normHint(): number {
    return this.graph.lambdaMaxBound;
  }
}

export function graphLaplacian(graph: Graph, options: { dtype?: Dtype } = {}): GraphLaplacianOp {
  return new GraphLaplacianOp(graph, options.dtype ?? "float64");
}

/** `ops: { L: { type: "graphLaplacian", sources: "src", targets: "dst", weights: "w", nodes: 64 } }` */
export const graphLaplacianFactory: OpFactory = {
  description: "combinatorial Laplacian L = D − A of a weighted graph given by edge data, x ↦ Lx",
  params: {
    ...EDGE_PARAMS,
    sources: { ...EDGE_PARAMS.sources, required: true },
    targets: { ...EDGE_PARAMS.targets, required: true },
    nodes: { type: "integer", description: "number of nodes (the op's input and output length)", required: true, min: 1 },
  },
  create(params, ctx) {
    const graph = graphFromParams({ ...params, graph: "edges" }, ctx.data, { nodes: params.nodes as number, path: ctx.path });
    return new GraphLaplacianOp(graph, ctx.dtype);
  },
};
