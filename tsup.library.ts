import { defineConfig, type Options } from "tsup";

/**
 * The build every library package and plugin of the workspace shares: ESM for Node 20 with
 * declarations and source maps, from `src/index.ts` unless `overrides` name other entries.
 * (@cflow/core has its own config: a Node and a browser build of several subpaths.)
 */
export function libraryBuild(overrides: Options = {}) {
  return defineConfig({
    entry: ["src/index.ts"],
    format: ["esm"],
    target: "node20",
    dts: true,
    sourcemap: true,
    clean: true,
    ...overrides,
  });
}
