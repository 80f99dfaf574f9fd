// The runner owns its dials (α, λ, λ_j): they are part of its snapshot, set through `setDials`
// only, and two runners of one compiled flow never see each other's — the term state they share
// (λ cells, image caches) is claimed by whichever runner runs next. The step-size rules are the
// family's.
import { describe, expect, it } from "vitest";
import { compileFlow } from "../src/compiler/compile.js";
import { DTYPES, type Dtype, type RealArray } from "../src/dtype.js";
import { acceleratedFamily, hamiltonianDampedFamily, proximalFamily } from "../src/runtime/families.js";
import { FlowRunner } from "../src/runtime/runner.js";
import { DEFAULTS } from "../src/spec/defaults.js";
import { problem1, spec } from "./deconv-problems.js";

const p = problem1();

function bits(a: RealArray): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("hex");
}

/** `iters` steps of a runner on a fresh compilation of problem 1 with the given dials. */
function alone(dtype: Dtype, dials: { lambda?: number; lambdaJ?: number[]; alpha?: number }, iters: number): { x: RealArray; energies: number[] } {
  const { compiled } = compileFlow(spec(p, "accelerated", "function"), { dtype });
  const r = new FlowRunner(compiled);
  r.setDials(dials);
  const energies: number[] = [];
  for (let k = 0; k < iters; k++) energies.push(r.step().E);
  const x = r.state;
  r.dispose();
  compiled.dispose();
  return { x, energies };
}

describe.each(DTYPES)("runner dials (%s)", (dtype) => {
  it("two runners of one compiled flow with different λ and λ_j: each steps as if alone", () => {
    const a = { lambda: 0.05, lambdaJ: [1, 2, 4] };
    const b = { lambda: 0.4, lambdaJ: [2, 1, 1], alpha: 0.5 / 1.6 };
    const refA = alone(dtype, a, 40);
    const refB = alone(dtype, b, 40);
    const { compiled } = compileFlow(spec(p, "accelerated", "function"), { dtype });
    const ra = new FlowRunner(compiled);
    const rb = new FlowRunner(compiled);
    ra.setDials(a);
    rb.setDials(b);
    const ea: number[] = [];
    const eb: number[] = [];
    // interleaved: every step of one runs right after a step of the other
    for (let k = 0; k < 40; k++) {
      ea.push(ra.step().E);
      eb.push(rb.step().E);
    }
    expect(ea).toEqual(refA.energies);
    expect(eb).toEqual(refB.energies);
    expect(bits(ra.state)).toBe(bits(refA.x));
    expect(bits(rb.state)).toBe(bits(refB.x));
    // the dials are each runner's own, and part of its snapshot
    expect(ra.dials).toEqual({ alpha: ra.snapshot().alpha, lambda: 0.05, lambdaJ: [1, 2, 4] });
    expect(rb.snapshot()).toMatchObject({ lambda: 0.4, lambdaJ: [2, 1, 1], alpha: b.alpha });
    // a runner created later starts from the spec's dials, not from what the others set
    const rc = new FlowRunner(compiled);
    expect(rc.dials.lambda).toBe(p.lambda);
    expect(rc.dials.lambdaJ).toEqual([1, 1, 1]);
    for (const r of [ra, rb, rc]) r.dispose();
    compiled.dispose();
  });

  it("a restored snapshot brings its dials back, and the energy it reports is of those dials", () => {
    const { compiled } = compileFlow(spec(p, "accelerated", "function"), { dtype });
    const r = new FlowRunner(compiled);
    r.setDials({ lambda: 0.2 });
    for (let k = 0; k < 5; k++) r.step();
    const snap = r.snapshot();
    const other = new FlowRunner(compiled);
    other.setDials({ lambda: 3 });
    other.step();
    r.setDials({ lambda: 0.9, lambdaJ: [1, 1, 2] });
    r.restore(snap);
    expect(r.dials).toEqual({ alpha: snap.alpha, lambda: 0.2, lambdaJ: snap.lambdaJ });
    // the next step is the one the snapshot would have taken, whatever `other` left in the term
    const next = r.step().E;
    const again = new FlowRunner(compiled);
    again.restore(snap);
    expect(again.step().E).toBe(next);
    for (const x of [r, other, again]) x.dispose();
    compiled.dispose();
  });

  it("refuses dials that are not a step or a weight", () => {
    const { compiled } = compileFlow(spec(p, "accelerated", "function"), { dtype });
    const r = new FlowRunner(compiled);
    expect(() => r.setDials({ alpha: 0 })).toThrow(/step size must be a finite number > 0, found 0/);
    expect(() => r.setDials({ lambda: -1 })).toThrow(/the weight λ must be a finite number ≥ 0, found -1/);
    expect(() => r.setDials({ lambdaJ: [1, 2] })).toThrow(/one weight per detail level expected/);
    r.dispose();
    compiled.dispose();
  });
});

describe("step-size rules belong to the family", () => {
  const policy = { ...DEFAULTS.flow, stepScale: 0.8 };
  it("forward–backward families: α = stepScale/L, allowed below 2/L", () => {
    for (const f of [proximalFamily, acceleratedFamily]) {
      expect(f.stepSize({ lipschitz: 4, policy })).toBe(0.2);
      expect(f.alphaMax({ lipschitz: 4, policy })).toBe(0.5);
      // no smooth part: any step
      expect(f.stepSize({ lipschitz: 0, policy })).toBe(1);
      expect(f.alphaMax({ lipschitz: 0, policy })).toBe(Number.POSITIVE_INFINITY);
    }
  });

  it("the damped Hamiltonian: Δt = 0.5/√L unless the policy sets dt, stable below 2/√L", () => {
    const f = hamiltonianDampedFamily;
    expect(f.stepSize({ lipschitz: 16, policy })).toBe(0.125);
    expect(f.stepSize({ lipschitz: 16, policy: { ...policy, dt: 0.01 } })).toBe(0.01);
    expect(f.alphaMax({ lipschitz: 16, policy })).toBe(0.5);
  });

  it("the runner starts from the family's step size and the compile report shows the same", () => {
    const { compiled, report } = compileFlow(spec(p, "proximal", "none"), { dtype: "float64" });
    const r = new FlowRunner(compiled);
    expect(r.dials.alpha).toBe(proximalFamily.stepSize({ lipschitz: compiled.lipschitz, policy: compiled.policies.flow }));
    expect(report.alpha).toBe(r.dials.alpha);
    expect(r.alphaMax).toBe(2 / compiled.lipschitz);
    r.dispose();
    compiled.dispose();
  });
});
