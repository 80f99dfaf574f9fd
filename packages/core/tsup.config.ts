import { fileURLToPath } from "node:url";
import { defineConfig } from "tsup";

// The kernel build (scripts/build-kernel.mjs) empties dist and writes dist/wasm first; tsup must
// not wipe it.
// Two builds, chosen by package.json "exports" conditions: for Node (`#platform` →
// src/platform/node.ts) and for browsers and other hosts (`#platform` → src/platform/browser.ts),
// which must hold no Node import. Each build has one entry per subpath export — the public API,
// and the internals a plugin author or a sibling package may need (kernel, linalg, testing) —
// and puts shared code in common chunks, so a class (Kernel, CellBank) is one class whichever
// subpath it is imported from.

const browserNodeApis = fileURLToPath(new URL("./src/platform/browser-node-apis.ts", import.meta.url));

export default defineConfig([
  {
    entry: { index: "src/index.ts", kernel: "src/kernel/index.ts", linalg: "src/linalg/index.ts", testing: "src/testing.ts" },
    format: ["esm"],
    platform: "node",
    target: "node20",
    dts: true,
    sourcemap: true,
    clean: false,
  },
  {
    entry: { browser: "src/index.ts", "browser-kernel": "src/kernel/index.ts", "browser-linalg": "src/linalg/index.ts", "browser-testing": "src/testing.ts" },
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
