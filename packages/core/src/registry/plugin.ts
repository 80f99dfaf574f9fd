import type { Registry } from "./registry.js";

/**
 * A plugin is a plain object (Vite/Rollup style): a name, a version, and a `setup` hook that
 * registers transforms, manifolds, ops, atoms and policies into the registry it is given.
 */
export interface Plugin {
  name: string;
  version: string;
  setup(registry: Registry): void;
}

/** Identity function that types a plugin definition. */
export function definePlugin(plugin: Plugin): Plugin {
  return plugin;
}
