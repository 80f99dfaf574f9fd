export { Kernel, Buf, initKernel, type KernelInitOptions, type KernelOpcode, type RealBuf, type F64Buf, type I32Buf } from "./kernel.js";
export type { KernelWasmSource } from "./wasm-source.js";
export type { ArenaStats } from "./arena.js";
export type { KernelExports } from "./exports/index.js";
export * as reference from "./reference/index.js";
export { Cell, CellBank, Plan, PlanBuilder, Program, ProgramCache, type PlanArg, type PlanFn } from "./plan.js";
export { KernelResources, type Releasable } from "./resources.js";
export { RealFft, isPowerOfTwo, nextPowerOfTwo } from "./realfft.js";
