// The greedy family (greedy FISTA, runtime/families.ts): its restart recomputes a candidate whose
// momentum points uphill, and it reaches the lasso's minimiser — given independently by coordinate
// descent — in fewer iterations than plain FISTA.
import { describe, expect, it } from "vitest";
import { compileFlow } from "../src/compiler/compile.js";
import { DTYPES, type Dtype } from "../src/dtype.js";
import { greedyFamily } from "../src/runtime/families.js";
import { FlowRunner } from "../src/runtime/runner.js";
import { denseLasso } from "./helpers.js";
import { gaussianMatrix, lassoCoordinateDescent, lassoObjective, matVec } from "./reference-solvers.js";
import { mulberry32 } from "@cflow/test-kit";

const rand = mulberry32(99);
const A = gaussianMatrix(80, 60, rand);
const xTrue = Float64Array.from({ length: 60 }, (_, j) => (j % 6 === 0 ? 1.5 - j / 50 : 0));
const b = matVec(A, xTrue).map((v, i) => v + 0.01 * Math.sin(5 * i));
const lambda = 0.02;

// the step-size comparison needs the families' own α: a backtracking line search (auto for an
// estimated L) would cap greedy's 1.3/L near 1/L
const lasso = (family: string, restart: "function" | "gradient" | "none") => denseLasso(A, b, lambda, { flow: { family, restart, lineSearch: "never" } });

const xStar = lassoCoordinateDescent(A, b, lambda);
const fStar = lassoObjective(A, b, lambda, xStar);

/** Iterations until the relative gap to the coordinate-descent minimum is below `gap` (or the cap), and the restarts on the way. */
function itersTo(family: string, restart: "function" | "gradient" | "none", dtype: Dtype, gap: number): { iters: number; restarts: number; alpha: number; runner: FlowRunner } {
  const { compiled } = compileFlow(lasso(family, restart), { dtype });
  const runner = new FlowRunner(compiled);
  let restarts = 0;
  for (let k = 1; k <= 20000; k++) {
    const m = runner.step();
    if (m.restarted) restarts++;
    if ((lassoObjective(A, b, lambda, runner.state) - fStar) / fStar < gap) return { iters: k, restarts, alpha: m.alpha, runner };
  }
  return { iters: Number.POSITIVE_INFINITY, restarts, alpha: runner.dials.alpha, runner };
}

describe.each(DTYPES)("greedy FISTA (%s)", (dtype: Dtype) => {
  const gap = dtype === "float64" ? 1e-10 : 1e-5;

  it("reaches the minimiser in fewer iterations than plain FISTA, restarting on the way", () => {
    const greedy = itersTo("greedy", "none", dtype, gap);
    const fista = itersTo("accelerated", "none", dtype, gap);
    expect(greedy.iters).toBeLessThan(fista.iters);
    expect(greedy.restarts).toBeGreaterThan(0);
    expect(fista.restarts).toBe(0);
    // the family's step: 1.3/L, against FISTA's 1/L
    expect(greedy.alpha / fista.alpha).toBeCloseTo(1.3, 12);
    for (const r of [greedy, fista]) {
      r.runner.flow.dispose();
      r.runner.dispose();
    }
  });
});

describe("greedy family rules", () => {
  it("a candidate whose momentum points uphill is recomputed without momentum; otherwise full momentum", () => {
    const s0 = greedyFamily.init();
    expect(greedyFamily.momentum(s0)).toBe(0);
    const go = greedyFamily.next(s0, { energyIncreased: false, gradientUphill: false, restart: "none", usedMomentum: false });
    expect(go).toMatchObject({ redo: false, restarted: false });
    expect(greedyFamily.momentum(go.state)).toBe(1);
    const uphill = greedyFamily.next(go.state, { energyIncreased: false, gradientUphill: true, restart: "none", usedMomentum: true });
    expect(uphill).toMatchObject({ redo: true, restarted: true, state: { restarts: 1 } });
    expect(greedyFamily.momentum(uphill.state)).toBe(0);
    // the redone candidate (no momentum) is accepted whatever the test says
    expect(greedyFamily.next(uphill.state, { energyIncreased: true, gradientUphill: true, restart: "none", usedMomentum: false })).toMatchObject({ redo: false });
  });
});
