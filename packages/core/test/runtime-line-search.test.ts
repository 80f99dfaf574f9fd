// The backtracking line search: on when β rests on an estimate (an op without a norm hint gets β
// by power iteration), off when every norm is analytic; a deliberately too-large step recovers by
// halving until the sufficient-decrease test holds, and keeps the smaller step.
import { describe, expect, it } from "vitest";
import { compileFlow } from "../src/compiler/compile.js";
import { DTYPES, type Dtype } from "../src/dtype.js";
import type { FlowEventName, Json } from "../src/ports/events.js";
import { FlowRunner } from "../src/runtime/runner.js";
import { denseLasso } from "./helpers.js";
import { spectralNorm } from "./dense-eig.js";
import { gaussianMatrix, lassoCoordinateDescent, lassoObjective } from "./reference-solvers.js";
import { objective, problem1, solve, spec as deconvSpec } from "./deconv-problems.js";
import { mulberry32 } from "@cflow/test-kit";

const rand = mulberry32(515);
const A = gaussianMatrix(50, 30, rand);
const b = Float64Array.from({ length: 50 }, (_, i) => Math.sin(0.9 * i));
const lambda = 0.05;
const normA = spectralNorm(
  Array.from({ length: 50 }, (_, i) => Array.from(A.a.subarray(i * 30, (i + 1) * 30))),
  30,
);

const lasso = (lineSearch: "auto" | "always" | "never") => denseLasso(A, b, lambda, { flow: { family: "proximal", lineSearch } });

function lineSearchOf(events: { event: FlowEventName; payload?: { [key: string]: Json } }[]): Json {
  const applied = events.find((e) => e.event === "FLOW_POLICY_APPLIED")!;
  return (applied.payload!.params as { [key: string]: Json }).line_search;
}

describe.each(DTYPES)("line search (%s)", (dtype: Dtype) => {
  const xStar = lassoCoordinateDescent(A, b, lambda);
  const fStar = lassoObjective(A, b, lambda, xStar);

  it("an op without a norm hint gets β by power iteration (from below, padded 1%), and the line search is on", () => {
    const { compiled, report } = compileFlow(lasso("auto"), { dtype });
    expect(compiled.lipschitzMethod).toBe("power-iteration");
    expect(report.lipschitzMethod).toBe("power-iteration");
    expect(compiled.lipschitz / normA ** 2).toBeGreaterThanOrEqual(1);
    expect(compiled.lipschitz / normA ** 2).toBeLessThan(1.0201);
    const events: { event: FlowEventName; payload?: { [key: string]: Json } }[] = [];
    new FlowRunner(compiled, { events: { emit: (event, payload) => events.push({ event, payload }) } });
    expect(lineSearchOf(events)).toBe(true);
    compiled.dispose();
  });

  it("analytic norms (a circular convolution's exact ‖K‖) leave it off unless asked for", () => {
    const p = problem1();
    const { compiled } = compileFlow(deconvSpec(p, "proximal"), { dtype });
    expect(compiled.lipschitzMethod).toBe("analytic");
    const events: { event: FlowEventName; payload?: { [key: string]: Json } }[] = [];
    new FlowRunner(compiled, { events: { emit: (event, payload) => events.push({ event, payload }) } });
    expect(lineSearchOf(events)).toBe(false);
    events.length = 0;
    const always = new FlowRunner(compiled, { events: { emit: (event, payload) => events.push({ event, payload }) }, policies: { flow: { ...compiled.policies.flow, lineSearch: "always" } } });
    expect(lineSearchOf(events)).toBe(true);
    // with the exact β, α = 1/β passes the sufficient-decrease test at once
    for (let k = 0; k < 50; k++) expect(always.step().backtracks).toBe(0);
    compiled.dispose();
  });

  it("a too-large step recovers by halving, keeps the smaller step, and still reaches the minimiser", () => {
    const { compiled } = compileFlow(lasso("auto"), { dtype });
    const runner = new FlowRunner(compiled);
    const big = 16 / compiled.lipschitz;
    runner.setDials({ alpha: big });
    let prev = runner.energy;
    const first = runner.step();
    expect(first.backtracks).toBeGreaterThanOrEqual(3);
    expect(first.alpha).toBe(big / 2 ** first.backtracks);
    // the accepted step satisfies the descent the halving looked for
    expect(first.E).toBeLessThan(prev);
    expect(first.alpha).toBeLessThanOrEqual(2 / normA ** 2);
    prev = first.E;
    let backtracks = first.backtracks;
    for (let k = 0; k < 8000; k++) {
      const m = runner.step();
      backtracks += m.backtracks;
      expect(m.alpha).toBeLessThanOrEqual(first.alpha);
      expect(m.E).toBeLessThanOrEqual(prev + (dtype === "float64" ? 1e-12 : 1e-6) * Math.abs(prev));
      prev = m.E;
    }
    expect(backtracks).toBeLessThan(first.backtracks + 5);
    expect(Math.abs(lassoObjective(A, b, lambda, runner.state) - fStar) / fStar).toBeLessThan(dtype === "float64" ? 1e-9 : 2e-5);
    compiled.dispose();
  });

  it("without it the same too-large step makes the energy grow (the halving is what saves the run)", () => {
    const { compiled } = compileFlow(lasso("never"), { dtype });
    const runner = new FlowRunner(compiled);
    runner.setDials({ alpha: 16 / compiled.lipschitz });
    const E0 = runner.energy;
    let m = runner.step();
    for (let k = 0; k < 20; k++) m = runner.step();
    expect(m.backtracks).toBe(0);
    expect(m.E).toBeGreaterThan(10 * E0);
    compiled.dispose();
  });

  it("the deconvolution problem with a too-large step still converges once backtracking is on", () => {
    const p = problem1();
    const { fStar: f1 } = solve(p);
    const { compiled } = compileFlow(deconvSpec(p, "accelerated", "function", { flow: { family: "accelerated", restart: "function", lineSearch: "always" } }), { dtype });
    const runner = new FlowRunner(compiled);
    runner.setDials({ alpha: 10 / compiled.lipschitz });
    let total = 0;
    for (let k = 0; k < 3000; k++) total += runner.step().backtracks;
    expect(total).toBeGreaterThan(0);
    expect(Math.abs(objective(p, runner.state) - f1) / f1).toBeLessThan(dtype === "float64" ? 1e-9 : 2e-6);
    compiled.dispose();
  });
});
