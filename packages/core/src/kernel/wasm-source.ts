// Turning where a kernel comes from — a compiled module, bytes, an HTTP response, a URL — into a
// compiled WebAssembly module, with errors that name the source.
import { host } from "#platform";
import { type Dtype, describeValue } from "../dtype.js";
import { CflowError } from "../errors.js";

const SERVE_HINT = "serve @cflow/core's dist/wasm/*.wasm with the page (bundlers copy them when they see new URL(…, import.meta.url); with the Vite dev server, add @cflow/core to optimizeDeps.exclude), or pass the bytes";

/** Where a kernel comes from: a compiled module, its bytes, an HTTP response, or a URL. */
export type KernelWasmSource = WebAssembly.Module | ArrayBuffer | ArrayBufferView | Response | URL | string;

/** A compiled kernel and the name of where it came from (for errors). */
export interface CompiledKernel {
  module: WebAssembly.Module;
  label: string;
}

/** Compiles bytes read synchronously (Node's first `Kernel.get`). */
export function compileKernelSync(bytes: Uint8Array, source: string): WebAssembly.Module {
  try {
    return new WebAssembly.Module(bytes as BufferSource);
  } catch (err) {
    throw badWasm(source, err);
  }
}

function badWasm(source: string, err: unknown): CflowError {
  return new CflowError("KERNEL_BAD_WASM", `${source} is not a WebAssembly module: ${(err as Error).message}`, {
    path: source,
    expected: "a cflow kernel build (dist/wasm/kernel.<dtype>.wasm of @cflow/core)",
    found: (err as Error).message,
  });
}

/** Compiles a kernel source; `label` names it in errors (a URL, or what the bytes were). */
export async function compileKernel(dtype: Dtype, source: KernelWasmSource): Promise<CompiledKernel> {
  const path = `initKernel: wasm.${dtype}`;
  if (source instanceof WebAssembly.Module) return { module: source, label: `${path} (a WebAssembly.Module)` };
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
    const label = `${path} (${describeValue(source)})`;
    return { module: await compileBytes(source, label), label };
  }
  if (typeof Response !== "undefined" && source instanceof Response) return { module: await compileResponse(source, source.url || path), label: source.url || path };
  if (source instanceof URL || typeof source === "string") {
    const url = toUrl(source, path);
    let content: Uint8Array | Response;
    try {
      content = await host.read(url);
    } catch (err) {
      throw new CflowError("KERNEL_FETCH_FAILED", `${path}: could not read ${url.href}: ${(err as Error).message}`, {
        path,
        expected: "a URL serving the kernel's .wasm",
        found: url.href,
        hint: SERVE_HINT,
      });
    }
    const module = content instanceof Uint8Array ? await compileBytes(content, url.href) : await compileResponse(content, url.href);
    return { module, label: url.href };
  }
  throw new CflowError("KERNEL_BAD_OPTIONS", `${path}: expected a WebAssembly.Module, bytes, a Response or a URL, found ${describeValue(source)}`, {
    path,
    expected: "a WebAssembly.Module, an ArrayBuffer / Uint8Array, a Response, a URL or a URL string",
    found: describeValue(source),
  });
}

function toUrl(source: URL | string, path: string): URL {
  if (source instanceof URL) return source;
  try {
    return new URL(source, (globalThis as { location?: { href: string } }).location?.href);
  } catch {
    throw new CflowError("KERNEL_BAD_OPTIONS", `${path}: ${JSON.stringify(source)} is not a URL`, {
      path,
      expected: "an absolute URL (or, in a page, one relative to it)",
      found: source,
      hint: "in Node, pass pathToFileURL(path) or the file's bytes",
    });
  }
}

async function compileBytes(bytes: ArrayBuffer | ArrayBufferView, label: string): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compile(bytes as BufferSource);
  } catch (err) {
    throw badWasm(label, err);
  }
}

async function compileResponse(response: Response, label: string): Promise<WebAssembly.Module> {
  if (!response.ok) {
    throw new CflowError("KERNEL_FETCH_FAILED", `${label}: HTTP ${response.status} ${response.statusText}`.trimEnd(), {
      path: label,
      expected: "HTTP 200 with the kernel's .wasm",
      found: `HTTP ${response.status}`,
      hint: SERVE_HINT,
    });
  }
  // streaming compilation needs the application/wasm media type; other servers get a buffered compile
  const streaming = typeof WebAssembly.compileStreaming === "function" && (response.headers.get("content-type") ?? "").split(";")[0].trim() === "application/wasm";
  try {
    return streaming ? await WebAssembly.compileStreaming(response) : await WebAssembly.compile(await response.arrayBuffer());
  } catch (err) {
    throw badWasm(label, err);
  }
}
