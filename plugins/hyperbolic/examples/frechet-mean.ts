// The Fréchet (Karcher) mean of points in hyperbolic space by Riemannian gradient descent, with
// the manifold resolved by name through a Registry the plugin was loaded into:
//   f(x) = (1/2N) Σ_i d(x, y_i)²,   grad f(x) = −(1/N) Σ_i log_x(y_i),   x ← exp_x(−η grad f(x)).
// f is geodesically convex on a Hadamard manifold, so the mean is unique and η = 1 converges.
//
// Run: pnpm --filter @cflow/plugin-hyperbolic example   (or: npx tsx examples/frechet-mean.ts)
import { pathToFileURL } from "node:url";
import { type Dtype, type Manifold, type ManifoldFactory, type RealArray, Registry, foldIn, normal, rngKey, zeros } from "@cflow/core";
import { hyperbolicPlugin } from "../src/index.js";

export interface FrechetMeanResult {
  mean: RealArray;
  /** f at the mean. */
  cost: number;
  /** ‖grad f‖ at the mean (metric norm). */
  gradNorm: number;
  iterations: number;
}

/** Riemannian gradient descent on f(x) = (1/2N) Σ d(x, y_i)², from the first point. */
export function frechetMean(m: Manifold, points: RealArray[], options: { step?: number; tol?: number; maxIter?: number } = {}): FrechetMeanResult {
  const { step = 1, tol = 1e-12, maxIter = 500 } = options;
  const x = points[0].slice() as RealArray;
  const g = zeros(m.dtype, x.length);
  let gradNorm = Infinity;
  let iterations = 0;
  for (; iterations < maxIter; iterations++) {
    g.fill(0);
    for (const y of points) {
      const l = m.log(x, y);
      for (let i = 0; i < g.length; i++) g[i] -= l[i] / points.length;
    }
    gradNorm = Math.sqrt(m.metric(x, g, g));
    if (gradNorm <= tol) break;
    m.retract(x, g.map((q) => -step * q) as RealArray, x);
  }
  const cost = points.reduce((s, y) => s + m.dist(x, y) ** 2, 0) / (2 * points.length);
  return { mean: x, cost, gradNorm, iterations };
}

/** A cloud of points around a centre: exp_centre of Gaussian tangent vectors. */
export function pointCloud(m: Manifold, count: number, spread: number, seed: number): RealArray[] {
  const centre = m.random(rngKey(seed));
  return Array.from({ length: count }, (_, k) => {
    const v = normal(foldIn(rngKey(seed), k + 1), m.dim, m.dtype).map((q) => q * spread) as RealArray;
    return m.exp(centre, m.fromAlgebra ? m.fromAlgebra(centre, v) : v);
  });
}

export function runExample(dtype: Dtype = "float64"): FrechetMeanResult & { euclideanMeanCost: number } {
  const registry = new Registry();
  const report = registry.use(hyperbolicPlugin);
  if (report.failed.length > 0) throw report.failed[0].error;
  const ball = (registry.manifolds.get("poincare") as ManifoldFactory).create({ shape: [3], dtype });
  const points = pointCloud(ball, 25, 0.8, 11);
  const result = frechetMean(ball, points, { tol: dtype === "float64" ? 1e-12 : 1e-5 });
  // the coordinate-wise average is not the hyperbolic mean: it costs more
  const euclidean = zeros(dtype, 3).map((_, i) => points.reduce((s, p) => s + p[i], 0) / points.length) as RealArray;
  const euclideanMeanCost = points.reduce((s, y) => s + ball.dist(euclidean, y) ** 2, 0) / (2 * points.length);
  return { ...result, euclideanMeanCost };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const dtype of ["float64", "float32"] as const) {
    const r = runExample(dtype);
    console.log(
      `${dtype}: Fréchet mean [${Array.from(r.mean, (q) => q.toFixed(6)).join(", ")}] after ${r.iterations} steps, ‖grad‖ = ${r.gradNorm.toExponential(2)}, ` +
        `cost ${r.cost.toFixed(6)} (coordinate average: ${r.euclideanMeanCost.toFixed(6)})`,
    );
  }
}
