import { fileURLToPath } from "node:url";
import { defineConfig } from "tsup";

// The kernel build (scripts/build-kernel.mjs) writes dist/wasm first; tsup must not wipe it.
// Two bundles of src/index.ts, chosen by package.json "exports" conditions: dist/index.js for Node
// (`#platform` → src/platform/node.ts) and dist/browser.js for browsers and other hosts
// (`#platform` → src/platform/browser.ts), which must hold no Node import.

const browserNodeApis = fileURLToPath(new URL("./src/platform/browser-node-apis.ts", import.meta.url));

export default defineConfig([
  {
    entry: { index: "src/index.ts" },
    format: ["esm"],
    platform: "node",
    target: "node20",
    dts: true,
    sourcemap: true,
    clean: false,
  },
  {
    entry: { browser: "src/index.ts" },
    format: ["esm"],
    platform: "browser",
    target: "es2022",
    dts: false,
    removeNodeProtocol: false,
    sourcemap: true,
    clean: false,
    // src/spec/element-limit.ts imports node:os and src/controller/run-certified.ts calls the
    // global setImmediate: the browser bundle takes both from src/platform/browser-node-apis.ts
    inject: [browserNodeApis],
    esbuildPlugins: [
      {
        name: "cflow-browser-node-apis",
        setup(build) {
          build.onResolve({ filter: /^node:os$/ }, () => ({ path: browserNodeApis }));
        },
      },
    ],
  },
]);
