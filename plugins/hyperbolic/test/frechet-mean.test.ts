import { DTYPES, type RealArray, rngKey } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { frechetMean, pointCloud, runExample } from "../examples/frechet-mean.js";
import { PoincareBall } from "../src/index.js";
import { mobius } from "./helpers.js";
import { expectBelow, relDiff } from "@cflow/test-kit";

describe.each(DTYPES)("example: hyperbolic Fréchet mean (%s)", (dtype) => {
  const f64 = dtype === "float64";

  it("converges to a stationary point that beats the coordinate average", () => {
    const r = runExample(dtype);
    expectBelow(r.gradNorm, f64 ? 1e-12 : 1e-5, "‖grad f‖ at the mean");
    expect(r.cost).toBeLessThan(r.euclideanMeanCost);
  });

  it("gives the geodesic midpoint for two points", () => {
    const m = new PoincareBall({ shape: [4], dtype });
    const x = m.random(rngKey(1));
    const y = m.random(rngKey(2));
    const mid = m.exp(x, m.log(x, y).map((q) => q / 2) as RealArray);
    const r = frechetMean(m, [x, y], { tol: f64 ? 1e-13 : 1e-5 });
    expectBelow(relDiff(r.mean, mid), f64 ? 1e-12 : 2e-5, "mean of two points vs midpoint");
    expectBelow(Math.abs(m.dist(r.mean, x) - m.dist(r.mean, y)), f64 ? 1e-12 : 2e-5, "equidistant");
  });

  it("moves with the isometries of the ball: mean(a ⊕ Y) = a ⊕ mean(Y)", () => {
    const m = new PoincareBall({ shape: [3], dtype: "float64" });
    const points = pointCloud(m, 12, 0.6, 5);
    const a = [0.3, -0.5, 0.2];
    const moved = points.map((p) => Float64Array.from(mobius(a, p)));
    const mean = frechetMean(m, points).mean;
    const movedMean = frechetMean(m, moved).mean;
    expectBelow(relDiff(movedMean, mobius(a, mean)), 1e-11, "mean of translated points vs translated mean");
  });
});
