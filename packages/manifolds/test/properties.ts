// The properties every manifold adapter must have, as one suite each adapter's test file runs in
// both dtypes: exp/log inverse to each other, retractions that stay on the manifold over 10⁴ steps
// (checked by a constraint test written in the caller, not by the adapter's own residual),
// projection idempotent and orthogonal, transport isometric along geodesics, metric symmetric
// positive definite, egradToRgrad the Riemannian gradient, orthonormal intrinsic coordinates,
// dtype/shape errors, `out` and aliasing.
import { DTYPES, type Dtype, DtypeError, type Manifold, type ManifoldFactory, type RealArray, ShapeError, type Shape, rngKey } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { frob, zerosLike } from "./helpers.js";
import { dot, eps, expectBelow, mulberry32, randomArray, randomTangent, relDiff } from "@cflow/test-kit";

export interface PropertyOptions {
  shape: Shape;
  /** Independent constraint error of a point (0 on the manifold), written in the test. */
  offManifold(x: ArrayLike<number>): number;
  /** Metric length of the tangent vectors used for exp/log round trips (within the injectivity radius). */
  far?: number;
  /** Metric length of each random retraction step. */
  step?: number;
  /** Whether `transport` is the Levi-Civita parallel transport (then T(log_x y) = −log_y x). */
  parallel?: boolean;
  /** Loosens float32 tolerances for adapters whose float32 error grows with conditioning. */
  float32Scale?: number;
}

export function manifoldProperties(factory: ManifoldFactory, o: PropertyOptions): void {
  const far = o.far ?? 1.2;
  describe.each(DTYPES)("%s", (dtype: Dtype) => {
    const m = factory.create({ shape: o.shape, dtype });
    const f64 = dtype === "float64";
    // Tight in float64; in float32 the inputs themselves carry ~6e-8 relative rounding.
    const tight = f64 ? 1e-13 : 2e-6 * (o.float32Scale ?? 1);
    const loose = f64 ? 1e-11 : 2e-5 * (o.float32Scale ?? 1);
    const onTol = f64 ? 1e-12 : 2e-6 * (o.float32Scale ?? 1);
    const point = (seed: number) => m.random(rngKey(seed));

    it("creates points on the manifold with the run's dtype", () => {
      for (let s = 0; s < 20; s++) {
        const x = point(s);
        expect(x).toBeInstanceOf(f64 ? Float64Array : Float32Array);
        expectBelow(o.offManifold(x), onTol, "constraint error of random()");
        expectBelow(m.residual(x), onTol * 4, "residual() of random()");
      }
      expect(Array.from(point(7))).toEqual(Array.from(point(7)));
    });

    it("exp(x, log(x, y)) = y and log(x, exp(x, v)) = v", () => {
      const rand = mulberry32(11);
      for (let s = 0; s < 30; s++) {
        const x = point(100 + s);
        const v = randomTangent(m, x, rand, far * (0.05 + 0.95 * rand()));
        const y = m.exp(x, v);
        expectBelow(o.offManifold(y), onTol, "constraint error of exp()");
        const l = m.log(x, y);
        expectBelow(relDiff(l, v, far), loose, "‖log(x, exp(x, v)) − v‖/‖v‖");
        expectBelow(relDiff(m.exp(x, l), y), loose, "‖exp(x, log(x, y)) − y‖");
      }
    });

    it("log(x, exp(x, v)) = v for small v, to relative precision", () => {
      const rand = mulberry32(12);
      for (const size of [1e-9, 1e-6, 1e-3, 1e-1]) {
        const x = point(200);
        const v = randomTangent(m, x, rand, size);
        if (!f64 && size < 1e-3) continue; // below float32 resolution of the point itself
        const l = m.log(x, m.exp(x, v));
        // The rounding of y = exp(x, v) alone costs ε/‖v‖ relative: log is that well conditioned.
        const tol = (20 * eps(dtype)) / size + (f64 ? 1e-12 : 1e-5 * (o.float32Scale ?? 1));
        expectBelow(relDiff(l, v, size), tol, `relative log error at ‖v‖ = ${size}`);
      }
      const x = point(201);
      expectBelow(frob(m.log(x, x)), f64 ? 1e-14 : 1e-6, "‖log(x, x)‖");
      expectBelow(m.dist(x, x), f64 ? 1e-14 : 1e-6, "dist(x, x)");
    });

    it("retraction stays on the manifold over 10⁴ random steps (in place)", () => {
      const rand = mulberry32(13);
      const x = point(300);
      const step = o.step ?? 0.1;
      let worst = 0;
      for (let k = 0; k < 10_000; k++) {
        const v = randomTangent(m, x, rand, step);
        m.retract(x, v, x);
        worst = Math.max(worst, o.offManifold(x));
      }
      expectBelow(worst, onTol, "largest constraint error over 10⁴ retractions");
    });

    it("retraction agrees with exp to first order", () => {
      const rand = mulberry32(14);
      const x = point(400);
      const v = randomTangent(m, x, rand, 1);
      for (const t of [1e-2, 1e-3]) {
        const tv = v.map((a) => a * t) as RealArray;
        const gap = relDiff(m.retract(x, tv), m.exp(x, tv)) / t;
        expectBelow(gap, (f64 ? 0 : 1e-4) + 10 * t, `‖R(x, tv) − exp(x, tv)‖/t at t = ${t}`);
      }
    });

    it("projTangent is idempotent, fixes tangent vectors and is orthogonal to the normal space", () => {
      const rand = mulberry32(15);
      for (let s = 0; s < 10; s++) {
        const x = point(500 + s);
        const u = randomArray(dtype, x.length, rand);
        const pu = m.projTangent(x, u);
        expectBelow(relDiff(m.projTangent(x, pu), pu), tight * 10, "‖P(P(u)) − P(u)‖/‖P(u)‖");
        const normal = u.map((a, i) => a - pu[i]);
        // Ambient (Frobenius) orthogonality: the port's projection is the orthogonal one in R^shape.
        expectBelow(Math.abs(dot(pu, normal)) / (frob(pu) * frob(normal) + 1e-300), tight * 10, "cos∠(P(u), u − P(u))");
        const t = randomTangent(m, x, rand, 1);
        expectBelow(relDiff(m.projTangent(x, t), t), tight * 10, "‖P(v) − v‖ for tangent v");
      }
    });

    it("transport preserves the metric along geodesics and is the identity from x to x", () => {
      const rand = mulberry32(16);
      for (let s = 0; s < 10; s++) {
        const x = point(600 + s);
        const w = randomTangent(m, x, rand, far);
        const a = randomTangent(m, x, rand, 1);
        const b = randomTangent(m, x, rand, 0.5 + rand());
        for (const t of [0.25, 0.5, 1]) {
          const y = m.exp(x, w.map((q) => q * t) as RealArray);
          const ta = m.transport(x, y, a);
          const tb = m.transport(x, y, b);
          const before = m.metric(x, a, b);
          const after = m.metric(y, ta, tb);
          expectBelow(Math.abs(after - before), loose, "|⟨Ta, Tb⟩_y − ⟨a, b⟩_x|");
          expectBelow(Math.abs(m.metric(y, ta, ta) - m.metric(x, a, a)), loose, "|‖Ta‖² − ‖a‖²|");
          expectBelow(relDiff(m.projTangent(y, ta), ta), loose, "Ta tangent at y");
        }
        expectBelow(relDiff(m.transport(x, x, a), a), tight * 10, "transport from x to x");
        if (o.parallel) {
          const y = m.exp(x, w);
          expectBelow(relDiff(m.transport(x, y, m.log(x, y)), m.log(y, x).map((q) => -q), far), loose, "T(log_x y) + log_y x");
        }
      }
    });

    it("metric is symmetric, bilinear and positive definite on the tangent space", () => {
      const rand = mulberry32(17);
      const x = point(700);
      const a = randomTangent(m, x, rand, 1);
      const b = randomTangent(m, x, rand, 1);
      const c = randomTangent(m, x, rand, 1);
      expectBelow(Math.abs(m.metric(x, a, b) - m.metric(x, b, a)), tight, "⟨a, b⟩ − ⟨b, a⟩");
      const ab = a.map((q, i) => q + 2 * b[i]) as RealArray;
      expectBelow(Math.abs(m.metric(x, ab, c) - m.metric(x, a, c) - 2 * m.metric(x, b, c)), loose, "⟨a + 2b, c⟩ − ⟨a, c⟩ − 2⟨b, c⟩");
      // Gram matrix of the dim basis vectors fromAlgebra(eᵢ) must be the identity: the metric is
      // positive definite (all eigenvalues 1) and the coordinates orthonormal.
      const d = m.dim;
      const basis: RealArray[] = [];
      for (let i = 0; i < Math.min(d, 40); i++) {
        const e = f64 ? new Float64Array(d) : new Float32Array(d);
        e[i] = 1;
        basis.push(m.fromAlgebra!(x, e));
      }
      let worst = 0;
      for (let i = 0; i < basis.length; i++) {
        for (let j = 0; j < basis.length; j++) worst = Math.max(worst, Math.abs(m.metric(x, basis[i], basis[j]) - (i === j ? 1 : 0)));
      }
      expectBelow(worst, loose, "max |⟨bᵢ, bⱼ⟩ − δᵢⱼ|");
      expect(m.metric(x, a, a)).toBeGreaterThan(0);
    });

    it("toAlgebra and fromAlgebra are inverse isometries between T_xM and R^dim", () => {
      const rand = mulberry32(18);
      const x = point(800);
      const v = randomTangent(m, x, rand, 1.3);
      const c = m.toAlgebra!(x, v);
      expect(c.length).toBe(m.dim);
      expect(c).toBeInstanceOf(f64 ? Float64Array : Float32Array);
      expectBelow(Math.abs(dot(c, c) - m.metric(x, v, v)), loose, "|‖c‖² − ⟨v, v⟩|");
      expectBelow(relDiff(m.fromAlgebra!(x, c), v), loose, "fromAlgebra(toAlgebra(v)) − v");
      const c2 = randomArray(dtype, m.dim, rand);
      expectBelow(relDiff(m.toAlgebra!(x, m.fromAlgebra!(x, c2)), c2), loose, "toAlgebra(fromAlgebra(c)) − c");
    });

    it("egradToRgrad gives the Riemannian gradient: ⟨rgrad, w⟩_x = ⟨egrad, w⟩ for tangent w", () => {
      const rand = mulberry32(19);
      const x = point(900);
      const g = randomArray(dtype, x.length, rand);
      const rg = m.egradToRgrad(x, g);
      expectBelow(relDiff(m.projTangent(x, rg), rg), loose, "rgrad tangent");
      for (let s = 0; s < 5; s++) {
        const w = randomTangent(m, x, rand, 1);
        const lhs = m.metric(x, rg, w);
        const rhs = dot(g, w);
        expectBelow(Math.abs(lhs - rhs) / (Math.abs(rhs) + frob(g)), loose, "|⟨rgrad, w⟩_x − ⟨egrad, w⟩|");
      }
    });

    it("dist is symmetric and the metric length of log", () => {
      const rand = mulberry32(20);
      for (let s = 0; s < 10; s++) {
        const x = point(1000 + s);
        const y = m.exp(x, randomTangent(m, x, rand, far * rand()));
        const l = m.log(x, y);
        const d = m.dist(x, y);
        expectBelow(Math.abs(d - Math.sqrt(m.metric(x, l, l))), loose, "dist − ‖log‖");
        expectBelow(Math.abs(d - m.dist(y, x)), loose, "dist(x, y) − dist(y, x)");
      }
    });

    it("project fixes points and pulls nearby ambient arrays onto the manifold", () => {
      const rand = mulberry32(21);
      const x = point(1100);
      expectBelow(relDiff(m.project(x), x), tight * 10, "project(x) − x");
      const noisy = x.map((q) => q + 1e-3 * (rand() - 0.5)) as RealArray;
      const p = m.project(noisy);
      expectBelow(o.offManifold(p), onTol, "constraint error of project(x + noise)");
      expect(relDiff(p, x)).toBeLessThan(1e-2);
    });

    it("returns `out`, allows it to alias an input, and rejects wrong dtypes and lengths by name", () => {
      const rand = mulberry32(22);
      const x = point(1200);
      const v = randomTangent(m, x, rand, 0.5);
      const fresh = m.exp(x, v);
      const out = zerosLike(x);
      expect(m.exp(x, v, out)).toBe(out);
      expect(Array.from(out)).toEqual(Array.from(fresh));
      const alias = x.slice() as RealArray;
      expect(m.exp(alias, v, alias)).toBe(alias);
      expect(Array.from(alias)).toEqual(Array.from(fresh));
      const logAlias = fresh.slice() as RealArray;
      m.log(x, logAlias, logAlias);
      expect(Array.from(logAlias)).toEqual(Array.from(m.log(x, fresh)));

      const other = f64 ? Float32Array.from(x) : Float64Array.from(x);
      expect(() => m.exp(other, v)).toThrow(DtypeError);
      expect(() => m.exp(other, v)).toThrow(new RegExp(`${m.name}\\.exp`));
      expect(() => m.log(x, x, f64 ? new Float32Array(x.length) : new Float64Array(x.length))).toThrow(DtypeError);
      const short = x.subarray(0, x.length - 1) as RealArray;
      expect(() => m.retract(short, v)).toThrow(ShapeError);
      expect(() => m.retract(short, v)).toThrow(new RegExp(`${m.name}\\.retract`));
      expect(() => m.metric(x, v, short)).toThrow(ShapeError);
      if (m.dim !== x.length) expect(() => m.toAlgebra!(x, v, zerosLike(x))).toThrow(ShapeError);
    });

    if (!f64) {
      it("float32 agrees with float64 to float32 precision", () => {
        const m64 = factory.create({ shape: o.shape, dtype: "float64" });
        const rand = mulberry32(23);
        const x64 = m64.random(rngKey(1300));
        const v64 = randomTangent(m64, x64, rand, far * 0.7);
        const x32 = Float32Array.from(x64);
        const v32 = Float32Array.from(v64);
        const scale = eps("float32") * 100 * (o.float32Scale ?? 1);
        expectBelow(relDiff(m.exp(x32, v32), m64.exp(x64, v64)), scale, "exp f32 vs f64");
        const y64 = m64.exp(x64, v64);
        expectBelow(relDiff(m.log(x32, Float32Array.from(y64)), m64.log(x64, y64), far), scale * 10, "log f32 vs f64");
      });
    }
  });
}
