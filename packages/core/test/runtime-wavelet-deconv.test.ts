// Reference problems 1 and 2 (docs/design.md §7), small (test/deconv-problems.ts): every family that
// accepts a W-space prox reaches the minimiser of an independent solver.
import { describe, expect, it } from "vitest";
import { compileFlow } from "../src/compiler/compile.js";
import { DTYPES, type Dtype } from "../src/dtype.js";
import { CflowError } from "../src/errors.js";
import { FlowRunner } from "../src/runtime/runner.js";
import { objective, problem1, problem2, solve, spec } from "./deconv-problems.js";

const FAMILIES = [
  ["proximal", "none"],
  ["accelerated", "none"],
  ["accelerated", "function"],
  ["accelerated", "gradient"],
] as const;

const problems = [
  ["problem 1 (1D, N = 128, db4 × 3)", problem1, 3000],
  ["problem 2 (2D, 32×32, db4 × 2)", problem2, 2000],
] as const;

describe.each(problems)("%s", (_name, make, iters) => {
  const p = make();
  const { fStar } = solve(p);

  describe.each(DTYPES)("%s", (dtype: Dtype) => {
    const tol = dtype === "float64" ? 1e-9 : 2e-6;

    it.each(FAMILIES)("%s (restart %s) reaches the minimiser, descending when monotone", (family, restart) => {
      const { compiled } = compileFlow(spec(p, family, restart), { dtype });
      const runner = new FlowRunner(compiled);
      const monotone = runner.family.monotone(restart);
      const slack = dtype === "float64" ? 1e-12 : 1e-6;
      let prev = runner.energy;
      for (let k = 0; k < iters; k++) {
        const m = runner.step();
        if (monotone) expect(m.E).toBeLessThanOrEqual(prev + slack * Math.abs(prev));
        // ISTA's sufficient decrease: E(x⁺) ≤ E(x) − (α/2)‖G_α(x)‖²
        if (family === "proximal") expect(m.E).toBeLessThanOrEqual(prev - 0.5 * m.alpha * m.gradNorm ** 2 + slack * Math.abs(prev));
        prev = m.E;
      }
      const f = objective(p, runner.state);
      expect(Math.abs(f - fStar) / fStar).toBeLessThan(tol);
      expect(Math.abs(runner.energy - f) / f).toBeLessThan(dtype === "float64" ? 1e-12 : 1e-5);
      runner.dispose();
      compiled.dispose();
    });

    it("the preconditioned family refuses the W-space sparsity term, naming it", () => {
      const { compiled } = compileFlow(spec(p, "preconditioned"), { dtype });
      let err: unknown;
      try {
        new FlowRunner(compiled);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CflowError);
      expect((err as CflowError).message).toMatch(/waveletL1/);
      expect((err as CflowError).details.path).toBe("terms[2].atom");
      compiled.dispose();
    });
  });
});

describe.each(DTYPES)("adaptive restart on problem 1 (%s)", (dtype: Dtype) => {
  it("FISTA with restart reaches a 1e-6 relative gap in fewer iterations than plain FISTA", () => {
    // without the Tikhonov term and with the reference blur σ = 4: ill-conditioned, where momentum ripples
    const p = problem1({ mu: 0, sigma: 4 });
    const { fStar } = solve(p);
    const itersTo = (restart: "function" | "gradient" | "none") => {
      const { compiled } = compileFlow(spec(p, "accelerated", restart), { dtype });
      const runner = new FlowRunner(compiled);
      let k = 0;
      let restarts = 0;
      while (k < 20000) {
        const m = runner.step();
        k++;
        if (m.restarted) restarts++;
        if ((m.E - fStar) / fStar < 1e-6) break;
      }
      runner.dispose();
      compiled.dispose();
      return { k, restarts };
    };
    const plain = itersTo("none");
    const fn = itersTo("function");
    const grad = itersTo("gradient");
    expect(plain.k).toBeLessThan(20000);
    expect(plain.restarts).toBe(0);
    expect(fn.restarts).toBeGreaterThan(0);
    expect(grad.restarts).toBeGreaterThan(0);
    expect(fn.k).toBeLessThan(plain.k);
    expect(grad.k).toBeLessThan(plain.k);
  });
});
