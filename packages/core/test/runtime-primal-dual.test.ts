// The primal–dual family (runtime/primal-dual.ts) against minimisers known independently: closed
// forms per element (ℓ1 data, Kullback–Leibler data through a scaling, the ℓ2 noise ball, elastic
// net + ℓ1 data, two ℓ1 data terms + non-negativity) and, for total variation split through the
// gradient, the certified dual solver of test/reference-solvers.ts. Both dtypes.
import { describe, expect, it } from "vitest";
import { compileFlow } from "../src/compiler/compile.js";
import { DTYPES, type Dtype } from "../src/dtype.js";
import { FlowRunner } from "../src/runtime/runner.js";
import { PrimalDualRunner } from "../src/runtime/primal-dual.js";
import { defineFlow } from "../src/spec/define.js";
import type { FlowSpec } from "../src/spec/types.js";
import { mulberry32, randn } from "@cflow/test-kit";
import { tv2dDual, tv2dValue } from "./reference-solvers.js";

function flow(dtype: Dtype, n: number | number[], data: Record<string, Float64Array>, ops: Record<string, unknown>, terms: unknown[], policies: Record<string, unknown> = {}) {
  const shape = Array.isArray(n) ? n : [n];
  const spec = defineFlow(({ dtype: dt }) => ({
    dtype: dt,
    state: { x: { shape, init: data.z ? { data: "z" } : undefined } },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, dt === "float64" ? Float64Array.from(v) : Float32Array.from(v)])),
    ops,
    terms,
    policies: { flow: { family: "primalDual", ...policies } },
  }) as unknown as FlowSpec);
  return compileFlow(spec, { dtype }).compiled;
}

const soft = (v: number, t: number) => Math.sign(v) * Math.max(Math.abs(v) - t, 0);

describe.each(DTYPES)("primal–dual flows (%s)", (dtype) => {
  const rand = mulberry32(2011);
  // rounding of O(1) iterates; the residual tolerance of the runs
  const tol = dtype === "float64" ? 1e-7 : 2e-4;
  const rtol = dtype === "float64" ? 1e-9 : 1e-5;
  const vec = (n: number, s = 1) => Float64Array.from({ length: n }, () => s * randn(rand));

  it("½‖x − z‖² + λ‖x − y‖₁ (ℓ1 data through the identity): y + soft(z − y, λ)", () => {
    const n = 50;
    const z = vec(n);
    const y = vec(n);
    const lam = 0.4;
    const c = flow(dtype, n, { z, y }, { I: { type: "identity", shape: [n] } }, [
      { kind: "regularizer", atom: "leastSquares", target: "z" },
      { kind: "data", atom: "l1Data", op: "I", target: "y", weight: lam },
    ]);
    expect(c.dual.map((d) => d.term.atom)).toEqual(["l1Data"]);
    const r = new PrimalDualRunner(c);
    expect(r.norm).toMatchObject({ bound: 1, route: "analytic" });
    const out = r.run({ maxIters: 5000, rtol, atol: 0 });
    expect(out.reason).toBe("converged");
    const x = r.state;
    for (let i = 0; i < n; i++) expect(Math.abs(x[i] - (y[i] + soft(z[i] - y[i], lam)))).toBeLessThan(tol);
    // the dual iterate is the ℓ1 data term's multiplier: x − z + y* = 0 with |y*| ≤ λ
    const yd = r.dual[0];
    for (let i = 0; i < n; i++) {
      expect(Math.abs(yd[i])).toBeLessThanOrEqual(lam * (1 + 1e-6));
      expect(Math.abs(x[i] - z[i] + yd[i])).toBeLessThan(10 * tol);
    }
    r.dispose();
    c.dispose();
  });

  it("½‖x − z‖² + λ·KL(y ‖ s·x) (Poisson data through a scaling): the positive root per element", () => {
    const n = 40;
    const s = 2;
    const z = Float64Array.from(vec(n), (v) => 1 + 0.5 * v);
    const y = Float64Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 0 : Math.floor(6 * rand())));
    const lam = 0.7;
    const c = flow(dtype, n, { z, y }, { S: { type: "scaling", scale: s, shape: [n] } }, [
      { kind: "regularizer", atom: "leastSquares", target: "z" },
      { kind: "data", atom: "poisson", op: "S", target: "y", weight: lam },
    ]);
    const r = new PrimalDualRunner(c);
    const out = r.run({ maxIters: 20000, rtol, atol: 0 });
    expect(out.reason).toBe("converged");
    const x = r.state;
    for (let i = 0; i < n; i++) {
      // (x − z) + λ(s − y/x) = 0  ⇔  x² + (λs − z)x − λy = 0; y = 0: x = max(z − λs, 0)
      const b = z[i] - lam * s;
      const truth = y[i] > 0 ? 0.5 * (b + Math.sqrt(b * b + 4 * lam * y[i])) : Math.max(b, 0);
      expect(Math.abs(x[i] - truth)).toBeLessThan(tol * (1 + truth));
    }
    r.dispose();
    c.dispose();
  });

  it("½‖x − z‖² subject to ‖x − y‖₂ ≤ r (the noise ball through the identity): the radial projection", () => {
    const n = 30;
    const z = vec(n);
    const y = vec(n);
    const dist = Math.hypot(...z.map((v, i) => v - y[i]));
    const radius = 0.4 * dist;
    const c = flow(dtype, n, { z, y }, { I: { type: "identity", shape: [n] } }, [
      { kind: "regularizer", atom: "leastSquares", target: "z" },
      { kind: "data", atom: "l2Ball", op: "I", target: "y", params: { radius } },
    ]);
    const r = new PrimalDualRunner(c);
    expect(r.run({ maxIters: 20000, rtol, atol: 0 }).reason).toBe("converged");
    const x = r.state;
    for (let i = 0; i < n; i++) expect(Math.abs(x[i] - (y[i] + (z[i] - y[i]) * (radius / dist)))).toBeLessThan(tol);
    r.dispose();
    c.dispose();
  });

  it.each([true, false])("ROF through the gradient (isotropic %s): the certified minimum of an independent dual solver", (isotropic) => {
    const R = 16;
    const own = mulberry32(isotropic ? 7 : 8);
    const y = Float64Array.from({ length: R * R }, (_, k) => (k % R > 6 && Math.floor(k / R) < 10 ? 1 : 0) + 0.1 * randn(own));
    const lam = 0.15;
    const ref = tv2dDual(y, R, R, lam, isotropic, { tol: 1e-13 });
    const c = flow(dtype, [R, R], { z: y }, {}, [
      { kind: "data", atom: "leastSquares", target: "z" },
      { kind: "regularizer", atom: isotropic ? "tvIsotropic" : "tvAnisotropic", weight: lam },
    ]);
    expect(c.prox).toHaveLength(0);
    expect(c.dual.map((d) => d.term.atom)).toEqual([isotropic ? "tvIsotropic" : "tvAnisotropic"]);
    const r = new PrimalDualRunner(c);
    expect(r.norm.ops[0]).toMatchObject({ op: "gradient", norm: Math.sqrt(8), route: "analytic" });
    const out = r.run({ maxIters: 50000, rtol: dtype === "float64" ? 1e-10 : 1e-6, atol: 0 });
    expect(out.reason).toBe("converged");
    const E = (x: ArrayLike<number>) => {
      let f = 0;
      for (let i = 0; i < R * R; i++) f += 0.5 * (x[i] - y[i]) ** 2;
      return f + lam * tv2dValue(x, R, R, isotropic);
    };
    const gap = (E(r.state) - ref.dual) / ref.dual;
    expect(gap).toBeGreaterThan(-1e-12);
    expect(gap).toBeLessThan(dtype === "float64" ? 1e-9 : 2e-5);
    // the runner's own energy is the same E
    expect(Math.abs(r.energy - E(r.state)) / E(r.state)).toBeLessThan(dtype === "float64" ? 1e-12 : 1e-5);
    r.dispose();
    c.dispose();
  });

  it("acceleration for a strongly convex g (elastic net + ℓ1 data): the same minimiser, στ constant, θ_k < 1", () => {
    const n = 60;
    const y = vec(n, 2);
    const lam = 0.8;
    const l2 = 1.5;
    const ratio = 0.3;
    // min λ|x − y| + l2(α|x| + ½(1 − α)x²): a convex piecewise quadratic per element; its minimiser
    // is a kink (0 or y) or a stationary point of a smooth piece
    const truth = (yi: number) => {
      const F = (x: number) => lam * Math.abs(x - yi) + l2 * (ratio * Math.abs(x) + 0.5 * (1 - ratio) * x * x);
      const cands = [0, yi];
      for (const s1 of [-1, 1]) for (const s2 of [-1, 1]) cands.push(-(lam * s1 + l2 * ratio * s2) / (l2 * (1 - ratio)));
      return cands.reduce((b, x) => (F(x) < F(b) ? x : b));
    };
    const c = flow(dtype, n, { y }, { I: { type: "identity", shape: [n] } }, [
      { kind: "regularizer", atom: "elasticNet", weight: l2, params: { l1Ratio: ratio } },
      { kind: "data", atom: "l1Data", op: "I", target: "y", weight: lam },
    ], { strongConvexity: l2 * (1 - ratio) });
    const r = new PrimalDualRunner(c);
    // the guarantee is ‖x_N − x*‖ = O(1/N) (Chambolle & Pock 2011, Thm 2): a fixed budget, then the distance
    const errAt = (N: number) => {
      while (r.iter < N) r.step();
      const x = r.state;
      return Math.max(...Array.from(x, (v, i) => Math.abs(v - truth(y[i]))));
    };
    const e1 = errAt(500);
    const e2 = errAt(4000);
    expect(e2).toBeLessThan(2e-4 + (dtype === "float32" ? 1e-5 : 0));
    expect(e2 * 4000).toBeLessThan(2 * e1 * 500);
    const last = r.step();
    expect(last.tau * last.sigma).toBeCloseTo(r.norm.bound! ** -2 * 0.99 ** 2, dtype === "float64" ? 10 : 5);
    expect(last.theta).toBeLessThan(1);
    expect(last.tau).toBeLessThan(0.01);
    r.dispose();
    c.dispose();
  });

  it("diagonal preconditioning (no operator norm): two ℓ1 data terms + non-negativity", () => {
    const n = 40;
    const a = vec(n);
    const b = vec(n, 2);
    const l1 = 0.6;
    const l2 = 0.5;
    // min l1|x − a| + l2|3x − b| over x ≥ 0: piecewise linear, minimised at a kink (a, b/3) or at 0
    const truth = (ai: number, bi: number) => {
      const F = (x: number) => l1 * Math.abs(x - ai) + l2 * Math.abs(3 * x - bi);
      return [0, Math.max(ai, 0), Math.max(bi / 3, 0)].reduce((best, x) => (F(x) < F(best) ? x : best));
    };
    const c = flow(dtype, n, { a, b }, { I: { type: "identity", shape: [n] }, S: { type: "scaling", scale: 3, shape: [n] } }, [
      { kind: "data", atom: "l1Data", op: "I", target: "a", weight: l1 },
      { kind: "data", atom: "l1Data", op: "S", target: "b", weight: l2 },
      { kind: "regularizer", atom: "nonneg" },
    ], { preconditioning: "diagonal" });
    const r = new PrimalDualRunner(c);
    expect(r.norm.route).toBe("preconditioned");
    // τ_j = 0.99/(1 + 3), σ = 0.99/1 and 0.99/3
    expect(r.run({ maxIters: 50000, rtol, atol: 0 }).reason).toBe("converged");
    const x = r.state;
    for (let i = 0; i < n; i++) expect(Math.abs(x[i] - truth(a[i], b[i]))).toBeLessThan(10 * tol);
    r.dispose();
    c.dispose();
  });

  it("ends with a stated reason: the budget, and a clear refusal of mismatched families", () => {
    const n = 20;
    const z = vec(n);
    const y = vec(n);
    const terms = [
      { kind: "regularizer", atom: "leastSquares", target: "z" },
      { kind: "data", atom: "l1Data", op: "I", target: "y", weight: 0.3 },
    ];
    const ops = { I: { type: "identity", shape: [n] } };
    const c = flow(dtype, n, { z, y }, ops, terms);
    const r = new PrimalDualRunner(c);
    expect(r.run({ maxIters: 3, rtol: 1e-30, atol: 0 })).toMatchObject({ reason: "budget", iters: 3 });
    expect(() => new FlowRunner(c)).toThrow(/runs through PrimalDualRunner/);
    r.dispose();
    c.dispose();
    // a forward–backward family cannot take a term non-smooth through its op: lint says so
    expect(() => flow(dtype, n, { z, y }, ops, terms, { family: "accelerated" })).toThrow(/l1Data of op "I"\) is non-smooth through its op/);
  });
});
