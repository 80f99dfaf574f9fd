// Restoration quality of certified runs (issue 12): for examples/deconv-2d (PSNR against the
// phantom) and examples/deconv-1d (SNR against the clean signal), in one run of this file:
//   - the input y;
//   - the certified result of a `cflow run`-equivalent: the example's spec at its default
//     parameters, with the hooks `cflow run` wires (apps/cli/src/run/execute-run.ts: the FDA with
//     64 sampled rows, the Gap Dial aiming at the spec's target, Morozov's discrepancy by default);
//   - the same with η_max raised (QUALITY_ETA_MAX, default 40; 0 skips it): what the tuner's target
//     reaches when the dominance gate admits the quality supports (issue 12 item 2 changes the gate);
//   - a best-λ sweep: uncertified fixed-λ runs of the spec's flow (300 iterations from Kᵀy, as the
//     certified run's budget), with the discrepancy ‖Kx − y‖²/(m σ̂²) and Morozov's pick on the grid.
// deconv-2d at 128² (key 2d-128) shows the tuner's path when the certificates stay exact (≤ 1024
// active coefficients): from the spec's λ to Morozov's within the example's budget.
// QUALITY_PROBLEMS=2d,1d,2d-128 selects problems; QUALITY_LAMBDAS_2D / _1D / _2D_128 replace the grids.
import { type CompiledFlow, type FlowDefinition, type RealArray, type RunResult, compileFlow, dataTerms, noiseLevel, residualNormSq, resolveRun, runCertified } from "@cflow/core";
import { fda } from "@cflow/fda";
import { gapDial, taskTarget } from "@cflow/tuner";
import { pathToFileURL } from "node:url";

/** An example's module, loaded at run time (the examples are not part of this package's program). */
const example = (path: string) => import(pathToFileURL(new URL(`../../../examples/${path}`, import.meta.url).pathname).href);
const { default: spec1d, piecewiseSmooth } = (await example("deconv-1d/spec.ts")) as { default: FlowDefinition; piecewiseSmooth: (n: number) => Float64Array };
const { default: spec2d } = (await example("deconv-2d/spec.ts")) as { default: FlowDefinition };
const { sheppLogan } = (await example("deconv-2d/shepp-logan.ts")) as { sheppLogan: (n: number) => Float64Array };

interface Problem {
  key: string;
  name: string;
  params: Record<string, string>;
  spec: FlowDefinition;
  truth: () => Float64Array;
  /** "PSNR" (peak 1: the phantom's range is [0, 1]) or "SNR". */
  metric: "PSNR" | "SNR";
  lambdas: number[];
}

const grid = (env: string | undefined, fallback: number[]) => (env ? env.split(",").map(Number) : fallback);
const PROBLEMS: Problem[] = [
  { key: "2d", name: "deconv-2d", params: {}, spec: spec2d, truth: () => sheppLogan(512), metric: "PSNR", lambdas: grid(process.env.QUALITY_LAMBDAS_2D, [5e-4, 1e-3, 2e-3, 3e-3, 5e-3, 1e-2, 3e-2, 0.1, 0.3, 1]) },
  { key: "1d", name: "deconv-1d", params: {}, spec: spec1d, truth: () => piecewiseSmooth(1 << 20), metric: "SNR", lambdas: grid(process.env.QUALITY_LAMBDAS_1D, [1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1]) },
  { key: "2d-128", name: "deconv-2d --param size=128", params: { size: "128" }, spec: spec2d, truth: () => sheppLogan(128), metric: "PSNR", lambdas: grid(process.env.QUALITY_LAMBDAS_2D_128, [1e-3, 2e-3, 3e-3, 4e-3, 5e-3, 7e-3, 1e-2, 3e-2, 0.1]) },
];
const ETA_MAX = Number(process.env.QUALITY_ETA_MAX ?? 40);

function quality(metric: Problem["metric"], x: ArrayLike<number>, truth: Float64Array): number {
  let err = 0;
  let sig = 0;
  for (let i = 0; i < truth.length; i++) {
    err += (x[i] - truth[i]) ** 2;
    sig += truth[i] * truth[i];
  }
  return metric === "PSNR" ? 10 * Math.log10(truth.length / err) : 10 * Math.log10(sig / err);
}

/** Non-zero W-coefficients of a state (the prox output's support, up to the round trip's rounding). */
function activeCount(compiled: CompiledFlow, x: RealArray): number {
  const u = compiled.W!.forward(x);
  let max = 0;
  for (let i = 0; i < u.length; i++) max = Math.max(max, Math.abs(u[i]));
  let n = 0;
  for (let i = 0; i < u.length; i++) if (Math.abs(u[i]) > 1e-12 * max) n++;
  return n;
}

/** The certified run `cflow run` makes of this compiled spec (the CLI's hooks), with `etaMax` when given. */
async function certifiedRun(compiled: CompiledFlow, etaMax?: number): Promise<RunResult> {
  const config = resolveRun(compiled, etaMax ? { certification: { etaMax } } : {});
  const t = config.tuner;
  const target = t.target === "none" ? null : taskTarget(compiled, { name: t.target, tau: t.tau, traceProbes: t.traceProbes });
  return runCertified(compiled, { config, certify: fda({ rows: { sampleRows: 64 } }), tune: gapDial(target ? { target } : {}) });
}

export default async function qualityBench(): Promise<void> {
  const only = (process.env.QUALITY_PROBLEMS ?? "2d,1d,2d-128").split(",");
  console.log("\n### Restoration quality: input, certified `cflow run`, best λ (float64, default parameters)\n");
  for (const p of PROBLEMS.filter((q) => only.includes(q.key))) {
    const truth = p.truth();
    const base = compileFlow(p.spec, { dtype: "float64", params: p.params }).compiled;
    const term = dataTerms(base)[0];
    const sigmaHat = noiseLevel(term.y, term.shape)!;
    const disc = (c: CompiledFlow, state: Record<string, RealArray>) => residualNormSq(term, state) / (term.m * sigmaHat * sigmaHat);
    console.log(`#### ${p.name} — ${String(base.spec.description)} σ̂ = ${sigmaHat.toPrecision(4)} (MAD of the finest db4 detail band of y)\n`);
    console.log(`| run | λ | \\|S\\| | ${p.metric} (dB) | disc. ‖Kx − y‖²/(mσ̂²) | certified | wall |`);
    console.log("|---|---:|---:|---:|---:|---|---:|");
    const row = (run: string, lambda: number | null, s: number | string, q: number, d: number, cert: string, ms: number) =>
      console.log(`| ${run} | ${lambda === null ? "—" : lambda.toPrecision(3)} | ${s} | ${q.toFixed(2)} | ${d.toFixed(3)} | ${cert} | ${(ms / 1000).toFixed(1)} s |`);
    row("input y", null, "—", quality(p.metric, term.y, truth), disc(base, { x: Float64Array.from(term.y) }), "—", 0);

    const runs: { label: string; etaMax?: number }[] = [{ label: "certified `cflow run` (defaults)" }];
    if (ETA_MAX > 0) runs.push({ label: `certified, η_max = ${ETA_MAX} (local)`, etaMax: ETA_MAX });
    for (const r of runs) {
      const { compiled } = compileFlow(p.spec, { dtype: "float64", params: p.params });
      const t0 = performance.now();
      const res = await certifiedRun(compiled, r.etaMax);
      const ms = performance.now() - t0;
      const x = res.state.x;
      const card = res.runCard as { target?: { over_regularised?: boolean } };
      const path = res.tunerHistory.map((t) => `${t.to.lambda!.toPrecision(3)}${t.accepted ? "" : "✗"}`).join(" → ");
      const verdict = `${res.phase} · ${res.status}, ${res.tunerHistory.length} trials${path ? ` (${path})` : ""}${card.target?.over_regularised ? " · over-regularised" : ""}`;
      row(r.label, res.dials.lambda, activeCount(compiled, x), quality(p.metric, x, truth), disc(compiled, res.state), verdict, ms);
      compiled.dispose();
    }

    const sweep: { lambda: number; q: number; d: number }[] = [];
    for (const lambda of p.lambdas) {
      const { compiled } = compileFlow(p.spec, { dtype: "float64", params: { ...p.params, lambda: String(lambda) } });
      const t0 = performance.now();
      const res = await runCertified(compiled, { config: resolveRun(compiled, { budgets: { maxIters: 300, tol: 0, rtol: 0 } }) });
      const ms = performance.now() - t0;
      const q = quality(p.metric, res.state.x, truth);
      const d = disc(compiled, res.state);
      sweep.push({ lambda, q, d });
      row("fixed λ (uncertified)", lambda, activeCount(compiled, res.state.x), q, d, "no", ms);
      compiled.dispose();
    }
    const best = sweep.reduce((a, b) => (b.q > a.q ? b : a));
    const morozov = sweep.filter((s) => s.d <= 1).at(-1);
    const above = morozov ? sweep.find((s) => s.lambda > morozov.lambda && s.d > 1) : undefined;
    // where the discrepancy crosses 1, interpolated in (log λ, log disc.) between grid points
    const crossing = morozov && above ? Math.exp(Math.log(morozov.lambda) + (-Math.log(morozov.d) / (Math.log(above.d) - Math.log(morozov.d))) * (Math.log(above.lambda) - Math.log(morozov.lambda))) : null;
    console.log(
      `\nBest λ on the grid: ${best.lambda} (${p.metric} ${best.q.toFixed(2)} dB). Morozov on the grid (σ̂, τ = 1): ${morozov ? `${morozov.lambda} (${p.metric} ${morozov.q.toFixed(2)} dB)${crossing ? `; the discrepancy crosses 1 at λ ≈ ${crossing.toPrecision(3)}` : ""}` : "none (discrepancy > 1 everywhere)"}.\n`,
    );
    base.dispose();
  }
}
