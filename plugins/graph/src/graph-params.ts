import { CflowError, type ParamRule, type Shape, describeValue } from "@cflow/core";
import { type Graph, graphFromEdges, latticeGraph } from "./graph.js";

/** Spec parameters naming a graph's edge arrays among the spec's data. */
export const EDGE_PARAMS: Record<string, ParamRule> = {
  sources: { type: "string", description: "name of the data array of edge sources (node indices)" },
  targets: { type: "string", description: "name of the data array of edge targets (node indices)" },
  weights: { type: "string", description: "name of the data array of edge weights (default: all 1)" },
};

/** Atom parameters: a graph from edge data, or the lattice of the slot's shape. */
export const GRAPH_PARAMS: Record<string, ParamRule> = {
  graph: {
    type: "string",
    description: "edges: from the sources/targets/weights data; grid: the slot's lattice (path, 4-neighbour grid); ring: the periodic lattice",
    default: "edges",
    oneOf: ["edges", "grid", "ring"],
  },
  ...EDGE_PARAMS,
};

/** The linter's cross-parameter check: an edge graph names its sources and targets. */
export function checkGraphParams(params: Record<string, unknown>): { param: string; message: string; expected: string; found: unknown } | null {
  if ((params.graph ?? "edges") !== "edges") return null;
  for (const p of ["sources", "targets"]) {
    if (typeof params[p] !== "string") return { param: p, message: `graph "edges" needs the ${p} data array`, expected: "the name of a data array", found: params[p] };
  }
  return null;
}

/** The data array a string parameter names (`sources: "src"`), with the spec path in errors. */
function dataArray(params: Record<string, unknown>, data: Record<string, ArrayLike<number>>, name: string, path: string): ArrayLike<number> {
  const ref = params[name];
  const arr = typeof ref === "string" && Object.hasOwn(data, ref) ? data[ref] : undefined;
  if (!arr) {
    const names = Object.keys(data);
    throw new CflowError("UNKNOWN_DATA", `${path}.${name}: no data array ${describeValue(ref)}`, {
      path: `${path}.${name}`,
      expected: `the name of a data array (${names.join(", ") || "the spec has no data"})`,
      found: describeValue(ref),
    });
  }
  return arr;
}

/** The graph the parameters describe, on `nodes` vertices (the lattice of `shape` for grid/ring). */
export function graphFromParams(params: Record<string, unknown>, data: Record<string, ArrayLike<number>>, options: { nodes: number; shape?: Shape; path: string }): Graph {
  const kind = params.graph ?? "edges";
  if (kind === "grid" || kind === "ring") {
    const shape = options.shape ?? [options.nodes];
    return latticeGraph(shape, { periodic: kind === "ring" });
  }
  if (kind !== "edges") {
    throw new CflowError("BAD_PARAM", `${options.path}.graph: unknown graph kind ${describeValue(kind)}`, { path: `${options.path}.graph`, expected: "edges | grid | ring", found: describeValue(kind) });
  }
  const sources = dataArray(params, data, "sources", options.path);
  const targets = dataArray(params, data, "targets", options.path);
  const weights = params.weights === undefined ? undefined : dataArray(params, data, "weights", options.path);
  return graphFromEdges({ sources, targets, weights }, { nodes: options.nodes, path: options.path });
}
