import { defineConfig } from "vite";

// The playground page (index.html → src/main.ts) and its run's worker (src/worker/worker.ts), an
// ES module worker so that it shares chunks with the page and finds the kernel's .wasm files
// through import.meta.url. (No report of slow plugins: on a loaded CI machine every build is slow.)
export default defineConfig({
  build: { target: "es2022", reportCompressedSize: false, rolldownOptions: { checks: { bundlerTimings: false } } },
  worker: { format: "es" },
  // the dev server must not pre-bundle core away from its wasm/ folder (packages/core/README.md, "In a browser")
  optimizeDeps: { exclude: ["@cflow/core"] },
});
