import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    cli: "src/cli.ts",
    // the processes of the local pool and of the queue worker load these by path
    "sweep-pool-task": "src/sweep/pool-task.ts",
    "sweep-queue-processor": "src/sweep/queue-processor.ts",
  },
  format: ["esm"],
  target: "node20",
  dts: { entry: "src/index.ts" },
  sourcemap: true,
  clean: true,
});
