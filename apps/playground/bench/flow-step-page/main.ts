// The benchmark page: bench/run.ts drives `window.flowStep` through page.evaluate — set up a
// timer per dtype (after initKernel), then ask for the times of a few steps at a time.
import { type Dtype, initKernel } from "@cflow/core";
import { FlowStepTimer } from "../flow-step.js";

const timers = new Map<Dtype, FlowStepTimer>();

const flowStep = {
  async setup(dtype: Dtype): Promise<void> {
    await initKernel({ dtypes: [dtype] });
    timers.get(dtype)?.dispose();
    timers.set(dtype, new FlowStepTimer(dtype));
  },
  time(dtype: Dtype, k: number): number[] {
    const timer = timers.get(dtype);
    if (!timer) throw new Error(`flowStep.time: no timer for ${dtype}; call setup first`);
    return timer.time(k);
  },
};

declare global {
  interface Window {
    flowStep: typeof flowStep;
  }
}

window.flowStep = flowStep;
