// The JavaScript slow path: a user-written operator with only apply/adjoint (here the circular
// blur of reference problem 1, written in plain loops) runs as JavaScript steps between kernel
// segments and gives the same iterates as the built-in conv1d op.
import { describe, expect, it } from "vitest";
import { compileFlow } from "../src/compiler/compile.js";
import { DTYPES, type Dtype, type RealArray } from "../src/dtype.js";
import { FlowRunner } from "../src/runtime/runner.js";
import { defineFlow } from "../src/spec/define.js";
import { objective, problem1, solve, spec as builtinSpec } from "./deconv-problems.js";
import { circularConv } from "./reference-solvers.js";

const p = problem1();
const { fStar } = solve(p);

/** The blur as a user would write it: apply/adjoint on arrays, nothing else. */
function userBlur(dtype: Dtype) {
  const n = p.y.length;
  const flipped = Float64Array.from(p.taps).reverse();
  const make = () => (dtype === "float64" ? new Float64Array(n) : new Float32Array(n));
  let applies = 0;
  return {
    op: {
      kind: "user-blur",
      dtype,
      inShape: [n],
      outShape: [n],
      apply(x: RealArray, out?: RealArray) {
        applies++;
        const y = out ?? make();
        y.set(circularConv(x, p.taps));
        return y;
      },
      adjoint(y: RealArray, out?: RealArray) {
        const x = out ?? make();
        // correlation = convolution with the flipped kernel (odd length: same centre)
        x.set(circularConv(y, flipped));
        return x;
      },
    },
    applies: () => applies,
  };
}

function userSpec(op: ReturnType<typeof userBlur>["op"]) {
  return defineFlow(({ dtype }) => {
    const conv = (a: ArrayLike<number>) => (dtype === "float64" ? Float64Array.from(a) : Float32Array.from(a));
    return {
      dtype,
      state: { x: { shape: p.shape } },
      data: { y: conv(p.y) },
      ops: { K: op },
      transforms: { W: { name: "db4", levels: p.levels } },
      terms: [
        { kind: "data" as const, atom: "leastSquares", op: "K", target: "y" },
        { kind: "regularizer" as const, atom: "tikhonov", weight: p.mu },
        { kind: "regularizer" as const, atom: "waveletL1", transform: "W", weight: p.lambda },
      ],
      policies: { flow: { family: "accelerated", restart: "function", lineSearch: "never" } },
    };
  });
}

describe.each(DTYPES)("a user-written op (%s)", (dtype: Dtype) => {
  it("runs as JS steps between kernel segments, one apply per step, and matches the built-in op step for step", () => {
    const user = userBlur(dtype);
    const { compiled: cu } = compileFlow(userSpec(user.op), { dtype });
    const { compiled: cb } = compileFlow(builtinSpec(p, "accelerated", "function", { flow: { family: "accelerated", restart: "function", lineSearch: "never" } }), { dtype });
    // no norm hint: β by power iteration, an estimate of the built-in's exact max|k̂|²
    expect(cu.lipschitzMethod).toBe("power-iteration");
    expect(cb.lipschitzMethod).toBe("analytic");
    expect(Math.abs(cu.lipschitz / cb.lipschitz - 1)).toBeLessThan(0.02);
    const ru = new FlowRunner(cu);
    const rb = new FlowRunner(cb);
    expect(rb.plan.kernelCalls).toBe(1);
    expect(rb.plan.programs[0].jsSteps).toBe(0);
    expect(ru.plan.programs[0].jsSteps).toBe(2);
    expect(ru.plan.kernelCalls).toBe(3);
    // the same step size, so the two runs take the same steps
    ru.setDials({ alpha: rb.dials.alpha });
    const before = user.applies();
    const tol = dtype === "float64" ? 1e-12 : 1e-4;
    let restarts = 0;
    for (let k = 0; k < 60; k++) {
      const mu = ru.step();
      const mb = rb.step();
      expect(Math.abs(mu.E - mb.E) / mb.E).toBeLessThan(tol);
      expect(mu.restarted).toBe(mb.restarted);
      if (mu.restarted) restarts++;
    }
    // one apply per candidate: a function restart recomputes its candidate without momentum
    expect(restarts).toBeGreaterThan(0);
    expect(user.applies() - before).toBe(60 + restarts);
    const xu = ru.state;
    const xb = rb.state;
    let d = 0;
    let s = 0;
    for (let i = 0; i < xu.length; i++) {
      d = Math.max(d, Math.abs(xu[i] - xb[i]));
      s = Math.max(s, Math.abs(xb[i]));
    }
    expect(d / s).toBeLessThan(dtype === "float64" ? 1e-12 : 1e-4);
    cu.dispose();
    cb.dispose();
  });

  it("reaches the same minimiser as the independent solver", () => {
    const user = userBlur(dtype);
    const { compiled } = compileFlow(userSpec(user.op), { dtype });
    const runner = new FlowRunner(compiled);
    for (let k = 0; k < 1500; k++) runner.step();
    expect(Math.abs(objective(p, runner.state) - fStar) / fStar).toBeLessThan(dtype === "float64" ? 1e-9 : 2e-6);
    compiled.dispose();
  });
});
