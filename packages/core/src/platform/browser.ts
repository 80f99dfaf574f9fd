import type { Dtype } from "../dtype.js";
import type { Host } from "./host.js";

// This file is only ever bundled into dist/browser.js, so the URLs are relative to that file
// (dist/wasm/ sits beside it). They are literals so that bundlers (Vite, webpack 5, Rollup,
// esbuild, Parcel) recognise `new URL("…", import.meta.url)` and ship the .wasm files as assets.
const KERNEL_URLS: Record<Dtype, () => URL> = {
  float64: () => new URL("./wasm/kernel.float64.wasm", import.meta.url),
  float32: () => new URL("./wasm/kernel.float32.wasm", import.meta.url),
};

/** Browsers (and Web Workers, Deno, other non-Node hosts): the kernel is fetched by `initKernel`. */
export const host: Host = {
  name: "browser",
  kernelWasmSync: () => null,
  kernelWasmUrl: (dtype) => KERNEL_URLS[dtype](),
  read: (url) => fetch(url),
};
