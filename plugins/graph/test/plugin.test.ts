import { Registry } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { denoiseRing } from "../examples/denoise-ring.js";
import pkg from "../package.json" with { type: "json" };
import { graphPlugin } from "../src/index.js";

describe("graphPlugin", () => {
  it("registers its ops, atoms and transforms under its own name and version", () => {
    const registry = new Registry();
    const report = registry.use(graphPlugin);
    expect(report.failed).toEqual([]);
    expect(report.loaded).toEqual([{ plugin: "@cflow/plugin-graph", version: pkg.version }]);
    const listed = registry.list().map((e) => `${e.namespace}:${e.name}:${e.provider.plugin}`);
    expect(listed.sort()).toEqual(
      [
        "atoms:dirichletEnergy",
        "atoms:graphTV",
        "ops:graphIncidence",
        "ops:graphLaplacian",
        "transforms:sgwt",
        "transforms:sgwtRing",
      ]
        .map((s) => `${s}:@cflow/plugin-graph`)
        .sort(),
    );
  });

  it("is per registry: loading it twice into one registry fails by name and undoes its partial registrations", () => {
    const registry = new Registry();
    registry.use(graphPlugin);
    const again = registry.use(graphPlugin);
    expect(again.failed).toHaveLength(1);
    expect(again.failed[0].error.message).toMatch(/registered twice: by @cflow\/plugin-graph@0\.1\.0 and by @cflow\/plugin-graph@0\.1\.0/);
    expect(registry.list()).toHaveLength(6);
    expect(new Registry().list()).toHaveLength(0);
  });
});

describe("example: denoising a piecewise-constant signal on a ring", () => {
  it.each(["float64", "float32"] as const)("lowers the error with every method, graph TV the most (%s)", (dtype) => {
    const r = denoiseRing({ dtype });
    expect(r.noisy).toBeGreaterThan(0.2);
    expect(r.dirichlet).toBeLessThan(0.6 * r.noisy);
    expect(r.wavelets).toBeLessThan(0.7 * r.noisy);
    expect(r.tv).toBeLessThan(0.35 * r.noisy);
    expect(r.tv).toBeLessThan(Math.min(r.dirichlet, r.wavelets));
  });
});
