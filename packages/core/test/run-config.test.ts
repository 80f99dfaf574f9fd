// One run configuration: resolveRun lays a caller's overrides over the compiled flow's policies
// (its spec's over DEFAULTS) section by section, and freezes the result.
import { describe, expect, it } from "vitest";
import { compileFlow } from "../src/compiler/compile.js";
import { resolveRun } from "../src/controller/run-config.js";
import { DEFAULTS } from "../src/spec/defaults.js";
import type { PoliciesSpec } from "../src/spec/types.js";

function compiled(policies?: PoliciesSpec) {
  return compileFlow(
    {
      dtype: "float64",
      state: { x: { shape: [16] } },
      data: { y: new Float64Array(16).fill(1) },
      terms: [
        { kind: "data", atom: "leastSquares", target: "y" },
        { kind: "regularizer", atom: "l1", weight: 0.1 },
      ],
      policies,
    },
    { dtype: "float64" },
  ).compiled;
}

describe("resolveRun", () => {
  it("without a spec policy or an override, every section is the defaults'", () => {
    const c = compiled();
    const config = resolveRun(c);
    expect(config.tuner).toEqual(DEFAULTS.tuner);
    expect(config.control).toEqual(DEFAULTS.control);
    expect(config.budgets.maxIters).toBe(DEFAULTS.budgets.maxIters);
    expect(config.certification).toEqual(DEFAULTS.certification);
    c.dispose();
  });

  it("the spec's policies over the defaults, then the overrides over the spec, key by key", () => {
    const c = compiled({ tuner: { perBand: true, seed: { k: 3 } }, control: { moveCap: 0.1, noImprove: 2 }, budgets: { maxIters: 300, maxTrials: 7 } });
    const fromSpec = resolveRun(c);
    expect(fromSpec.tuner).toMatchObject({ perBand: true, seed: { statistic: "median", k: 3 }, widenFactor: DEFAULTS.tuner.widenFactor });
    expect(fromSpec.control).toMatchObject({ moveCap: 0.1, noImprove: 2, ratioBounds: [0.5, 2], maxRollbacks: DEFAULTS.control.maxRollbacks });
    expect(fromSpec.budgets).toMatchObject({ maxIters: 300, maxTrials: 7 });

    const over = resolveRun(c, { tuner: { perBand: false, seed: { statistic: "mad" } }, budgets: { maxIters: 40, wallTimeMs: undefined } });
    expect(over.tuner).toMatchObject({ perBand: false, seed: { statistic: "mad", k: 3 } });
    // an undefined override keeps the spec's value; sections not overridden are the spec's
    expect(over.budgets).toMatchObject({ maxIters: 40, maxTrials: 7, wallTimeMs: 0 });
    expect(over.control).toEqual(fromSpec.control);
    c.dispose();
  });

  it("is frozen, all the way down, and leaves the compiled flow's policies as they were", () => {
    const c = compiled({ control: { ratioBounds: [0.25, 4] } });
    const config = resolveRun(c, { budgets: { maxIters: 12 } });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.control)).toBe(true);
    expect(Object.isFrozen(config.control.ratioBounds)).toBe(true);
    expect(Object.isFrozen(config.tuner.seed)).toBe(true);
    expect(() => {
      (config.budgets as { maxIters: number }).maxIters = 1;
    }).toThrow(TypeError);
    expect(c.policies.budgets.maxIters).toBe(DEFAULTS.budgets.maxIters);
    expect(Object.isFrozen(c.policies.control.ratioBounds)).toBe(false);
    c.dispose();
  });
});
