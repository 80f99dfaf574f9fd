import { CflowError, DTYPES, type Dtype, DtypeError, type ManifoldFactory, type RealArray, Registry, ShapeError, rngKey } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { PoincareBall, gyration, hyperbolicPlugin, mobiusAdd, poincareFactory } from "../src/index.js";
import { closedFormDist, mobius } from "./helpers.js";
import { dot, eps, expectBelow, mulberry32, norm, randomArray, randomTangent, relDiff } from "@cflow/test-kit";

describe.each(DTYPES)("Poincaré ball (%s)", (dtype: Dtype) => {
  const f64 = dtype === "float64";
  const m = new PoincareBall({ shape: [5], dtype });
  // float32 inputs carry ~6e-8 relative rounding, amplified by λ_x near the boundary
  const tight = f64 ? 1e-13 : 3e-6;
  const loose = f64 ? 1e-11 : 3e-5;
  const point = (seed: number) => m.random(rngKey(seed));
  const far = 1.5;

  it("creates random points strictly inside the ball, deterministically in the key", () => {
    for (let s = 0; s < 30; s++) {
      const x = point(s);
      expect(x).toBeInstanceOf(f64 ? Float64Array : Float32Array);
      expect(norm(x)).toBeLessThan(m.maxNorm);
      expect(m.residual(x)).toBe(0);
    }
    expect(Array.from(point(3))).toEqual(Array.from(point(3)));
    expect(Array.from(point(3))).not.toEqual(Array.from(point(4)));
  });

  it("exp(x, log(x, y)) = y and log(x, exp(x, v)) = v", () => {
    const rand = mulberry32(11);
    for (let s = 0; s < 40; s++) {
      const x = point(100 + s);
      const v = randomTangent(m, x, rand, far * (0.05 + 0.95 * rand()));
      const y = m.exp(x, v);
      expect(norm(y)).toBeLessThan(1);
      expectBelow(relDiff(m.log(x, y), v, 1e-300), loose, "‖log(x, exp(x, v)) − v‖/‖v‖");
      const z = point(500 + s);
      expectBelow(relDiff(m.exp(x, m.log(x, z)), z), loose, "‖exp(x, log(x, y)) − y‖");
    }
  });

  it("log(x, exp(x, v)) = v for small v, to the precision the rounding of y allows", () => {
    const rand = mulberry32(12);
    const x = point(200);
    for (const size of f64 ? [1e-9, 1e-6, 1e-3, 1e-1] : [1e-3, 1e-1]) {
      const v = randomTangent(m, x, rand, size);
      const l = m.log(x, m.exp(x, v));
      // y = exp(x, v) is rounded to ε‖y‖; in metric units that is λ_x·ε, relative to ‖v‖ = size
      const lambda = 2 / (1 - dot(x, x));
      expectBelow(relDiff(l, v, 1e-300), (8 * lambda * eps(dtype)) / size + (f64 ? 1e-13 : 2e-6), `relative log error at ‖v‖ = ${size}`);
    }
    expect(norm(m.log(x, x))).toBe(0);
    expect(m.dist(x, x)).toBe(0);
  });

  it("matches the closed forms: exp at the origin, distances along a diameter, 2 artanh‖(−x) ⊕ y‖", () => {
    const zero = f64 ? new Float64Array(5) : new Float32Array(5);
    const v = f64 ? Float64Array.of(0.3, -0.4, 0, 0.5, 0.1) : Float32Array.of(0.3, -0.4, 0, 0.5, 0.1);
    const y = m.exp(zero, v);
    const nv = norm(v);
    expectBelow(relDiff(y, Array.from(v, (q) => (Math.tanh(nv) * q) / nv)), tight, "exp_0(v) = tanh‖v‖ v/‖v‖");
    const e = [0.6, 0, 0.8, 0, 0];
    for (const [r1, r2] of [
      [0, 0.5],
      [-0.3, 0.9],
      [0.1, 0.99],
    ]) {
      const along = (r: number) => (f64 ? Float64Array.from(e, (q) => q * r) : Float32Array.from(e, (q) => q * r));
      const a = along(r1);
      const b = along(r2);
      const expected = 2 * Math.abs(Math.atanh(r2) - Math.atanh(r1));
      expectBelow(Math.abs(m.dist(a, b) - expected) / expected, f64 ? 1e-13 : 1e-5 / (1 - r2), `dist along a diameter (${r1}, ${r2})`);
    }
    const rand = mulberry32(13);
    for (let s = 0; s < 20; s++) {
      const x = point(300 + s);
      const z = m.exp(x, randomTangent(m, x, rand, 3 * rand()));
      const d = m.dist(x, z);
      expectBelow(Math.abs(d - closedFormDist(x, z)) / Math.max(d, 1e-3), f64 ? 1e-12 : 1e-5, "dist vs 2 artanh‖(−x) ⊕ y‖");
      expectBelow(Math.abs(d - m.dist(z, x)), f64 ? 1e-14 : 1e-6, "dist symmetric");
      const l = m.log(x, z);
      expectBelow(Math.abs(d - Math.sqrt(m.metric(x, l, l))), loose, "dist = ‖log_x y‖_x");
    }
  });

  it("retraction stays inside the ball over 10⁴ random steps (in place), even when it saturates at the boundary", () => {
    for (const step of [0.1, 2]) {
      const rand = mulberry32(14 + step);
      const x = point(400);
      let worst = 0;
      for (let k = 0; k < 10_000; k++) {
        const v = randomTangent(m, x, rand, step);
        m.retract(x, v, x);
        worst = Math.max(worst, norm(x));
        if (!x.every(Number.isFinite)) expect.fail(`non-finite point after ${k} steps`);
      }
      expect(worst).toBeLessThan(1);
      expect(worst).toBeLessThanOrEqual(m.maxNorm);
      // the long walk drifts to the boundary margin (hyperbolic random walks escape to infinity)
      if (step === 2) expect(worst).toBeGreaterThan(m.maxNorm * (1 - 1e-6));
    }
  });

  it("retraction agrees with exp to first order (it is exp)", () => {
    const rand = mulberry32(15);
    const x = point(450);
    const v = randomTangent(m, x, rand, 1);
    expect(Array.from(m.retract(x, v))).toEqual(Array.from(m.exp(x, v)));
  });

  it("transport preserves the metric, is parallel (T log_x y = −log_y x) and reverses", () => {
    const rand = mulberry32(16);
    for (let s = 0; s < 12; s++) {
      const x = point(600 + s);
      const w = randomTangent(m, x, rand, far);
      const a = randomTangent(m, x, rand, 1);
      const b = randomTangent(m, x, rand, 0.5 + rand());
      for (const t of [0.25, 0.5, 1]) {
        const y = m.exp(x, w.map((q) => q * t) as RealArray);
        const ta = m.transport(x, y, a);
        const tb = m.transport(x, y, b);
        expectBelow(Math.abs(m.metric(y, ta, tb) - m.metric(x, a, b)), loose, "|⟨Ta, Tb⟩_y − ⟨a, b⟩_x|");
        expectBelow(Math.abs(m.metric(y, ta, ta) - m.metric(x, a, a)), loose, "|‖Ta‖² − ‖a‖²|");
        expectBelow(relDiff(m.transport(y, x, ta), a), loose, "transport back");
      }
      const y = m.exp(x, w);
      const lhs = m.transport(x, y, m.log(x, y));
      expectBelow(relDiff(lhs, Array.from(m.log(y, x), (q) => -q), 1e-300), loose * 10, "T(log_x y) + log_y x");
      expectBelow(relDiff(m.transport(x, x, a), a), tight, "transport from x to x");
    }
  });

  it("metric is symmetric, bilinear and conformal, with orthonormal intrinsic coordinates", () => {
    const rand = mulberry32(17);
    const x = point(700);
    const lambda = 2 / (1 - dot(x, x));
    const a = randomTangent(m, x, rand, 1);
    const b = randomTangent(m, x, rand, 1);
    expect(m.metric(x, a, b)).toBe(m.metric(x, b, a));
    expectBelow(Math.abs(m.metric(x, a, b) - lambda * lambda * dot(a, b)), tight * 10, "λ²⟨a, b⟩");
    const basis = Array.from({ length: 5 }, (_, i) => {
      const e = f64 ? new Float64Array(5) : new Float32Array(5);
      e[i] = 1;
      return m.fromAlgebra(x, e);
    });
    let worst = 0;
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) worst = Math.max(worst, Math.abs(m.metric(x, basis[i], basis[j]) - (i === j ? 1 : 0)));
    expectBelow(worst, loose, "max |⟨bᵢ, bⱼ⟩ − δᵢⱼ|");
    const c = m.toAlgebra(x, a);
    expectBelow(Math.abs(dot(c, c) - m.metric(x, a, a)), loose, "‖c‖² = ⟨v, v⟩_x");
    expectBelow(relDiff(m.fromAlgebra(x, c), a), tight * 10, "fromAlgebra(toAlgebra(v)) = v");
  });

  it("egradToRgrad gives the Riemannian gradient: of ½d(x, p)² it is −log_x p", () => {
    const rand = mulberry32(18);
    const g = randomArray(dtype, 5, rand);
    const x = point(800);
    const rg = m.egradToRgrad(x, g);
    for (let s = 0; s < 5; s++) {
      const w = randomTangent(m, x, rand, 1);
      expectBelow(Math.abs(m.metric(x, rg, w) - dot(g, w)) / norm(g) / norm(w), loose, "⟨rgrad, w⟩_x = ⟨egrad, w⟩");
    }
    // ½d² by central differences in float64 (an independent gradient), converted by the manifold
    const m64 = new PoincareBall({ shape: [5], dtype: "float64" });
    const x64 = Float64Array.from(x);
    const p = m64.random(rngKey(801));
    const h = 1e-6;
    const egrad = Float64Array.from(x64, (_, i) => {
      const up = Float64Array.from(x64);
      const dn = Float64Array.from(x64);
      up[i] += h;
      dn[i] -= h;
      return (m64.dist(up, p) ** 2 - m64.dist(dn, p) ** 2) / (4 * h);
    });
    expectBelow(relDiff(m64.egradToRgrad(x64, egrad), Array.from(m64.log(x64, p), (q) => -q)), 1e-7, "grad ½d(x, p)² + log_x p");
  });

  it("project fixes interior points, pulls outside ones onto the allowed ball, projTangent is the identity", () => {
    const x = point(900);
    expect(Array.from(m.project(x))).toEqual(Array.from(x));
    const outside = (f64 ? Float64Array : Float32Array).of(3, 4, 0, 0, 0);
    const p = m.project(outside);
    expect(norm(p)).toBeLessThanOrEqual(m.maxNorm);
    expect(norm(p)).toBeGreaterThan(m.maxNorm * (1 - 1e-6));
    expectBelow(relDiff(p.map((q) => q / norm(p)) as RealArray, [0.6, 0.8, 0, 0, 0]), tight, "radial direction kept");
    expect(m.residual(outside)).toBeCloseTo(5 - m.maxNorm, f64 ? 12 : 5);
    const u = randomArray(dtype, 5, mulberry32(19));
    expect(Array.from(m.projTangent(x, u))).toEqual(Array.from(u));
  });

  it("returns `out`, allows it to alias an input, and rejects wrong dtypes and lengths by name", () => {
    const rand = mulberry32(22);
    const x = point(1200);
    const v = randomTangent(m, x, rand, 0.5);
    const fresh = m.exp(x, v);
    const out = f64 ? new Float64Array(5) : new Float32Array(5);
    expect(m.exp(x, v, out)).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(fresh));
    const alias = x.slice() as RealArray;
    expect(m.transport(alias, fresh, v, alias)).toBe(alias);
    expect(Array.from(alias)).toEqual(Array.from(m.transport(x, fresh, v)));
    const other = f64 ? Float32Array.from(x) : Float64Array.from(x);
    expect(() => m.exp(other, v)).toThrow(DtypeError);
    expect(() => m.exp(other, v)).toThrow(/poincare\.exp/);
    const short = x.subarray(0, 4) as RealArray;
    expect(() => m.log(x, short)).toThrow(ShapeError);
    expect(() => m.log(x, short)).toThrow(/poincare\.log/);
  });

  if (!f64) {
    it("float32 agrees with float64 to float32 precision", () => {
      const m64 = new PoincareBall({ shape: [5], dtype: "float64" });
      const rand = mulberry32(23);
      const x64 = m64.random(rngKey(1300));
      const v64 = randomTangent(m64, x64, rand, far * 0.7);
      const x32 = Float32Array.from(x64);
      const v32 = Float32Array.from(v64);
      expectBelow(relDiff(m.exp(x32, v32), m64.exp(Float64Array.from(x32), Float64Array.from(v32))), 4 * eps("float32"), "exp f32 vs f64");
      const y32 = Float32Array.from(m64.exp(x64, v64));
      expectBelow(relDiff(m.log(x32, y32), m64.log(Float64Array.from(x32), Float64Array.from(y32))), 4 * eps("float32"), "log f32 vs f64");
    });
  }
});

describe("gyrovector operations", () => {
  it("gyration equals its definition ⊖(u ⊕ v) ⊕ (u ⊕ (v ⊕ w)) and is an orthogonal map", () => {
    const rand = mulberry32(31);
    for (const c of [1, 0.4, 2.5]) {
      for (let s = 0; s < 10; s++) {
        const r = 0.9 / Math.sqrt(c) / Math.sqrt(4);
        const u = Array.from({ length: 4 }, () => r * (2 * rand() - 1));
        const v = Array.from({ length: 4 }, () => r * (2 * rand() - 1));
        const w = Array.from({ length: 4 }, () => r * (2 * rand() - 1));
        const def = mobius(
          mobius(u, v, c).map((q) => -q),
          mobius(u, mobius(v, w, c), c),
          c,
        );
        expectBelow(relDiff(gyration(u, v, w, c), def), 1e-13, "gyr vs definition");
        const big = w.map((q) => 10 * q);
        expectBelow(Math.abs(norm(gyration(u, v, big, c)) - norm(big)) / norm(big), 1e-14, "gyr preserves the norm");
        expectBelow(relDiff(mobiusAdd(u, v, c), mobius(u, v, c)), 1e-15, "mobiusAdd");
      }
    }
  });
});

describe("curvature −c", () => {
  it("scales the ball to radius 1/√c and keeps exp/log/dist consistent", () => {
    const c = 0.5;
    const m = new PoincareBall({ shape: [3], dtype: "float64", curvature: c });
    expect(m.maxNorm).toBeCloseTo((1 - 1e-5) / Math.sqrt(c), 15);
    const rand = mulberry32(41);
    for (let s = 0; s < 10; s++) {
      const x = m.random(rngKey(s));
      const v = randomTangent(m, x, rand, 2 * rand());
      const y = m.exp(x, v);
      expectBelow(relDiff(m.log(x, y), v, 1e-300), 1e-11, "log ∘ exp");
      expectBelow(Math.abs(m.dist(x, y) - closedFormDist(x, y, c)), 1e-12, "dist closed form");
      expectBelow(Math.abs(m.dist(x, y) - Math.sqrt(m.metric(x, v, v))), 1e-11, "dist = ‖v‖_x along the geodesic");
    }
  });

  it("refuses bad options, naming them", () => {
    expect(() => new PoincareBall({ shape: [3], dtype: "float64", curvature: -1 })).toThrow(/curvature must be a finite number > 0.*found -1/);
    expect(() => new PoincareBall({ shape: [3], dtype: "float16" as never })).toThrow(/poincare\.create: expected dtype "float32" or "float64", found "float16"/);
    expect(() => new PoincareBall({ shape: [0], dtype: "float64" })).toThrow(ShapeError);
  });
});

describe("hyperbolicPlugin", () => {
  it("registers the manifold poincare, which a registry creates in both dtypes", () => {
    const registry = new Registry();
    const report = registry.use(hyperbolicPlugin);
    expect(report.failed).toEqual([]);
    expect(registry.list()).toEqual([{ namespace: "manifolds", name: "poincare", provider: { plugin: "@cflow/plugin-hyperbolic", version: "0.1.0" } }]);
    const factory = registry.manifolds.get("poincare") as ManifoldFactory;
    expect(factory).toBe(poincareFactory);
    for (const dtype of DTYPES) {
      const m = factory.create({ shape: [2, 3], dtype });
      expect([m.name, m.dim, m.dtype]).toEqual(["poincare", 6, dtype]);
      const x = m.random(rngKey(1));
      expect(x.length).toBe(6);
    }
    expect(() => registry.manifolds.get("poincaré")).toThrow(CflowError);
    expect(() => registry.manifolds.get("poincaré")).toThrow(/did you mean "poincare"/);
  });
});
