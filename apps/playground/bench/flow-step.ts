// Reference problem 2 (512×512 circular Gaussian deblurring, σ = 2, db4 × 4, λ = 2e-3, FISTA with
// function restart — packages/core/bench/flow.bench.ts) as a stepping runner whose steps are
// timed one by one: the same module runs in Node (bench/run.ts) and in Chromium (the bench page).
import { type Dtype, FlowRunner, compileFlow } from "@cflow/core";
import { REFERENCE_2D, deconvolution } from "@cflow/integration/deconvolution";

const WARMUP_STEPS = 10;

export class FlowStepTimer {
  private readonly compiled;
  private readonly runner: FlowRunner;

  constructor(readonly dtype: Dtype) {
    const def = deconvolution({ ...REFERENCE_2D, policies: { flow: { family: "accelerated", restart: "function" } } });
    this.compiled = compileFlow(def, { dtype, seed: 1 }).compiled;
    this.runner = new FlowRunner(this.compiled);
    for (let k = 0; k < WARMUP_STEPS; k++) this.runner.step();
  }

  /** Milliseconds of each of `k` steps. */
  time(k: number): number[] {
    const ms: number[] = [];
    for (let i = 0; i < k; i++) {
      const t = performance.now();
      this.runner.step();
      ms.push(performance.now() - t);
    }
    return ms;
  }

  dispose(): void {
    this.runner.dispose();
    this.compiled.dispose();
  }
}
