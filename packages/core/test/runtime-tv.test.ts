// Reference problem 3, TV denoising: ½‖x − y‖² + λ·TV(x) in 1D and 2D (anisotropic and
// isotropic) through every family that accepts a prox. Truth: Condat's exact direct algorithm in
// 1D; in 2D an accelerated dual projected gradient written here, run until its duality gap
// certifies the optimum to 1e-12. The flow runs with α = 0.5/β so that the iterations matter
// (with α = 1/β = 1 the first step is already the prox of y), and the TV prox warm-starts its
// dual so each step's inner solve is short.
import { describe, expect, it } from "vitest";
import { compileFlow } from "../src/compiler/compile.js";
import { DTYPES, type Dtype } from "../src/dtype.js";
import { CflowError } from "../src/errors.js";
import { FlowRunner } from "../src/runtime/runner.js";
import { defineFlow } from "../src/spec/define.js";
import { tv1dCondat, tv2dDual, tv2dValue } from "./reference-solvers.js";
import { mulberry32, randn } from "@cflow/test-kit";

const lambda = 0.2;
const rand = mulberry32(3);
const n1 = 64;
const y1 = Float64Array.from({ length: n1 }, (_, i) => (i < 20 ? 1 : i < 40 ? -0.5 : 0.3) + 0.1 * randn(rand));
const R = 12;
const y2 = Float64Array.from({ length: R * R }, (_, k) => (k % R > 5 && Math.floor(k / R) < 9 ? 1 : 0) + 0.1 * randn(rand));

function objective1(x: ArrayLike<number>): number {
  let f = 0;
  let t = 0;
  for (let i = 0; i < n1; i++) f += (x[i] - y1[i]) ** 2;
  for (let i = 0; i < n1 - 1; i++) t += Math.abs(x[i + 1] - x[i]);
  return 0.5 * f + lambda * t;
}

function objective2(x: ArrayLike<number>, isotropic: boolean): number {
  let f = 0;
  for (let i = 0; i < R * R; i++) f += (x[i] - y2[i]) ** 2;
  return 0.5 * f + lambda * tv2dValue(x, R, R, isotropic);
}

function spec(shape: number[], y: Float64Array, atom: string, family: string, restart: "function" | "gradient" | "none") {
  return defineFlow(({ dtype }) => ({
    dtype,
    state: { x: { shape } },
    data: { y: dtype === "float64" ? Float64Array.from(y) : Float32Array.from(y) },
    terms: [
      { kind: "data" as const, atom: "leastSquares", target: "y" },
      {
        kind: "regularizer" as const,
        atom,
        weight: lambda,
        // float32 cannot resolve a 1e-13 movement: its inner solve stops at its own precision
        params: { iterations: 100000, tol: dtype === "float64" ? 1e-13 : 1e-6, warmStart: true },
      },
    ],
    policies: { flow: { family, restart, stepScale: 0.5 } },
  }));
}

const FAMILIES = [
  ["proximal", "none"],
  ["accelerated", "none"],
  ["accelerated", "function"],
  ["accelerated", "gradient"],
] as const;

describe("the 1D truth", () => {
  it("Condat's solution satisfies the optimality conditions (a dual certificate |p| ≤ λ)", () => {
    const x = tv1dCondat(y1, lambda);
    // x = y − Dᵀp with (Dᵀp)_i = p_{i−1} − p_i: p_i = Σ_{j≤i} (x_j − y_j)
    let p = 0;
    for (let i = 0; i < n1 - 1; i++) {
      p += x[i] - y1[i];
      expect(Math.abs(p)).toBeLessThanOrEqual(lambda * (1 + 1e-12));
      const d = x[i + 1] - x[i];
      if (Math.abs(d) > 1e-12) expect(p * Math.sign(d)).toBeCloseTo(lambda, 12);
    }
    p += x[n1 - 1] - y1[n1 - 1];
    expect(Math.abs(p)).toBeLessThan(1e-12);
  });
});

describe.each(DTYPES)("TV denoising (%s)", (dtype: Dtype) => {
  const tol = dtype === "float64" ? 1e-9 : 2e-6;
  // descent holds up to the inner solve's inexactness (a movement tolerance of 1e-13 leaves
  // energy errors of ~1e-12), not to rounding alone as with exact proxes
  const slack = dtype === "float64" ? 1e-10 : 1e-6;

  const cases = [
    ["1D anisotropic", [n1], y1, "tvAnisotropic", () => objective1, () => objective1(tv1dCondat(y1, lambda))],
    ["1D isotropic", [n1], y1, "tvIsotropic", () => objective1, () => objective1(tv1dCondat(y1, lambda))],
    ["2D anisotropic", [R, R], y2, "tvAnisotropic", () => (x: ArrayLike<number>) => objective2(x, false), () => certified(false)],
    ["2D isotropic", [R, R], y2, "tvIsotropic", () => (x: ArrayLike<number>) => objective2(x, true), () => certified(true)],
  ] as const;

  function certified(isotropic: boolean): number {
    const ref = tv2dDual(y2, R, R, lambda, isotropic);
    expect(ref.gap / ref.primal).toBeLessThan(1e-12);
    expect(Math.abs(objective2(ref.x, isotropic) - ref.primal) / ref.primal).toBeLessThan(1e-14);
    return ref.primal;
  }

  describe.each(cases)("%s", (_name, shape, y, atom, objectiveOf, truth) => {
    const fStar = truth();
    const objective = objectiveOf();

    it.each(FAMILIES)("%s (restart %s) reaches the minimiser", (family, restart) => {
      const { compiled } = compileFlow(spec([...shape], y, atom, family, restart), { dtype });
      const runner = new FlowRunner(compiled);
      const monotone = runner.family.monotone(restart);
      let prev = runner.energy;
      for (let k = 0; k < 300; k++) {
        const m = runner.step();
        if (monotone) expect(m.E).toBeLessThanOrEqual(prev + slack * Math.abs(prev));
        prev = m.E;
      }
      const f = objective(runner.state);
      expect(Math.abs(f - fStar) / fStar).toBeLessThan(tol);
      expect(Math.abs(runner.energy - f) / f).toBeLessThan(dtype === "float64" ? 1e-12 : 1e-5);
      runner.dispose();
      compiled.dispose();
    });
  });

  it("the preconditioned family refuses a TV term (its prox is not exact in a diagonal metric)", () => {
    const { compiled } = compileFlow(spec([n1], y1, "tvAnisotropic", "preconditioned", "none"), { dtype });
    expect(() => new FlowRunner(compiled)).toThrow(CflowError);
    expect(() => new FlowRunner(compiled)).toThrow(/tvAnisotropic/);
    compiled.dispose();
  });
});

describe.each(DTYPES)("TV denoising with default settings does not stall (%s)", (dtype: Dtype) => {
  // 40² blocks plus noise 0.1, λ = 0.1: the default flow family and the TV atom's default inner
  // solve (warm start, gap target 1e-3·k^(−4) floored at the dtype's rounding)
  const S = 40;
  const r = mulberry32(14);
  const y = Float64Array.from({ length: S * S }, (_, k) => (k % S > 12 && Math.floor(k / S) < 25 ? 1 : 0) + 0.1 * randn(r));
  const lam = 0.1;

  it.each([true, false])("isotropic %s: within 1e-8 (float64; 1e-6 float32) of the certified minimum", (isotropic) => {
    const ref = tv2dDual(y, S, S, lam, isotropic, { tol: 1e-13 });
    expect(ref.gap / ref.dual).toBeLessThan(1e-11);
    const { compiled } = compileFlow(
      defineFlow(({ dtype: dt }) => ({
        dtype: dt,
        state: { x: { shape: [S, S], init: { data: "y" } } },
        data: { y: dt === "float64" ? Float64Array.from(y) : Float32Array.from(y) },
        terms: [
          { kind: "data" as const, atom: "leastSquares", target: "y" },
          { kind: "regularizer" as const, atom: isotropic ? "tvIsotropic" : "tvAnisotropic", weight: lam },
        ],
      })),
      { dtype },
    );
    const runner = new FlowRunner(compiled);
    const E = (x: ArrayLike<number>) => {
      let f = 0;
      for (let i = 0; i < S * S; i++) f += (x[i] - y[i]) ** 2;
      return 0.5 * f + lam * tv2dValue(x, S, S, isotropic);
    };
    const gapAt: number[] = [];
    for (let k = 1; k <= 300; k++) {
      runner.step();
      if (k % 50 === 0) gapAt.push((E(runner.state) - ref.dual) / ref.dual);
    }
    // E ≥ min ≥ dual: the relative gap is a certified upper bound of the distance to the minimum
    expect(gapAt.at(-1)!).toBeGreaterThan(-1e-14);
    expect(gapAt.at(-1)!).toBeLessThan(dtype === "float64" ? 1e-8 : 1e-6);
    // it keeps improving instead of stalling at the first inner accuracy (float64)
    if (dtype === "float64") expect(gapAt.at(-1)!).toBeLessThan(1e-2 * gapAt[0] + 1e-13);
    runner.dispose();
    compiled.dispose();
  });
});
