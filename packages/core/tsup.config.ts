import { defineConfig } from "tsup";

// The kernel build (scripts/build-kernel.mjs) empties dist and writes dist/wasm first; tsup must
// not wipe it.
// One entry per subpath export (package.json "exports"): the public API, and the internals a
// plugin author or a sibling package may need. Shared code lands in common chunks, so a class
// (Kernel, CellBank) is one class whichever subpath it is imported from.
export default defineConfig({
  entry: {
    index: "src/index.ts",
    kernel: "src/kernel/index.ts",
    linalg: "src/linalg/index.ts",
    testing: "src/testing.ts",
  },
  format: ["esm"],
  target: "node20",
  dts: true,
  sourcemap: true,
  clean: false,
});
