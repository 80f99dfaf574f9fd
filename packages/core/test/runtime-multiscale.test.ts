// The multiscale schedule on reference problem 1 (small): coarse-to-fine unlocking of the detail
// levels, fixed (every k iterations) and residual-driven (when the relative energy decrease of
// an iteration falls below a threshold). Locked levels are held at exactly zero; each unlock
// emits SCALE_ACTIVATED with the level in PyWavelets numbering (1 = finest); the step metrics
// report the active count; once every level is unlocked the flow reaches the full minimiser.
import { describe, expect, it } from "vitest";
import { compileFlow } from "../src/compiler/compile.js";
import { DTYPES, type Dtype } from "../src/dtype.js";
import type { FlowEventName, Json } from "../src/ports/events.js";
import { FlowRunner, type StepMetrics } from "../src/runtime/runner.js";
import type { Band } from "../src/transforms/transform.js";
import { objective, problem1, solve, spec } from "./deconv-problems.js";

const p = problem1();
const { fStar } = solve(p);

function run(dtype: Dtype, multiscale: Record<string, unknown>, iters: number) {
  const events: { iter: number; event: FlowEventName; payload: { [key: string]: Json } }[] = [];
  const { compiled } = compileFlow(spec(p, "accelerated", "function", { multiscale }), { dtype });
  let runner: FlowRunner | null = null;
  runner = new FlowRunner(compiled, { events: { emit: (event, payload) => events.push({ iter: runner?.iter ?? 0, event, payload: payload ?? {} }) } });
  const bands = compiled.slots[0].transform!.bands;
  const steps: { m: StepMetrics; coeffs: Float64Array }[] = [];
  for (let k = 0; k < iters; k++) {
    const m = runner.step();
    steps.push({ m, coeffs: Float64Array.from(runner.coefficients()) });
  }
  return { runner, compiled, events, bands, steps };
}

/** The coefficients of the detail levels that are locked when `active` of `levels` are unlocked (coarsest first). */
function lockedValues(bands: readonly Band[], coeffs: Float64Array, active: number, levels: number): number[] {
  const out: number[] = [];
  for (const b of bands) {
    if (b.orientation === "a") continue;
    // level l (1 = finest) is unlocked once levels − l + 1 ≤ active
    if (levels - b.level + 1 > active) {
      const size = b.shape.reduce((a, c) => a * c, 1);
      out.push(...coeffs.subarray(b.offset, b.offset + size));
    }
  }
  return out;
}

describe.each(DTYPES)("multiscale schedule (%s)", (dtype: Dtype) => {
  const tol = dtype === "float64" ? 1e-9 : 2e-6;

  it("fixed: unlocks one level every `every` iterations, coarsest first, locked levels exactly zero", () => {
    const { runner, compiled, events, bands, steps } = run(dtype, { mode: "fixed", startLevels: 1, every: 15 }, 2000);
    const scale = events.filter((e) => e.event === "SCALE_ACTIVATED");
    // three detail levels: level 3 is active from the start, level 2 unlocks at 15, level 1 at 30
    expect(scale.map((e) => e.payload.level)).toEqual([2, 1]);
    expect(scale.map((e) => e.payload.levels)).toEqual([3, 3]);
    expect(scale.map((e) => e.iter)).toEqual([15, 30]);
    steps.forEach(({ m, coeffs }, k) => {
      const iter = k + 1;
      const active = iter < 15 ? 1 : iter < 30 ? 2 : 3;
      expect(m.levelActiveMax).toBe(active);
      // the step's prox ran with the levels locked before this iteration's unlock
      const lockedBefore = iter <= 15 ? 1 : iter <= 30 ? 2 : 3;
      for (const v of lockedValues(bands, coeffs, lockedBefore, 3)) expect(v).toBe(0);
    });
    // meanwhile the unlocked coarsest detail band is not zero (the zeros above are the lock's)
    expect(steps[10].coeffs.subarray(bands[1].offset, bands[2].offset).some((v) => v !== 0)).toBe(true);
    expect(Math.abs(objective(p, runner.state) - fStar) / fStar).toBeLessThan(tol);
    compiled.dispose();
  });

  it("residual-driven: unlocks when the relative energy decrease of an iteration falls below the threshold", () => {
    const residualDrop = 1e-3;
    const { runner, compiled, events, steps } = run(dtype, { mode: "residual", startLevels: 1, residualDrop }, 2000);
    const scale = events.filter((e) => e.event === "SCALE_ACTIVATED");
    expect(scale.map((e) => e.payload.level)).toEqual([2, 1]);
    for (const e of scale) {
      // the iteration that unlocked: its decrease was below the threshold, and the iterations
      // since the previous unlock were all above it
      const k = e.iter - 1;
      const drop = (E: number, prev: number) => (prev - E) / Math.abs(prev);
      const prevE = k === 0 ? Number.NaN : steps[k - 1].m.E;
      expect(drop(steps[k].m.E, prevE)).toBeLessThan(residualDrop);
      expect(steps[k].m.levelActiveMax).toBe(4 - (e.payload.level as number));
    }
    const first = scale[0].iter - 1;
    for (let k = 1; k < first; k++) expect((steps[k - 1].m.E - steps[k].m.E) / Math.abs(steps[k - 1].m.E)).toBeGreaterThanOrEqual(residualDrop);
    expect(Math.abs(objective(p, runner.state) - fStar) / fStar).toBeLessThan(tol);
    compiled.dispose();
  });

  it("off: every level active from the start, no events, levelActiveMax null", () => {
    const { compiled, events, steps } = run(dtype, { mode: "off" }, 5);
    expect(events.filter((e) => e.event === "SCALE_ACTIVATED")).toEqual([]);
    for (const { m } of steps) expect(m.levelActiveMax).toBeNull();
    compiled.dispose();
  });

  it("a state loaded while levels are locked gets its true, finite energy", () => {
    const { runner, compiled, steps } = run(dtype, { mode: "fixed", startLevels: 1, every: 1000 }, 8);
    const E = steps[7].m.E;
    runner.load(runner.state);
    // W x re-analysed carries rounding noise on the locked levels: it must not count as ∞
    expect(Number.isFinite(runner.energy)).toBe(true);
    expect(Math.abs(runner.energy - E) / E).toBeLessThan(dtype === "float64" ? 1e-12 : 1e-5);
    expect(compiled.prox[0].term.bandWeights).toEqual([1, Infinity, Infinity]);
    compiled.dispose();
  });

  it("keeps the user's per-level weights λ_j for the unlocked levels", () => {
    const { runner, compiled } = run(dtype, { mode: "fixed", startLevels: 1, every: 1000 }, 1);
    const term = compiled.prox[0].term;
    runner.setDials({ lambdaJ: [1, 2, 4] });
    expect(term.bandWeights).toEqual([1, Infinity, Infinity]);
    compiled.dispose();
  });
});
