import { CflowError, type Manifold, Registry, definePlugin } from "@cflow/core";
import { validateManifoldFactory } from "@cflow/core/testing";
import { describe, expect, it } from "vitest";
import pkg from "../package.json";
import { SPD, manifoldsPlugin, sphereFactory, stiefelFactory } from "../src/index.js";

const NAMES = ["euclidean", "se3", "so3", "spd", "sphere", "stiefel"];

describe("manifoldsPlugin", () => {
  it("registers every manifold through a validating registry, with its provider and version", () => {
    const registry = new Registry({ manifolds: validateManifoldFactory });
    const report = registry.use(manifoldsPlugin);
    expect(report.failed).toEqual([]);
    expect(manifoldsPlugin.name).toBe("@cflow/manifolds");
    expect(manifoldsPlugin.version).toBe(pkg.version);
    expect(registry.manifolds.names()).toEqual(NAMES);
    for (const e of registry.manifolds.list()) expect(e.provider).toEqual({ plugin: "@cflow/manifolds", version: pkg.version });
  });

  it("creates each manifold from a slot shape in both dtypes", () => {
    const registry = new Registry();
    registry.use(manifoldsPlugin);
    const slots: Record<string, [number[], number]> = {
      euclidean: [[4, 5], 20],
      sphere: [[10], 9],
      so3: [[3, 3], 3],
      se3: [[4, 4], 6],
      spd: [[5, 5], 15],
      stiefel: [[8, 3], 18],
    };
    for (const [name, [shape, dim]] of Object.entries(slots)) {
      for (const dtype of ["float64", "float32"] as const) {
        const m: Manifold = registry.manifolds.get(name).create({ shape, dtype });
        expect(m.name).toBe(name);
        expect(m.dim).toBe(dim);
        expect(m.dtype).toBe(dtype);
        expect(m.shape).toEqual(shape);
      }
    }
    expect(registry.manifolds.get("spd").create({ shape: [2, 2], dtype: "float64" })).toBeInstanceOf(SPD);
    expect(() => registry.manifolds.get("sphre")).toThrow(/unknown manifold "sphre" — did you mean "sphere"\?/);
  });

  it("reports a second registration of a name with both plugins named", () => {
    const registry = new Registry();
    registry.use(manifoldsPlugin);
    const report = registry.use(definePlugin({ name: "my-sphere", version: "0.0.1", setup: (r) => r.manifolds.register("sphere", sphereFactory) }));
    expect(report.failed[0].error.message).toMatch(/manifolds "sphere" is registered twice: by @cflow\/manifolds@0\.1\.0 and by my-sphere@0\.0\.1/);
  });

  it("validator rejects a deliberately broken manifold registered by a plugin, and keeps the good ones", () => {
    const broken = {
      ...stiefelFactory,
      create: (o: Parameters<typeof stiefelFactory.create>[0]) => {
        const m = stiefelFactory.create(o);
        // A "transport" that only projects onto T_yM: tangent, but not an isometry.
        return Object.assign(Object.create(Object.getPrototypeOf(m)), m, { transport: (_x: never, y: Float64Array, v: Float64Array) => m.projTangent(y, v) });
      },
    };
    const registry = new Registry({ manifolds: validateManifoldFactory });
    const report = registry.use(manifoldsPlugin, definePlugin({ name: "broken", version: "1.0.0", setup: (r) => r.manifolds.register("stiefelBroken", broken) }));
    expect(report.loaded.map((p) => p.plugin)).toEqual(["@cflow/manifolds"]);
    const err = report.failed[0].error as CflowError;
    expect(err).toBeInstanceOf(CflowError);
    expect(err.message).toMatch(/^manifold "stiefelBroken" failed validation at probe shape \[6, 3\]: transport preserves the metric \(float64\) — measured \d\.\d{3}e-\d+ > tolerance 1\.0e-8/);
    expect(registry.manifolds.has("stiefelBroken")).toBe(false);
  });

  it("passes validation with small measured errors for every built-in manifold", () => {
    for (const e of (() => {
      const r = new Registry();
      r.use(manifoldsPlugin);
      return r.manifolds.list();
    })()) {
      const report = validateManifoldFactory(e.name, e.value);
      // Every float64 measurement is at rounding level, far below the probe's 1e-8; the
      // retraction's first-order ratio is O(h) by design and not an error, so it is left out.
      const worst64 = Math.max(...report.checks.filter((c) => c.dtype === "float64" && !c.property.startsWith("retract agrees")).map((c) => c.error));
      expect(worst64, e.name).toBeLessThan(1e-12);
    }
  });
});
