import { defineConfig } from "tsup";

// The kernel build (scripts/build-kernel.mjs) writes dist/wasm first; tsup must not wipe it.
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  target: "node20",
  dts: true,
  sourcemap: true,
  clean: false,
});
