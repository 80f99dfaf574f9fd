import { host } from "#platform";
import { DTYPES, type Dtype, type RealArray, bytesPerElement, checkDtype, describeValue, isDtype } from "../dtype.js";
import { CflowError, DtypeError, ShapeError } from "../errors.js";
import { Arena, type ArenaStats } from "./arena.js";
import type { KernelExports } from "./exports/index.js";
import { type KernelWasmSource, compileKernel, compileKernelSync } from "./wasm-source.js";

type ViewCtor<V> = { new (buffer: ArrayBuffer, byteOffset: number, length: number): V; BYTES_PER_ELEMENT: number };

/**
 * A block of the kernel's linear memory seen as a typed array. `view` stays valid across memory
 * growth: it is re-created whenever the memory's ArrayBuffer has been replaced.
 */
export class Buf<V extends Float64Array | Float32Array | Int32Array = RealArray> {
  private cached: V;
  private released = false;

  constructor(
    readonly kernel: Kernel,
    readonly ptr: number,
    readonly length: number,
    private readonly ctor: ViewCtor<V>,
    /** Set for views made by `sub`: they share the parent's memory and are not freed themselves. */
    readonly parent: Buf<V> | null = null,
  ) {
    this.cached = new ctor(kernel.memory.buffer as ArrayBuffer, ptr, length);
  }

  /** Elements [offset, offset + length) as a buffer sharing this one's memory (e.g. a state slot). */
  sub(offset: number, length: number): Buf<V> {
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > this.length) {
      throw new ShapeError("Buf.sub", `a range inside [0, ${this.length})`, `[${offset}, ${offset + length})`);
    }
    return new Buf(this.kernel, this.ptr + offset * this.ctor.BYTES_PER_ELEMENT, length, this.ctor, this);
  }

  get view(): V {
    if (this.isFreed) throw new Error(`Buf at ${this.ptr} used after free`);
    const buffer = this.kernel.memory.buffer as ArrayBuffer;
    if (this.cached.buffer !== buffer) this.cached = new this.ctor(buffer, this.ptr, this.length);
    return this.cached;
  }

  get byteLength(): number {
    return this.length * this.ctor.BYTES_PER_ELEMENT;
  }

  /** Copies `src` in (one bulk copy). */
  set(src: ArrayLike<number>, operation = "Buf.set"): this {
    if (src.length !== this.length) throw new ShapeError(operation, this.length, src.length);
    if (ArrayBuffer.isView(src) && !(src instanceof this.ctor)) {
      throw new DtypeError(operation, this.ctor.name, describeValue(src));
    }
    this.view.set(src as ArrayLike<number>);
    return this;
  }

  /** A copy of the contents on the JS heap. */
  toArray(): V {
    return this.view.slice() as V;
  }

  free(): void {
    if (this.parent) throw new Error(`Buf at ${this.ptr} is a view of another buffer; free the parent`);
    if (this.released) throw new Error(`Buf at ${this.ptr} freed twice`);
    this.kernel.arena.release(this.ptr);
    this.released = true;
  }

  get isFreed(): boolean {
    return this.released || (this.parent !== null && this.parent.isFreed);
  }
}

export type RealBuf = Buf<RealArray>;
export type F64Buf = Buf<Float64Array>;
export type I32Buf = Buf<Int32Array>;

/** One instruction a plan can record: a kernel function, its opcode and argument kinds. */
export interface KernelOpcode {
  name: string;
  opcode: number;
  args: ("i32" | "ptr" | "f64")[];
  returns: "void" | "f64";
}

/** The custom section scripts/build-kernel.mjs writes into every kernel build: `{ dtype, opcodes }` as JSON. */
const MANIFEST_SECTION = "cflow.kernel";

const instances = new Map<Dtype, Kernel>();
const loading = new Map<Dtype, Promise<Kernel>>();
let instantiate: (dtype: Dtype, module: WebAssembly.Module, source: string) => Promise<Kernel>;

/**
 * One instantiated kernel module of one dtype, with its memory and arena. `Kernel.get(dtype)`
 * returns the process-wide instance for the dtype; arrays of a run live in its memory. In Node the
 * first `Kernel.get` loads the shipped .wasm synchronously; in a browser `await initKernel()` once
 * before first use.
 */
export class Kernel {
  readonly exports: KernelExports;
  readonly memory: WebAssembly.Memory;
  readonly arena: Arena;
  readonly bytesPerElement: 4 | 8;
  /** The plan instructions this build understands, by kernel function name. */
  readonly opcodes: ReadonlyMap<string, KernelOpcode>;
  private readonly realCtor: ViewCtor<RealArray>;

  private constructor(
    readonly dtype: Dtype,
    module: WebAssembly.Module,
    instance: WebAssembly.Instance,
    source: string,
  ) {
    this.opcodes = readManifest(module, dtype, source);
    this.exports = instance.exports as unknown as KernelExports;
    this.memory = this.exports.memory;
    this.arena = new Arena(this.memory, this.exports.heapBase());
    this.bytesPerElement = bytesPerElement(dtype);
    this.realCtor = (dtype === "float64" ? Float64Array : Float32Array) as ViewCtor<RealArray>;
  }

  static get(dtype: Dtype): Kernel {
    let k = instances.get(dtype);
    if (!k) {
      checkKernelDtype("Kernel.get", dtype);
      const bytes = host.kernelWasmSync(dtype);
      if (!bytes) {
        throw new CflowError("KERNEL_NOT_LOADED", `Kernel.get: the ${dtype} kernel is not loaded — in a browser, \`await initKernel()\` once before using cflow`, {
          path: "Kernel.get",
          expected: `the ${dtype} kernel loaded by initKernel()`,
          found: loading.has(dtype) ? `initKernel() still loading ${dtype}` : `no ${dtype} kernel`,
          hint: "import { initKernel } from \"@cflow/core\"; await initKernel(); — it fetches dist/wasm/kernel.<dtype>.wasm beside the module, or pass { wasm: { float64: url | bytes } }",
        });
      }
      const source = host.kernelWasmUrl(dtype).href;
      const module = compileKernelSync(bytes, source);
      k = new Kernel(dtype, module, new WebAssembly.Instance(module, kernelImports(dtype)), source);
      instances.set(dtype, k);
    }
    return k;
  }

  static {
    // initKernel's asynchronous path (below) builds kernels through the private constructor
    instantiate = async (dtype, module, source) => new Kernel(dtype, module, await WebAssembly.instantiate(module, kernelImports(dtype)), source);
  }

  /** A zeroed array of `length` reals of the kernel's dtype. */
  alloc(length: number): RealBuf {
    return new Buf(this, this.arena.alloc(length * this.bytesPerElement), length, this.realCtor);
  }

  /** A zeroed array of `length` float64 values (parameters, accumulators), whatever the dtype. */
  allocF64(length: number): F64Buf {
    return new Buf(this, this.arena.alloc(length * 8), length, Float64Array);
  }

  /** A zeroed array of `length` int32 values (indices). */
  allocI32(length: number): I32Buf {
    return new Buf(this, this.arena.alloc(length * 4), length, Int32Array);
  }

  /** Allocates a real buffer holding a copy of `src` (dtype-checked). */
  from(src: RealArray, operation = "Kernel.from"): RealBuf {
    checkDtype(operation, this.dtype, src);
    return this.alloc(src.length).set(src, operation);
  }

  stats(): ArenaStats {
    return this.arena.stats();
  }
}

/** What the kernel imports: AssemblyScript's abort, raised as an error naming the dtype. */
function kernelImports(dtype: Dtype): WebAssembly.Imports {
  return {
    env: {
      abort(_msg: number, _file: number, line: number, col: number) {
        throw new Error(`cflow kernel (${dtype}) aborted at ${line}:${col}`);
      },
    },
  };
}

function checkKernelDtype(path: string, dtype: unknown): asserts dtype is Dtype {
  if (!isDtype(dtype)) throw new DtypeError(path, "float32 | float64", String(dtype));
}

/** The opcode table of a kernel build, after checking the build is cflow's and of the dtype asked for. */
function readManifest(module: WebAssembly.Module, dtype: Dtype, source: string): Map<string, KernelOpcode> {
  const sections = WebAssembly.Module.customSections(module, MANIFEST_SECTION);
  if (sections.length !== 1) {
    throw new CflowError("KERNEL_BAD_WASM", `${source} is not a cflow kernel: it has no "${MANIFEST_SECTION}" section`, {
      path: source,
      expected: `a cflow kernel build with one "${MANIFEST_SECTION}" custom section (dist/wasm/kernel.${dtype}.wasm of @cflow/core)`,
      found: `${sections.length} "${MANIFEST_SECTION}" sections`,
    });
  }
  const manifest = JSON.parse(new TextDecoder().decode(sections[0])) as { dtype: string; opcodes: KernelOpcode[] };
  if (manifest.dtype !== dtype) {
    throw new DtypeError(`kernel ${source}`, dtype, `the ${manifest.dtype} build`, "pass kernel.<dtype>.wasm of the dtype it is given for");
  }
  return new Map(manifest.opcodes.map((o) => [o.name, o]));
}

export interface KernelInitOptions {
  /**
   * Per dtype, where its kernel comes from; default: the .wasm files shipped in @cflow/core
   * (`dist/wasm/kernel.<dtype>.wasm`, found through `import.meta.url`). A string is a URL,
   * resolved against the page in browsers.
   */
  wasm?: Partial<Record<Dtype, KernelWasmSource>>;
  /** The dtypes to load; default: those of `wasm` when given, else both. */
  dtypes?: readonly Dtype[];
}

/**
 * Loads and instantiates the kernel of each dtype, asynchronously (`fetch` +
 * `WebAssembly.compileStreaming` in browsers). Await it once before using cflow in a browser or a
 * Web Worker; in Node it is optional — `Kernel.get` loads the shipped kernel on first use.
 * Calling it again is a no-op for a dtype already loaded (an explicit `wasm` source for it is an
 * error: the arrays of the loaded kernel live in its memory).
 */
export async function initKernel(options: KernelInitOptions = {}): Promise<void> {
  const wasm = options.wasm ?? {};
  for (const key of Object.keys(wasm)) checkKernelDtype(`initKernel: wasm.${key}`, key);
  const dtypes = options.dtypes ?? (options.wasm ? (Object.keys(wasm) as Dtype[]) : DTYPES);
  for (const [i, dtype] of dtypes.entries()) checkKernelDtype(`initKernel: dtypes[${i}]`, dtype);
  for (const key of Object.keys(wasm)) {
    if (!dtypes.includes(key as Dtype)) {
      throw new CflowError("KERNEL_BAD_OPTIONS", `initKernel: wasm.${key} is given but dtypes does not include ${key}`, { path: `initKernel: wasm.${key}`, expected: `dtypes including ${key}`, found: JSON.stringify(dtypes) });
    }
  }
  await Promise.all(dtypes.map((dtype) => load(dtype, wasm[dtype])));
}

async function load(dtype: Dtype, source: KernelWasmSource | undefined): Promise<void> {
  if (source !== undefined && (instances.has(dtype) || loading.has(dtype))) {
    throw new CflowError("KERNEL_ALREADY_LOADED", `initKernel: the ${dtype} kernel is already ${instances.has(dtype) ? "loaded" : "loading"}; a second one cannot replace it`, {
      path: `initKernel: wasm.${dtype}`,
      expected: `initKernel({ wasm: { ${dtype} } }) before the ${dtype} kernel's first use`,
      found: `a ${dtype} kernel ${instances.has(dtype) ? "in use" : "loading"}`,
    });
  }
  if (instances.has(dtype)) return;
  let pending = loading.get(dtype);
  if (!pending) {
    pending = compileKernel(dtype, source ?? host.kernelWasmUrl(dtype)).then(({ module, label }) => instantiate(dtype, module, label));
    loading.set(dtype, pending);
  }
  try {
    const kernel = await pending;
    // a synchronous Kernel.get (Node) may have loaded the shipped kernel meanwhile: keep the one in use
    if (!instances.has(dtype)) instances.set(dtype, kernel);
  } finally {
    if (loading.get(dtype) === pending) loading.delete(dtype);
  }
}
