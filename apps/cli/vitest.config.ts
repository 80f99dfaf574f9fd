import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // the default-size runs of the examples: `pnpm test:examples` (vitest.examples.config.ts)
    exclude: [...configDefaults.exclude, "test/default-size/**"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000,
  },
});
