// Optimality stopping of the forward–backward families: the relative gradient-mapping norm
// ‖G_α(y)‖/(‖x⁺‖/α) each step, and a run that stops "converged" once it meets budgets.rtol —
// on a lasso whose minimiser coordinate descent gives independently.
import { describe, expect, it } from "vitest";
import { compileFlow } from "../src/compiler/compile.js";
import { resolveRun } from "../src/controller/run-config.js";
import { runCertified } from "../src/controller/run-certified.js";
import { DTYPES, type Dtype } from "../src/dtype.js";
import type { FlowEvent } from "../src/ports/events.js";
import type { RunSummary } from "../src/ports/sink.js";
import type { TelemetryRow } from "../src/ports/telemetry.js";
import { FlowRunner } from "../src/runtime/runner.js";
import { denseLasso } from "./helpers.js";
import { gaussianMatrix, lassoCoordinateDescent, lassoObjective, matVec } from "./reference-solvers.js";
import { mulberry32 } from "@cflow/test-kit";

const rand = mulberry32(77);
const A = gaussianMatrix(50, 30, rand);
const xTrue = Float64Array.from({ length: 30 }, (_, j) => (j % 5 === 0 ? 1 - j / 40 : 0));
const b = matVec(A, xTrue).map((v, i) => v + 0.02 * Math.cos(3 * i));
const lambda = 0.1;

const lasso = (family: string, restart: "function" | "gradient" | "none", budgets: { maxIters?: number; rtol?: number; atol?: number; tol?: number } = {}) => denseLasso(A, b, lambda, { flow: { family, restart }, budgets });

const xStar = lassoCoordinateDescent(A, b, lambda);
const fStar = lassoObjective(A, b, lambda, xStar);

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

describe.each(DTYPES)("forward–backward optimality measure (%s)", (dtype: Dtype) => {
  it("is ‖x_{k+1} − x_k‖/‖x_{k+1}‖ for the proximal family, and goes to 0 at the minimiser", () => {
    const { compiled } = compileFlow(lasso("proximal", "none"), { dtype });
    const runner = new FlowRunner(compiled);
    let x = runner.state;
    let last = Number.NaN;
    for (let k = 0; k < 3000; k++) {
      const m = runner.step();
      const next = runner.state;
      if (k % 500 === 0) {
        // independent: the relative change of the iterate (y = x_k without momentum)
        const d = next.map((v, i) => v - x[i]);
        expect(m.optimality!).toBeCloseTo(norm(d) / norm(next), dtype === "float64" ? 10 : 5);
        expect(m.optimalityScale!).toBeCloseTo(norm(next) / m.alpha, dtype === "float64" ? 8 : 2);
      }
      x = next;
      last = m.optimality!;
    }
    expect(last).toBeLessThan(dtype === "float64" ? 1e-10 : 1e-5);
    expect(Math.abs(lassoObjective(A, b, lambda, runner.state) - fStar) / fStar).toBeLessThan(dtype === "float64" ? 1e-12 : 1e-5);
    runner.dispose();
    compiled.dispose();
  });

  it("a run stops converged when rtol is met, with the reason and the measure in the summary", async () => {
    const rtol = dtype === "float64" ? 1e-9 : 1e-5;
    const { compiled } = compileFlow(lasso("accelerated", "function", { maxIters: 20000, rtol, atol: 0, tol: 0 }), { dtype });
    const rows: TelemetryRow[] = [];
    const events: FlowEvent[] = [];
    let summary: RunSummary | null = null;
    const res = await runCertified(compiled, {
      config: resolveRun(compiled),
      sinks: [{ name: "memory", telemetry: (r) => rows.push(r), event: (e) => events.push(e), finish: (s) => void (summary = s) }],
    });
    expect(res.status).toBe("FINISHED");
    expect(res.stopReason).toBe("converged");
    expect(res.iters).toBeLessThan(20000);
    // every step row carries the measure; the last meets rtol and the one before did not
    const steps = rows.filter((r) => r.notes === null);
    expect(steps.every((r) => typeof r.optimality === "number" && r.optimality >= 0)).toBe(true);
    expect(steps.at(-1)!.optimality!).toBeLessThanOrEqual(rtol);
    expect(steps.at(-2)!.optimality!).toBeGreaterThan(rtol);
    expect(res.optimality).toBe(steps.at(-1)!.optimality);
    expect(summary!.stopReason).toBe("converged");
    expect(summary!.optimality).toBe(res.optimality);
    const fin = events.find((e) => e.event === "RUN_FINISHED")!;
    expect(fin.payload.stop_reason).toBe("converged");
    // converged means near the independent minimiser
    const gap = (lassoObjective(A, b, lambda, res.x) - fStar) / fStar;
    expect(gap).toBeLessThan(dtype === "float64" ? 1e-10 : 1e-4);
    compiled.dispose();
  });

  it("a run that spends its iterations first ends with stop reason budget", async () => {
    const { compiled } = compileFlow(lasso("accelerated", "function", { maxIters: 15, rtol: 1e-12, tol: 0 }), { dtype });
    const res = await runCertified(compiled);
    expect(res.status).toBe("FINISHED");
    expect(res.stopReason).toBe("budget");
    expect(res.iters).toBe(15);
    expect(res.optimality!).toBeGreaterThan(1e-12);
    compiled.dispose();
  });
});
