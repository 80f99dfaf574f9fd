// FlowRunner.forwardMap: the certificates' forward step at the current state — z = x − α∇f(x) with
// ∇f from the smooth terms' cached images of x, and prox_{αg}(W z), in kernel buffers — has
// the bits of the array route (x − α·fGrad(x) in f64 stored in the dtype, W.forward, gProx) after
// steps with momentum, after a restore, and after another runner of the flow used the caches; and
// it applies each term's op one time fewer than fGrad.
import { describe, expect, it } from "vitest";
import { compileFlow } from "../src/compiler/compile.js";
import { DTYPES, type Dtype, type RealArray, zeros } from "../src/dtype.js";
import { FlowRunner } from "../src/runtime/runner.js";
import { defineFlow } from "../src/spec/define.js";
import { problem1, spec } from "./deconv-problems.js";
import { circularConv } from "./reference-solvers.js";

const p = problem1();

function sameBits(a: RealArray, b: RealArray): void {
  expect(a.length).toBe(b.length);
  const ua = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const ub = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  expect(Buffer.compare(ua, ub)).toBe(0);
}

/** Problem 1's blur as a user-written op (apply/adjoint only), counting its applications. */
function countedBlur(dtype: Dtype) {
  const n = p.y.length;
  const flipped = Float64Array.from(p.taps).reverse();
  let applies = 0;
  return {
    op: {
      kind: "counted-blur",
      dtype,
      inShape: [n],
      outShape: [n],
      apply(x: RealArray, out?: RealArray) {
        applies++;
        const y = out ?? zeros(dtype, n);
        y.set(circularConv(x, p.taps));
        return y;
      },
      adjoint(y: RealArray, out?: RealArray) {
        const x = out ?? zeros(dtype, n);
        x.set(circularConv(y, flipped));
        return x;
      },
    },
    applies: () => applies,
  };
}

/** Every loss of the linear-loss atoms through one op: squared with a target, weighted, Huber, and Tikhonov without an op. */
function lossesSpec(op: ReturnType<typeof countedBlur>["op"], atom: "leastSquares" | "weightedLeastSquares" | "huber") {
  return defineFlow(({ dtype }) => {
    const conv = (a: ArrayLike<number>) => (dtype === "float64" ? Float64Array.from(a) : Float32Array.from(a));
    const params: Record<string, string | number> | undefined = atom === "huber" ? { delta: 0.05 } : atom === "weightedLeastSquares" ? { weights: "w" } : undefined;
    return {
      dtype,
      state: { x: { shape: p.shape } },
      data: { y: conv(p.y), w: conv(Array.from(p.y, (_, i) => 0.5 + (i % 3) / 4)) },
      ops: { K: op },
      transforms: { W: { name: "db4", levels: p.levels } },
      terms: [
        { kind: "data" as const, atom, op: "K", target: "y", ...(params ? { params } : {}) },
        { kind: "regularizer" as const, atom: "tikhonov", weight: p.mu },
        { kind: "regularizer" as const, atom: "waveletL1", transform: "W", weight: p.lambda },
      ],
      policies: { flow: { family: "accelerated", restart: "function", lineSearch: "never" } },
    };
  });
}

/** What forwardMap computes, on arrays: z = x − α·fGrad(x) (f64, stored in the dtype), W z, gProx(W z, α). */
function arrayRoute(compiled: ReturnType<typeof compileFlow>["compiled"], x: RealArray, alpha: number) {
  const g = compiled.fGrad(x);
  const z = zeros(compiled.dtype, x.length);
  for (let i = 0; i < x.length; i++) z[i] = x[i] - alpha * g[i];
  const wz = compiled.W!.forward(z);
  return { z, wz, next: compiled.gProx(wz, alpha) };
}

describe.each(DTYPES)("FlowRunner.forwardMap (%s)", (dtype: Dtype) => {
  it("has the array route's bits at the state, after momentum steps, a restore and another runner's steps", () => {
    const { compiled } = compileFlow(spec(p, "accelerated", "function"), { dtype });
    const runner = new FlowRunner(compiled);
    const check = () => {
      const alpha = runner.dials.alpha * 0.9;
      const got = runner.forwardMap(alpha);
      const want = arrayRoute(compiled, runner.state, alpha);
      sameBits(got.z.toArray(), want.z);
      sameBits(got.next.toArray(), want.next);
      expect(want.next.some((v) => v === 0) && want.next.some((v) => v !== 0)).toBe(true);
    };
    check(); // the loaded initial state
    for (let k = 0; k < 7; k++) runner.step();
    check();
    const snap = runner.snapshot();
    for (let k = 0; k < 3; k++) runner.step();
    check();
    runner.restore(snap);
    check();
    // another runner of the flow writes its own images into the terms' caches
    const other = new FlowRunner(compiled);
    for (let k = 0; k < 4; k++) other.step();
    check();
    runner.step();
    check();
    compiled.dispose();
  });

  it("on a redundant transform (W-space larger than the state) too", () => {
    const redundant = defineFlow(({ dtype: dt }) => {
      const conv = (a: ArrayLike<number>) => (dt === "float64" ? Float64Array.from(a) : Float32Array.from(a));
      return {
        dtype: dt,
        state: { x: { shape: p.shape } },
        data: { y: conv(p.y), k: conv(p.taps) },
        ops: { K: { type: "conv1d", shape: p.shape, kernel: "k", boundary: "circular" } },
        transforms: { W: { name: "swtDb2", levels: 2 } },
        terms: [
          { kind: "data" as const, atom: "leastSquares", op: "K", target: "y" },
          { kind: "regularizer" as const, atom: "waveletL1", transform: "W", weight: p.lambda },
        ],
        policies: { flow: { family: "proximal", lineSearch: "never" } },
      };
    });
    const { compiled } = compileFlow(redundant, { dtype });
    expect(compiled.coeffSize).toBeGreaterThan(compiled.n);
    const runner = new FlowRunner(compiled);
    for (let k = 0; k < 4; k++) runner.step();
    const alpha = runner.dials.alpha;
    const got = runner.forwardMap(alpha);
    const g = compiled.fGrad(runner.state);
    const z = zeros(dtype, compiled.n);
    for (let i = 0; i < z.length; i++) z[i] = runner.state[i] - alpha * g[i];
    sameBits(got.z.toArray(), z);
    sameBits(got.next.toArray(), compiled.gProx(compiled.W!.forward(z), alpha));
    compiled.dispose();
  });

  it("leaves the run as it was: steps after it take the same states as a run without it", () => {
    const { compiled: a } = compileFlow(spec(p, "accelerated", "function", { flow: { family: "accelerated", restart: "function", lineSearch: "always" } }), { dtype });
    const { compiled: b } = compileFlow(spec(p, "accelerated", "function", { flow: { family: "accelerated", restart: "function", lineSearch: "always" } }), { dtype });
    const ra = new FlowRunner(a);
    const rb = new FlowRunner(b);
    for (let k = 0; k < 12; k++) {
      ra.forwardMap(ra.dials.alpha * (k % 2 ? 1 : 0.5));
      const ma = ra.step();
      const mb = rb.step();
      expect(ma.E).toBe(mb.E);
      sameBits(ra.state, rb.state);
      sameBits(ra.coefficients(), rb.coefficients());
    }
    a.dispose();
    b.dispose();
  });

  it.each(["leastSquares", "weightedLeastSquares", "huber"] as const)("%s: the same bits with one application of the op fewer than fGrad", (atom) => {
    const blur = countedBlur(dtype);
    const { compiled } = compileFlow(lossesSpec(blur.op, atom), { dtype });
    const runner = new FlowRunner(compiled);
    for (let k = 0; k < 6; k++) runner.step();
    const alpha = runner.dials.alpha;
    const before = blur.applies();
    const got = runner.forwardMap(alpha).next.toArray();
    expect(blur.applies()).toBe(before);
    const want = arrayRoute(compiled, runner.state, alpha);
    expect(blur.applies()).toBe(before + 1);
    sameBits(got, want.next);
    expect(want.z.some((v, i) => v !== runner.state[i])).toBe(true);
    compiled.dispose();
  });
});
