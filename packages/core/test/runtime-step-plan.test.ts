// The step plan: its stage programs (for profiling) are the step, split; the line-search term is
// recorded only when the runner searches.
import { describe, expect, it } from "vitest";
import { compileFlow } from "../src/compiler/compile.js";
import { DTYPES, type Dtype } from "../src/dtype.js";
import { rotation } from "../src/runtime/buffers.js";
import { FlowRunner } from "../src/runtime/runner.js";
import { problem1, spec } from "./deconv-problems.js";

describe.each(DTYPES)("step plan (%s)", (dtype: Dtype) => {
  it("running the stage programs in order is one step", () => {
    const p = problem1();
    const { compiled } = compileFlow(spec(p, "accelerated", "function", { flow: { family: "accelerated", restart: "function", lineSearch: "always" } }), { dtype });
    const runner = new FlowRunner(compiled);
    for (let k = 0; k < 5; k++) runner.step();
    // put the state in rotation 0 (where the stage programs work), with some momentum
    const snap = runner.snapshot();
    runner.restore(snap);
    const b = runner.plan.buffers;
    b.beta.value = 0.4;
    const stages = runner.plan.stagePrograms();
    expect(stages.map((s) => s.stage)).toEqual(["dis", "multiForward", "proj", "multiInverse", "observe"]);
    for (const s of stages) s.program.run();
    const cand = b.X[rotation(0).cand].toArray();
    const metrics = Array.from(b.metrics.view);
    const linear = b.linear.value;
    const fx = b.fAtX.map((c) => c.value);
    runner.restore(snap);
    b.beta.value = 0.4;
    runner.plan.programs[0].run();
    expect(Array.from(b.X[rotation(0).cand].toArray())).toEqual(Array.from(cand));
    expect(Array.from(b.metrics.view)).toEqual(metrics);
    expect(b.linear.value).toBe(linear);
    expect(b.fAtX.map((c) => c.value)).toEqual(fx);
    for (const s of stages) s.program.dispose();
    compiled.dispose();
  });

  it("records the line-search inner product only when the line search is on", () => {
    const p = problem1();
    for (const lineSearch of ["never", "always"] as const) {
      const { compiled } = compileFlow(spec(p, "proximal", "none", { flow: { family: "proximal", lineSearch } }), { dtype });
      const runner = new FlowRunner(compiled);
      const b = runner.plan.buffers;
      b.linear.value = 12345;
      runner.step();
      if (lineSearch === "never") expect(b.linear.value).toBe(12345);
      else expect(b.linear.value).not.toBe(12345);
      compiled.dispose();
    }
  });
});
