import type { Dtype } from "../dtype.js";

/**
 * What @cflow/core needs from the JavaScript host it runs on. The import `#platform` (package.json
 * "imports") selects the implementation: `platform/node.ts` under the "node" condition,
 * `platform/browser.ts` under "browser" and anywhere else — so the browser build
 * (dist/browser.js) holds no Node import.
 */
export interface Host {
  readonly name: "node" | "browser";
  /** The shipped kernel of a dtype read synchronously where the host can (Node); null where it cannot (browsers). */
  kernelWasmSync(dtype: Dtype): Uint8Array | null;
  /** Where the shipped kernel of a dtype lies (`dist/wasm/kernel.<dtype>.wasm`). */
  kernelWasmUrl(dtype: Dtype): URL;
  /** What a URL holds: a file's bytes (file: URLs in Node) or the HTTP response. */
  read(url: URL): Promise<Uint8Array | Response>;
}
