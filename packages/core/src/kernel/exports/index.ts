import type { ConvExports } from "./conv.js";
import type { DctExports } from "./dct.js";
import type { FftExports } from "./fft.js";
import type { FlowExports } from "./flow.js";
import type { LossesExports } from "./losses.js";
import type { VecExports } from "./vec.js";

/** Everything the WASM kernel module exports (both dtype builds export the same names). */
export interface KernelExports extends VecExports, FlowExports, LossesExports, FftExports, ConvExports, DctExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  /** Runs `count` plan instructions at `prog` (src/kernel/plan.ts). */
  runPlan(prog: number, count: number): void;
}
