export { Graph, graphFromEdges, latticeGraph, type EdgeList, type GraphCsr } from "./graph.js";
export { GraphMatrixOp } from "./graph-matrix-op.js";
export { GraphLaplacianOp, graphLaplacian, graphLaplacianFactory } from "./laplacian.js";
export { GraphIncidenceOp, graphIncidence, graphIncidenceFactory } from "./incidence.js";
export { EDGE_PARAMS, GRAPH_PARAMS, graphFromParams } from "./graph-params.js";
export { DirichletEnergyTerm, dirichletEnergy } from "./dirichlet-energy.js";
export { GraphTvProxSolver, graphTvProx, type GraphTvProxOptions, type GraphTvProxResult } from "./graph-tv-prox.js";
export { GraphTvTerm, graphTV } from "./graph-tv.js";
export { chebyshevCoefficients, chebyshevValue, chebyshevProduct, chebyshevRange } from "./chebyshev.js";
export { meyerNu, meyerPartition } from "./meyer-partition.js";
export {
  SpectralGraphWavelets,
  designGraphWavelets,
  graphWavelets,
  graphWaveletFactory,
  latticeWaveletFactories,
  type GraphWaveletDesign,
  type GraphWaveletOptions,
} from "./graph-wavelets.js";
export { graphPlugin } from "./plugin.js";
