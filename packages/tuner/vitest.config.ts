import { testOptions } from "@cflow/test-kit";
import { defineConfig } from "vitest/config";

export default defineConfig({ test: testOptions });
