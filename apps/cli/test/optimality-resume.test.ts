// --rtol through the binary: a forward–backward run stops "converged" on it (stop reason and
// measure in the manifest summary), and `cflow resume` reapplies the recorded --rtol — a run cut
// short by its iteration budget and resumed stops where the uninterrupted run stopped.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadRunManifest, queryRuns } from "@cflow/recorder";
import { describe, expect, it } from "vitest";
import { capsuleOf, cflow, tempDir } from "./helpers.js";

const dir = tempDir("optimality");
const SPEC = join(dir, "spec.ts");
// 1D deconvolution with an l1 term and a pull towards y (certified at once: ‖Kᵀ K‖'s off-diagonal
// mass is below 0.9 of the diagonal): FISTA stops on the default rtol (1e-6) ~30 iterations before 1e-12
writeFileSync(
  SPEC,
  `import { conv1d, defineFlow, gaussianKernel1d } from "@cflow/core";
export default defineFlow(({ dtype, seed }) => {
  const n = 128;
  const psf = gaussianKernel1d(1.5, dtype);
  const blur = conv1d(psf, { shape: [n], boundary: "circular", dtype });
  const x = new (dtype === "float64" ? Float64Array : Float32Array)(n);
  for (let i = 0; i < n; i++) x[i] = (i % 17 === 0 ? 2 : 0) + Math.sin(i / 9);
  const y = blur.apply(x);
  blur.dispose();
  for (let i = 0; i < n; i++) y[i] += 0.01 * Math.cos(7 * i);
  return {
    name: "optimality", dtype, seed,
    state: { x: { shape: [n] } },
    data: { y, psf },
    ops: { K: { type: "conv1d", kernel: "psf", shape: [n], boundary: "circular" } },
    terms: [
      { kind: "data", atom: "leastSquares", op: "K", target: "y" },
      { kind: "data", atom: "leastSquares", target: "y", weight: 0.8 },
      { kind: "regularizer", atom: "l1", weight: 0.02 },
    ],
    policies: { tuner: { enabled: false }, budgets: { maxIters: 20000, tol: 0 } },
  };
});
`,
);

describe("--rtol", () => {
  it("a forward–backward run stops converged on it; cflow resume reapplies the recorded --rtol", async () => {
    const runs = join(dir, "runs");
    const base = ["run", SPEC, "--deterministic", "--out", runs];
    const whole = await cflow([...base, "--rtol", "1e-12"]);
    expect(whole.code).toBe(0);
    const wholeM = loadRunManifest(capsuleOf(whole)).summary!;
    expect(wholeM).toMatchObject({ status: "FINISHED", stop_reason: "converged" });
    expect(wholeM.optimality as number).toBeLessThanOrEqual(1e-12);
    const K = wholeM.iters;
    expect(K).toBeLessThan(20000);
    // the default rtol (1e-6) stops earlier: a resume that forgot --rtol would stop elsewhere
    const loose = await cflow(base);
    const looseIters = loadRunManifest(capsuleOf(loose)).summary!.iters;
    expect(looseIters).toBeLessThan(K - 10);
    expect(loadRunManifest(capsuleOf(loose)).summary!.stop_reason).toBe("converged");

    // cut short by the iteration budget (after GREEN, before either tolerance is met), then
    // resumed with more iterations and no --rtol
    const cutAt = looseIters - 2;
    const cut = await cflow([...base, "--rtol", "1e-12", "--max-iters", String(cutAt)]);
    const capsule = capsuleOf(cut);
    expect(loadRunManifest(capsule).summary).toMatchObject({ iters: cutAt, stop_reason: "budget" });
    expect(readFileSync(join(capsule, "manifest.toml"), "utf8")).toMatch(/^rtol = 1e-12$/m);
    const resumed = await cflow(["resume", capsule, "--continue-iterations", "20000", "--json"]);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout).result).toMatchObject({ stop_reason: "converged", iters: K });
    const m = loadRunManifest(capsule).summary!;
    expect(m).toMatchObject({ status: "FINISHED", stop_reason: "converged", iters: K });
    expect(m.final_energy).toBe(wholeM.final_energy);
    // every step row of the capsule carries the measure, and the runs view the reason
    const [t] = await queryRuns("SELECT count(*) FILTER (WHERE optimality IS NULL AND notes IS NULL) AS missing, min(optimality) AS best FROM telemetry", capsule);
    expect(t.missing).toBe(0);
    expect(t.best as number).toBeLessThanOrEqual(1e-12);
    const [r] = await queryRuns("SELECT stop_reason FROM runs", capsule);
    expect(r.stop_reason).toBe("converged");
  });
});
