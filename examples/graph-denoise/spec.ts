// Denoising a signal on a graph with @cflow/plugin-graph (load it: --plugin @cflow/plugin-graph,
// or the cflow.config.ts next to this file):
//   E(x) = ½‖x − y‖² + λ Σ_e w_e |x_i − x_j|   (graph total variation, "graphTV")
// on a ring of n nodes with a chord every `chordEvery` nodes joining nodes of the same plateau,
// given as an edge list. The signal is piecewise constant on the graph, y adds Gaussian noise.
import { defineFlow, normal, readFlowParams, rngKey } from "@cflow/core";

export const PARAMS = {
  size: { type: "integer", description: "number of nodes n", default: 1024, min: 8 },
  plateaus: { type: "integer", description: "number of constant plateaus along the ring", default: 4, min: 1 },
  chordEvery: { type: "integer", description: "a chord between nodes i and i + 3 of one plateau every this many nodes (0: none)", default: 16, min: 0 },
  noise: { type: "number", description: "noise standard deviation", default: 0.25, min: 0 },
  lambda: { type: "number", description: "graph-TV weight λ", default: 0.4, min: 0, exclusiveMin: true },
  dataSeed: { type: "integer", description: "seed of the noise", default: 7, min: 0 },
} as const;

export default defineFlow(({ dtype, seed, params }) => {
  const p = readFlowParams(params, PARAMS);
  const n = p.size;
  const levels = [0, 1, -0.5, 0.7, 0.2, -0.8, 0.5, -0.2];
  const plateau = (i: number) => Math.floor((p.plateaus * i) / n);
  const clean = Array.from({ length: n }, (_, i) => levels[plateau(i) % levels.length]);
  const sources: number[] = [];
  const targets: number[] = [];
  for (let i = 0; i < n; i++) {
    sources.push(i);
    targets.push((i + 1) % n);
    if (p.chordEvery > 0 && i % p.chordEvery === 0 && i + 3 < n && plateau(i) === plateau(i + 3)) {
      sources.push(i);
      targets.push(i + 3);
    }
  }
  const e = normal(rngKey(p.dataSeed), n, "float64");
  const y = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = clean[i] + p.noise * e[i];
  return {
    name: "graph-denoise",
    description: `Graph-TV denoising of a ${p.plateaus}-plateau signal on a ${n}-node ring with chords (${sources.length} edges), noise ${p.noise}.`,
    dtype,
    seed,
    state: { x: { shape: [n], init: { data: "y" } } },
    data: { y, sources, targets },
    terms: [
      { kind: "data", atom: "leastSquares", target: "y" },
      { kind: "regularizer", atom: "graphTV", weight: p.lambda, params: { graph: "edges", sources: "sources", targets: "targets", tol: 1e-6 } },
    ],
    policies: { flow: { family: "accelerated", restart: "function" }, budgets: { maxIters: 100, tol: 1e-9 } },
  };
});
