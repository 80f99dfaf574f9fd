// The registry with cflow's built-ins, registered through the same plugin API an outside package
// uses (so nothing downstream special-cases a built-in name).
import { proxAtoms } from "../atoms/prox/library.js";
import { smoothAtoms } from "../atoms/smooth/index.js";
import { conv1dFactory, conv2dFactory } from "../ops/conv.js";
import { csrFactory } from "../ops/csr.js";
import { denseFactory } from "../ops/dense.js";
import { diagonalFactory } from "../ops/diagonal.js";
import { gradientFactory } from "../ops/gradient.js";
import { identityFactory as identityOpFactory } from "../ops/identity.js";
import { maskFactory } from "../ops/mask.js";
import { scalingFactory } from "../ops/scaling.js";
import { subsampleFactory } from "../ops/subsample.js";
import { builtinFamilies, familyPolicy } from "../runtime/families.js";
import { waveletFactories } from "../transforms/factories.js";
import { dctFactory } from "../transforms/dct.js";
import { identityTransformFactory } from "../transforms/identity.js";
import { version } from "../../package.json";
import { definePlugin } from "./plugin.js";
import { Registry, type RegistryValidators } from "./registry.js";

/** cflow's built-ins as a plugin. */
export const corePlugin = definePlugin({
  name: "@cflow/core",
  version,
  setup(registry) {
    for (const [name, factory] of Object.entries(waveletFactories)) registry.transforms.register(name, factory);
    registry.transforms.register("identity", identityTransformFactory);
    registry.transforms.register("dct", dctFactory);
    const ops = { identity: identityOpFactory, scaling: scalingFactory, diagonal: diagonalFactory, dense: denseFactory, csr: csrFactory, mask: maskFactory, subsample: subsampleFactory, gradient: gradientFactory, conv1d: conv1dFactory, conv2d: conv2dFactory };
    for (const [name, factory] of Object.entries(ops)) registry.ops.register(name, factory);
    for (const atom of [...smoothAtoms, ...proxAtoms]) registry.atoms.register(atom.name, atom);
    for (const family of builtinFamilies) registry.policies.register(family.name, familyPolicy(family));
  },
});

/**
 * A new registry holding the built-ins. Pass validators to probe every registration, e.g.
 * `defaultRegistry({ transforms: validateTransformFactory })`.
 */
export function defaultRegistry(validators: RegistryValidators = {}): Registry {
  const registry = new Registry(validators);
  const report = registry.use(corePlugin);
  if (report.failed.length > 0) throw report.failed[0].error;
  return registry;
}
