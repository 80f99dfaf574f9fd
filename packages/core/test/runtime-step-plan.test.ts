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
    b.momentum.value = 0.4;
    const stages = runner.plan.stagePrograms();
    expect(stages.map((s) => s.stage)).toEqual(["dis", "multiForward", "proj", "multiInverse", "observe"]);
    for (const s of stages) s.program.run();
    const cand = b.X[rotation(0).cand].toArray();
    const metrics = Array.from(b.metrics.view);
    const linear = b.linear.value;
    const fx = b.fAtX.map((c) => c.value);
    runner.restore(snap);
    b.momentum.value = 0.4;
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

describe.each(DTYPES)("gradient emission paths (%s)", (dtype: Dtype) => {
  // one smooth term spanning the state writes ∇f straight into g; several accumulate into a zeroed g
  const cases = [
    ["tikhonov alone (written into g)", [{ kind: "regularizer" as const, atom: "tikhonov", weight: 0.7 }]],
    [
      "tikhonov + least squares on the identity (accumulated)",
      [
        { kind: "regularizer" as const, atom: "tikhonov", weight: 0.7 },
        { kind: "data" as const, atom: "leastSquares", target: "b" as const, weight: 0.3 },
      ],
    ],
  ] as const;
  it.each(cases)("%s: one proximal-gradient step by hand", (_name, smooth) => {
    const n = 9;
    const x0 = Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    const b = Array.from({ length: n }, (_, i) => Math.cos(2 * i));
    const lam = 0.05;
    const { compiled } = compileFlow(
      {
        dtype,
        state: { x: { shape: [n], init: x0 } },
        data: { b: dtype === "float64" ? Float64Array.from(b) : Float32Array.from(b) },
        terms: [...smooth, { kind: "regularizer" as const, atom: "l1", weight: lam }],
        policies: { flow: { family: "proximal", lineSearch: "never" } },
      },
      { dtype },
    );
    const runner = new FlowRunner(compiled);
    const alpha = 0.4;
    runner.setDials({ alpha: alpha });
    const m = runner.step();
    const ls = smooth.length > 1;
    const grad = x0.map((v, i) => 0.7 * v + (ls ? 0.3 * (v - b[i]) : 0));
    const want = x0.map((v, i) => {
      const z = v - alpha * grad[i];
      return Math.sign(z) * Math.max(Math.abs(z) - alpha * lam, 0);
    });
    const got = runner.state;
    for (let i = 0; i < n; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(dtype === "float64" ? 1e-15 : 1e-6);
    const f = 0.35 * want.reduce((s, v) => s + v * v, 0) + (ls ? 0.15 * want.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) : 0);
    const g = lam * want.reduce((s, v) => s + Math.abs(v), 0);
    expect(Math.abs(m.E - (f + g))).toBeLessThan(dtype === "float64" ? 1e-14 : 1e-6);
    compiled.dispose();
  });
});
