// The registry with cflow's built-ins, registered through the same plugin API an outside package
// uses (so nothing downstream special-cases a built-in name).
import { createRequire } from "node:module";
import { waveletFactories } from "../transforms/factories.js";
import { identityFactory } from "../transforms/identity.js";
import { definePlugin } from "./plugin.js";
import { Registry, type RegistryValidators } from "./registry.js";

const VERSION = (createRequire(import.meta.url)("@cflow/core/package.json") as { version: string }).version;

/** cflow's built-ins as a plugin. */
export const corePlugin = definePlugin({
  name: "@cflow/core",
  version: VERSION,
  setup(registry) {
    for (const [name, factory] of Object.entries(waveletFactories)) registry.transforms.register(name, factory);
    registry.transforms.register("identity", identityFactory);
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
