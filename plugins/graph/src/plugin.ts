import { definePlugin } from "@cflow/core";
import { name, version } from "../package.json";
import { dirichletEnergy } from "./dirichlet-energy.js";
import { latticeWaveletFactories } from "./graph-wavelets.js";
import { graphTV } from "./graph-tv.js";
import { graphIncidenceFactory } from "./incidence.js";
import { graphLaplacianFactory } from "./laplacian.js";

/**
 * Registers ops "graphLaplacian" and "graphIncidence", atoms "dirichletEnergy" and "graphTV", and
 * transforms "sgwt" (spectral graph wavelets on the slot's lattice) and "sgwtRing" (periodic).
 */
export const graphPlugin = definePlugin({
  name,
  version,
  setup(registry) {
    registry.ops.register("graphLaplacian", graphLaplacianFactory);
    registry.ops.register("graphIncidence", graphIncidenceFactory);
    registry.atoms.register(dirichletEnergy.name, dirichletEnergy);
    registry.atoms.register(graphTV.name, graphTV);
    for (const [name, factory] of Object.entries(latticeWaveletFactories)) registry.transforms.register(name, factory);
  },
});
