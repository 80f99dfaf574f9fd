import { describe, expect, it } from "vitest";
import { type Dtype, type RealArray, type Shape, zeros } from "../src/dtype.js";
import { CflowError } from "../src/errors.js";
import { validateManifoldFactory } from "../src/manifolds/validate.js";
import type { Manifold, ManifoldFactory } from "../src/ports/manifold.js";
import { definePlugin } from "../src/registry/plugin.js";
import { Registry } from "../src/registry/registry.js";
import { type RngKey, normal } from "../src/rng.js";

// A small, correct unit sphere written for this test (the real adapters live in
// @cflow/manifolds, which core cannot depend on), and broken variants of it.
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

function sphere(shape: Shape, dtype: Dtype): Manifold {
  const n = shape[0];
  const o = (out?: RealArray) => out ?? zeros(dtype, n);
  const fill = (out: RealArray, f: (i: number) => number) => {
    const vals = Array.from({ length: n }, (_, i) => f(i));
    vals.forEach((v, i) => (out[i] = v));
    return out;
  };
  const m: Manifold = {
    name: "test-sphere",
    shape,
    dim: n - 1,
    dtype,
    exp(x, v, out) {
      const t = Math.sqrt(dot(v, v));
      const s = t < 1e-8 ? 1 : Math.sin(t) / t;
      return fill(o(out), (i) => Math.cos(t) * x[i] + s * v[i]);
    },
    log(x, y, out) {
      const c = dot(x, y);
      const u = Array.from({ length: n }, (_, i) => y[i] - c * x[i]);
      const nu = Math.sqrt(dot(u, u));
      const th = Math.atan2(nu, c);
      return fill(o(out), (i) => (nu === 0 ? 0 : (th / nu) * u[i]));
    },
    retract(x, v, out) {
      const s = Math.sqrt(dot(x, x) + 2 * dot(x, v) + dot(v, v));
      return fill(o(out), (i) => (x[i] + v[i]) / s);
    },
    projTangent(x, u, out) {
      const a = dot(x, u);
      return fill(o(out), (i) => u[i] - a * x[i]);
    },
    egradToRgrad(x, g, out) {
      return m.projTangent(x, g, out);
    },
    metric: (_x, u, v) => dot(u, v),
    transport(x, y, v, out) {
      const a = dot(y, v) / (1 + dot(x, y));
      return fill(o(out), (i) => v[i] - a * (x[i] + y[i]));
    },
    dist(x, y) {
      const l = m.log(x, y);
      return Math.sqrt(dot(l, l));
    },
    project(x, out) {
      const s = Math.sqrt(dot(x, x));
      return fill(o(out), (i) => x[i] / s);
    },
    residual: (x) => Math.abs(Math.sqrt(dot(x, x)) - 1),
    random(key: RngKey, out) {
      return m.project(normal(key, n, dtype), out);
    },
  };
  return m;
}

const good: ManifoldFactory = { create: ({ shape, dtype }) => sphere(shape, dtype), probe: { shape: [5] } };
const broken = (patch: (m: Manifold) => Partial<Manifold>): ManifoldFactory => ({
  create: ({ shape, dtype }) => {
    // The patch wraps an unpatched instance, so it can call the correct method it replaces.
    return Object.assign(sphere(shape, dtype), patch(sphere(shape, dtype)));
  },
  probe: { shape: [5] },
});

describe("validateManifoldFactory", () => {
  it("passes a correct manifold in both dtypes and reports every measurement", () => {
    const report = validateManifoldFactory("test-sphere", good);
    expect(report.checks.every((c) => c.passed)).toBe(true);
    const props = new Set(report.checks.map((c) => c.property));
    for (const p of ["exp stays on the manifold (residual)", "log(x, exp(x, v)) = v", "exp(x, log(x, y)) = y", "transport preserves the metric", "projTangent is idempotent"]) {
      expect(props.has(p)).toBe(true);
    }
    expect(new Set(report.checks.map((c) => c.dtype))).toEqual(new Set(["float64", "float32"]));
    const log64 = report.checks.find((c) => c.property === "log(x, exp(x, v)) = v" && c.dtype === "float64")!;
    expect(log64.error).toBeLessThan(1e-14);
  });

  it.each<[string, (m: Manifold) => Partial<Manifold>, RegExp]>([
    ["exp that leaves the manifold", (m) => ({ exp: (x, v, out) => m.retract(x, v, out).map((q) => q * 1.01) as RealArray }), /exp stays on the manifold \(residual\) \(float64\) — measured 1\.000e-2/],
    ["log off by a factor", (m) => ({ log: (x, y, out) => m.log(x, y, out).map((q) => 2 * q) as RealArray }), /log\(x, exp\(x, v\)\) = v \(float64\) — measured 1\.000e\+0/],
    ["retract that ignores v", () => ({ retract: (x, _v, out) => Float64Array.from(x).map((q, i) => (out ? (out[i] = q) : q)) as never }), /retract agrees with exp to first order/],
    ["transport that is the identity", () => ({ transport: (_x, _y, v) => v.slice() as RealArray }), /transport lands in the tangent space at y \(float64\)/],
    ["transport that scales", (m) => ({ transport: (x, y, v, out) => m.transport(x, y, v, out).map((q) => 1.1 * q) as RealArray }), /transport preserves the metric \(float64\)/],
    ["unprojected Riemannian gradient", () => ({ egradToRgrad: (_x, g) => g.slice() as RealArray }), /egradToRgrad is tangent \(float64\)/],
    ["asymmetric metric", () => ({ metric: (_x, u, v) => dot(u, v) + 0.1 * u[0] * v[1] }), /metric is symmetric \(float64\)/],
    ["float32 run returning float64", (m) => ({ exp: (x, v, out) => (out ? m.exp(x, v, out) : (Float64Array.from(m.exp(x, v)) as RealArray)) }), /exp returns a float32 array of 5 entries \(float32\) — exp returned Float64Array\(5\), expected a Float32Array/],
    ["method that throws", () => ({ dist: () => { throw new Error("boom"); } }), /dist is the metric length of log \(float64\) — threw: boom/],
  ])("rejects a manifold with %s, naming the property and the measured error", (_what, patch, msg) => {
    let caught: unknown;
    try {
      validateManifoldFactory("bad-sphere", broken(patch));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(CflowError);
    expect((caught as CflowError).code).toBe("MANIFOLD_VALIDATION_FAILED");
    expect((caught as CflowError).message).toMatch(/^manifold "bad-sphere" failed validation at probe shape \[5\]: /);
    expect((caught as CflowError).message).toMatch(msg);
    expect((caught as CflowError).details.path).toBe("manifolds.bad-sphere");
  });

  it("rejects a factory that is not one, or whose create throws or returns the wrong shape", () => {
    expect(() => validateManifoldFactory("x", {} as ManifoldFactory)).toThrow(/manifold "x": expected \{ create\(options\), probe: \{ shape \} \}/);
    expect(() => validateManifoldFactory("x", { create: () => { throw new Error("nope"); }, probe: { shape: [3] } })).toThrow(/create \(float64\) — create\(\{ shape: \[3\], dtype: "float64" \}\) threw: nope/);
    expect(() => validateManifoldFactory("x", { create: ({ dtype }) => sphere([4], dtype), probe: { shape: [5] } })).toThrow(/shape \(float64\) — manifold.shape is an array of 1, expected \[5\]/);
  });

  it("runs at registration: a plugin with a broken manifold fails by name, the others load", () => {
    const registry = new Registry({ manifolds: validateManifoldFactory });
    const report = registry.use(
      definePlugin({ name: "bad-plugin", version: "1.0.0", setup: (r) => r.manifolds.register("wobbly", broken((m) => ({ log: (x, y, out) => m.log(x, y, out).map((q) => 2 * q) as RealArray }))) }),
      definePlugin({ name: "good-plugin", version: "2.0.0", setup: (r) => r.manifolds.register("round", good) }),
    );
    expect(report.loaded.map((p) => p.plugin)).toEqual(["good-plugin"]);
    expect(report.failed).toHaveLength(1);
    expect(report.failed[0].plugin).toBe("bad-plugin");
    expect(report.failed[0].error.message).toMatch(/manifold "wobbly" failed validation .*log\(x, exp\(x, v\)\) = v/);
    expect(registry.manifolds.has("wobbly")).toBe(false);
    expect(registry.manifolds.names()).toEqual(["round"]);
  });
});
