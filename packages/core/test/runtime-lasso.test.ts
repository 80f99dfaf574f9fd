import { describe, expect, it } from "vitest";
import { compileFlow } from "../src/compiler/compile.js";
import { DTYPES, type Dtype } from "../src/dtype.js";
import { FlowRunner } from "../src/runtime/runner.js";
import { runFlowStep } from "../src/runtime/step.js";
import { denseLasso } from "./helpers.js";
import { gaussianMatrix, lassoCoordinateDescent, lassoObjective, matTVec, matVec } from "./reference-solvers.js";
import { mulberry32 } from "@cflow/test-kit";

const rand = mulberry32(2024);
const A = gaussianMatrix(60, 40, rand);
const xTrue = Float64Array.from({ length: 40 }, (_, j) => (j % 7 === 0 ? 1 + j / 10 : 0));
const b = matVec(A, xTrue).map((v) => v + 0.01 * Math.sin(v * 17));
const lambda = 0.05;

const lasso = (family: string, restart: "function" | "gradient" | "none" = "function", nonneg = false) =>
  denseLasso(A, b, lambda, { flow: { family, restart } }, nonneg ? [{ kind: "regularizer", atom: "nonneg" }] : []);

describe.each(DTYPES)("lasso, every family against coordinate descent (%s)", (dtype: Dtype) => {
  const xStar = lassoCoordinateDescent(A, b, lambda);
  const fStar = lassoObjective(A, b, lambda, xStar);
  const tol = dtype === "float64" ? 1e-9 : 2e-5;

  it.each([
    ["proximal", "none"],
    ["accelerated", "none"],
    ["accelerated", "function"],
    ["accelerated", "gradient"],
  ] as const)("%s (restart %s) reaches the minimiser", (family, restart) => {
    const { compiled } = compileFlow(lasso(family, restart), { dtype });
    const runner = new FlowRunner(compiled);
    const monotone = runner.family.monotone(restart);
    let prev = runner.energy;
    for (let k = 0; k < 6000; k++) {
      const m = runner.step();
      if (monotone) expect(m.E).toBeLessThanOrEqual(prev + (dtype === "float64" ? 1e-12 : 1e-5) * Math.abs(prev));
      prev = m.E;
    }
    const f = lassoObjective(A, b, lambda, runner.state);
    expect(Math.abs(f - fStar) / fStar).toBeLessThan(tol);
    // the runner's own energy is the objective
    expect(Math.abs(runner.energy - f) / f).toBeLessThan(dtype === "float64" ? 1e-12 : 1e-5);
    runner.dispose();
    compiled.dispose();
  });

  it("with non-negativity (l1 + nonneg composite) matches non-negative coordinate descent", () => {
    const xs = lassoCoordinateDescent(A, b, lambda, { nonneg: true });
    const fs = lassoObjective(A, b, lambda, xs);
    const { compiled } = compileFlow(lasso("accelerated", "function", true), { dtype });
    const runner = new FlowRunner(compiled);
    for (let k = 0; k < 6000; k++) runner.step();
    const x = runner.state;
    expect(Math.min(...x)).toBeGreaterThanOrEqual(0);
    expect(Math.abs(lassoObjective(A, b, lambda, x) - fs) / fs).toBeLessThan(tol);
    compiled.dispose();
  });

  it("runFlowStep is exactly one proximal-gradient step", () => {
    const { compiled } = compileFlow(lasso("accelerated"), { dtype });
    const xs = Array.from({ length: 40 }, (_, j) => Math.cos(j));
    const x = dtype === "float64" ? Float64Array.from(xs) : Float32Array.from(xs);
    const stepSize = 0.5 / compiled.lipschitz;
    const next = runFlowStep(x, compiled, stepSize, compiled.W);
    // independent: z = x − α Aᵀ(Ax − b); soft-threshold by αλ
    const r = matVec(A, x).map((v, i) => v - b[i]);
    const g = matTVec(A, r);
    const want = Array.from(x, (v, j) => {
      const z = v - stepSize * g[j];
      return Math.sign(z) * Math.max(Math.abs(z) - stepSize * lambda, 0);
    });
    const scale = Math.max(...want.map(Math.abs));
    for (let j = 0; j < 40; j++) expect(Math.abs(next[j] - want[j])).toBeLessThan((dtype === "float64" ? 1e-12 : 1e-5) * scale);
    compiled.dispose();
  });
});
