import type { ConjugateExports } from "./conjugate.js";
import type { ConvExports } from "./conv.js";
import type { DctExports } from "./dct.js";
import type { DiffExports } from "./diff.js";
import type { DropNegligibleExports } from "./drop-negligible.js";
import type { DwtExports } from "./dwt.js";
import type { FftExports } from "./fft.js";
import type { FidelityExports } from "./fidelity.js";
import type { FlowExports } from "./flow.js";
import type { GatherExports } from "./gather.js";
import type { IncompleteCholeskyExports } from "./incomplete-cholesky.js";
import type { KrylovExports } from "./krylov.js";
import type { LinalgExports } from "./linalg.js";
import type { LossesExports } from "./losses.js";
import type { ProxExports } from "./prox.js";
import type { SparseExports } from "./sparse.js";
import type { StencilExports } from "./stencil.js";
import type { SwtExports } from "./swt.js";
import type { TilesExports } from "./tiles.js";
import type { TvExports } from "./tv.js";
import type { VecExports } from "./vec.js";

/** Everything the WASM kernel module exports (both dtype builds export the same names). */
export interface KernelExports
  extends VecExports,
    FlowExports,
    LossesExports,
    LinalgExports,
    GatherExports,
    ProxExports,
    ConjugateExports,
    FidelityExports,
    DiffExports,
    TvExports,
    DwtExports,
    StencilExports,
    SparseExports,
    IncompleteCholeskyExports,
    DropNegligibleExports,
    KrylovExports,
    SwtExports,
    TilesExports,
    FftExports,
    ConvExports,
    DctExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  /** Runs `count` plan instructions at `prog` (src/kernel/plan.ts). */
  runPlan(prog: number, count: number): void;
}
