import { testOptions } from "@cflow/test-kit";
import { defineConfig } from "vitest/config";

// `pnpm test:examples`: every bundled example at its default size (test/default-size). Each test
// is one full run of an example; it has no time limit — it ends when the run ends, and the test
// reports each run's wall time.
export default defineConfig({
  test: {
    ...testOptions,
    include: ["test/default-size/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
  },
});
