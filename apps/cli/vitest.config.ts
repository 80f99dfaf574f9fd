import { testOptions } from "@cflow/test-kit";
import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    ...testOptions,
    // the default-size runs of the examples: `pnpm test:examples` (vitest.examples.config.ts)
    exclude: [...configDefaults.exclude, "test/default-size/**"],
    globalSetup: ["test/global-setup.ts"],
  },
});
