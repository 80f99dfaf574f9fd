import { defineConfig } from "tsup";

export default defineConfig({
  // columns.ts on its own too: the telemetry/event column mapping without DuckDB (the playground's CSV export)
  entry: ["src/index.ts", "src/columns.ts"],
  format: ["esm"],
  target: "node20",
  dts: true,
  sourcemap: true,
  clean: true,
});
