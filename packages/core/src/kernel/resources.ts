import type { Buf } from "./kernel.js";
import type { Kernel } from "./kernel.js";
import { type PlanBuilder, ProgramCache } from "./plan.js";

/** Anything holding kernel memory that must be released once. */
export interface Releasable {
  free(): void;
  readonly isFreed: boolean;
}

/**
 * The kernel memory one object owns — the buffers it allocated and the small programs it recorded —
 * released together by `dispose`. Ops, transforms, atoms and step buffers hold one instead of
 * each keeping its own list.
 */
export class KernelResources {
  private readonly programs: ProgramCache;
  private readonly owned: Releasable[] = [];

  constructor(readonly kernel: Kernel) {
    this.programs = new ProgramCache(kernel);
  }

  /** Takes ownership of `b` (freed by dispose) and returns it. */
  own<B extends Releasable>(b: B): B {
    this.owned.push(b);
    return b;
  }

  /** Runs the program `record` builds for (name, buffers), recording it the first time. */
  run(name: string, bufs: readonly Buf<Float64Array | Float32Array | Int32Array>[], record: (p: PlanBuilder) => void): void {
    this.programs.run(name, bufs, record);
  }

  dispose(): void {
    this.programs.dispose();
    for (const b of this.owned) if (!b.isFreed) b.free();
    this.owned.length = 0;
  }
}
