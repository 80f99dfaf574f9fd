import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { type Dtype, type RealArray, bytesPerElement, checkDtype, describeValue } from "../dtype.js";
import { DtypeError, ShapeError } from "../errors.js";
import { Arena, type ArenaStats } from "./arena.js";
import type { KernelExports } from "./exports/index.js";

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

const instances = new Map<Dtype, Kernel>();

/**
 * One instantiated kernel module of one dtype, with its memory and arena. `Kernel.get(dtype)`
 * returns the process-wide instance for the dtype; arrays of a run live in its memory.
 */
export class Kernel {
  readonly exports: KernelExports;
  readonly memory: WebAssembly.Memory;
  readonly arena: Arena;
  readonly bytesPerElement: 4 | 8;
  private readonly realCtor: ViewCtor<RealArray>;

  private constructor(readonly dtype: Dtype) {
    const module = new WebAssembly.Module(readFileSync(kernelPath(dtype)));
    const instance = new WebAssembly.Instance(module, {
      env: {
        abort(_msg: number, _file: number, line: number, col: number) {
          throw new Error(`cflow kernel (${dtype}) aborted at ${line}:${col}`);
        },
      },
    });
    this.exports = instance.exports as unknown as KernelExports;
    this.memory = this.exports.memory;
    this.arena = new Arena(this.memory, this.exports.heapBase());
    this.bytesPerElement = bytesPerElement(dtype);
    this.realCtor = (dtype === "float64" ? Float64Array : Float32Array) as ViewCtor<RealArray>;
  }

  static get(dtype: Dtype): Kernel {
    let k = instances.get(dtype);
    if (!k) {
      if (dtype !== "float32" && dtype !== "float64") throw new DtypeError("Kernel.get", "float32 | float64", String(dtype));
      k = new Kernel(dtype);
      instances.set(dtype, k);
    }
    return k;
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

/** The kernel's .wasm inside the installed @cflow/core package (resolved through its exports map). */
function kernelPath(dtype: Dtype): string {
  const require = createRequire(import.meta.url);
  return require.resolve(`@cflow/core/wasm/kernel.${dtype}.wasm`);
}
