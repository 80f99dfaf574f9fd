import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Dtype } from "../dtype.js";
import type { Host } from "./host.js";

const require = createRequire(import.meta.url);

/** The kernel's .wasm inside the installed @cflow/core package (resolved through its exports map, from src/ and dist/ alike). */
function kernelPath(dtype: Dtype): string {
  return require.resolve(`@cflow/core/wasm/kernel.${dtype}.wasm`);
}

/** Node: the kernel is read from the package's files, synchronously on first use or by `initKernel`. */
export const host: Host = {
  name: "node",
  kernelWasmSync: (dtype) => readFileSync(kernelPath(dtype)),
  kernelWasmUrl: (dtype) => pathToFileURL(kernelPath(dtype)),
  read: async (url) => (url.protocol === "file:" ? readFile(fileURLToPath(url)) : fetch(url)),
};
