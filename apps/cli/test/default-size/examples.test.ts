// Every bundled example, as a new user runs it: `cflow run examples/<name>` from the repository
// root through the built binary, at its default size, with no flag but --out (the capsules go to a
// scratch directory instead of the repository's runs/). Each run must end with the phase, status
// and exit code its README documents; an example with a known truth must restore it (deconv-2d
// also within 0.5 dB of its best fixed λ). Slow — minutes: deconv-2d's certificates of ~10⁴ active
// coefficients and its best-λ sweep most of it — so it is `pnpm test:examples`, which CI runs after
// `pnpm test`. The runs are sequential, so each wall time printed is the example's own.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type FlowDefinition, compileFlow, resolveRun, runCertified } from "@cflow/core";
import { afterAll, describe, expect, it } from "vitest";
import { readNpy } from "../../src/data/npy.js";
import { listExamples } from "../../src/examples-catalog.js";
import { documentedOutcome } from "../documented-outcome.js";
import { EXAMPLES, capsuleOf, cflow, cli, tempDir } from "../helpers.js";

/** Ground truth of the examples whose result is checked against it (their spec modules export it). */
const TRUTH: Record<string, () => Promise<Float64Array>> = {
  "tv-denoise": async () => (await import(pathToFileURL(join(EXAMPLES, "tv-denoise", "spec.ts")).href)).blocks(256),
  // photon counts: the scene at the default peak, 30
  "poisson-deblur": async () => (await import(pathToFileURL(join(EXAMPLES, "poisson-deblur", "spec.ts")).href)).scene(64).map((v: number) => 30 * v),
  "salt-pepper": async () => (await import(pathToFileURL(join(EXAMPLES, "salt-pepper", "spec.ts")).href)).scene(128),
  "deconv-2d": async () => (await import(pathToFileURL(join(EXAMPLES, "deconv-2d", "shepp-logan.ts")).href)).sheppLogan(512),
};

/**
 * Examples whose certified result is also held against the best fixed λ: the example's own flow,
 * uncertified, for as many iterations as the certified run, at each λ of the grid (the quality
 * bench's sweep, packages/integration/bench/quality.bench.ts). The certified run must come within
 * `within` dB of the best of them.
 */
const BEST_LAMBDA: Record<string, { lambdas: number[]; iters: number; within: number }> = {
  "deconv-2d": { lambdas: [5e-4, 1e-3, 2e-3], iters: 300, within: 0.5 },
};

async function bestFixedLambda(name: string, truth: Float64Array, peak: number): Promise<{ lambda: number; psnr: number }> {
  const { lambdas, iters } = BEST_LAMBDA[name];
  const spec = (await import(pathToFileURL(join(EXAMPLES, name, "spec.ts")).href)).default as FlowDefinition;
  let best = { lambda: Number.NaN, psnr: Number.NEGATIVE_INFINITY };
  for (const lambda of lambdas) {
    const { compiled } = compileFlow(spec, { dtype: "float64", params: { lambda: String(lambda) } });
    const res = await runCertified(compiled, { config: resolveRun(compiled, { budgets: { maxIters: iters, tol: 0 } }) });
    compiled.dispose();
    const q = psnr(res.state.x, truth, peak);
    if (q > best.psnr) best = { lambda, psnr: q };
  }
  return best;
}

/** Peak value of each checked example's truth, for its PSNR (1 unless said here). */
const PEAK: Record<string, number> = { "poisson-deblur": 30 };

/**
 * How many dB the result must gain over the input (3 unless said here): deblurring at noise 0.01
 * gains less than denoising — deconv-2d's best fixed λ is some 2 dB above its input.
 */
const MARGIN: Record<string, number> = { "deconv-2d": 1.5 };

function psnr(x: ArrayLike<number>, truth: ArrayLike<number>, peak = 1): number {
  let se = 0;
  for (let i = 0; i < truth.length; i++) se += (x[i] - truth[i]) ** 2;
  return 10 * Math.log10((peak * peak) / (se / truth.length));
}

const examples = listExamples(EXAMPLES).map((e) => e.name);
const timings: { name: string; seconds: number; outcome: string }[] = [];

describe("every bundled example at its default size, from the repository root", () => {
  const runs = tempDir("default-size-runs");

  it("is what `cflow examples` lists", async () => {
    const listed = JSON.parse((await cli(["examples", "--json"])).stdout).result.map((e: { name: string }) => e.name);
    expect(listed).toEqual(examples);
    expect(examples.length).toBeGreaterThanOrEqual(9);
  });

  it.each(examples)("cflow run examples/%s ends as its README says", async (name) => {
    const want = documentedOutcome(EXAMPLES, name);
    const t0 = performance.now();
    const r = await cflow(["run", `examples/${name}`, "--out", runs]);
    const seconds = (performance.now() - t0) / 1000;
    const last = r.stdout.split("\n").find((l) => /^(GREEN|AMBER|RED) · /.test(l)) ?? r.stderr.trim().split("\n")[0];
    timings.push({ name, seconds, outcome: `${last} (exit ${r.code})` });
    expect({ code: r.code, stderr: r.code === want.code ? "" : r.stderr }).toEqual({ code: want.code, stderr: "" });
    expect(r.stdout).toMatch(new RegExp(`^${want.phase} · ${want.status} · \\d+ iterations`, "m"));
    // the certificate line never shows passing gates on a failed certificate
    const cert = r.stdout.split("\n").find((l) => l.startsWith("certificate ("))!;
    expect(cert).toBeDefined();
    if (want.phase !== "GREEN") expect(cert).toMatch(/ > η_max | < γ_min |not certified: /);

    const truth = TRUTH[name];
    if (truth) {
      // the result is closer to the truth than the input
      const dir = capsuleOf(r);
      const t = await truth();
      const input = readNpy(join(dir, "artifacts", "input.npy")).data;
      const result = readNpy(join(dir, "artifacts", "result.npy")).data;
      const restored = psnr(result, t, PEAK[name]);
      expect(restored).toBeGreaterThan(psnr(input, t, PEAK[name]) + (MARGIN[name] ?? 3));
      if (BEST_LAMBDA[name]) {
        const best = await bestFixedLambda(name, t, PEAK[name] ?? 1);
        timings.at(-1)!.outcome += ` · ${restored.toFixed(2)} dB, best fixed λ ${best.lambda}: ${best.psnr.toFixed(2)} dB`;
        expect(restored).toBeGreaterThan(best.psnr - BEST_LAMBDA[name].within);
      }
    }
  });

  afterAll(() => {
    const w = Math.max(...timings.map((t) => t.name.length));
    const total = timings.reduce((s, t) => s + t.seconds, 0);
    console.log(
      ["wall time per example (default size, sequential):", ...timings.map((t) => `  ${t.name.padEnd(w)}  ${t.seconds.toFixed(1).padStart(6)} s  ${t.outcome}`), `  ${"total".padEnd(w)}  ${total.toFixed(1).padStart(6)} s`].join("\n"),
    );
  });
});
