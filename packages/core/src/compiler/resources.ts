import type { Dtype } from "../dtype.js";
import { Kernel, type RealBuf } from "../kernel/kernel.js";
import { CellBank } from "../kernel/plan.js";

/**
 * Everything a compiled flow holds in kernel memory, released together: scratch buffers, the
 * scalar cells terms and plans read, and the ops, transforms and terms the compiler created
 * (user-given Op instances stay the user's and are never registered here).
 */
export class FlowResources {
  readonly kernel: Kernel;
  readonly cells: CellBank;
  private readonly owned: { dispose(): void }[] = [];
  private readonly buffers: RealBuf[] = [];

  constructor(readonly dtype: Dtype) {
    this.kernel = Kernel.get(dtype);
    this.cells = new CellBank(this.kernel);
  }

  /** A kernel buffer of `n` elements, freed with the flow. */
  alloc(n: number): RealBuf {
    const b = this.kernel.alloc(n);
    this.buffers.push(b);
    return b;
  }

  /** A copy of `values` in kernel memory, freed with the flow. */
  from(values: Float64Array | Float32Array, label: string): RealBuf {
    const b = this.kernel.from(values, label);
    this.buffers.push(b);
    return b;
  }

  /** Registers something the flow created and must dispose. */
  own<T extends { dispose(): void }>(thing: T): T {
    this.owned.push(thing);
    return thing;
  }

  /** Releases everything, latest first (terms before the ops and transforms they use). */
  dispose(): void {
    for (const d of this.owned.splice(0).reverse()) d.dispose();
    for (const b of this.buffers.splice(0)) if (!b.isFreed) b.free();
    this.cells.dispose();
  }
}
