// The certified-quality frontier (issue 12): for examples/deconv-2d and examples/deconv-1d at their
// defaults, FISTA (the spec's accelerated family, 300 iterations) at fixed λ over a grid, and per λ:
// quality against the truth, the support S, the dominance of L_S = (W KᵀK Wᵀ)[S, S] (plain η_dd and
// the optimally scaled ρ(|J|), both rigorous upper bounds), γ by every route with its time (and the
// dense λ_min where S is small enough), the discrepancy ‖Kx − y‖²/(mσ²) with the true σ and with
// σ̂ = MAD/0.6745 of the data's finest diagonal band, and the error bar of the best certified γ.
// Then which λ Morozov's principle picks (τ = 1, 1.1) and its quality, against the best λ.
//
//   cd packages/fda && npx tsx bench/run.ts frontier
//
// Knobs: FRONTIER_PROBLEMS (2d,1d), FRONTIER_DTYPE (float64; float32 runs FISTA in float32 and certifies
// with float64 copies of L and W plus the float32 taps' margin), FRONTIER_LAMBDAS, FRONTIER_ITERS (300), FRONTIER_DENSE_MAX
// (|S| for the dense check, 2500), FRONTIER_INERTIA_MAX (|S| ≤ 4000, or any |S| when L̂_S has ≤ 64
// entries per row), FRONTIER_CONGRUENCE_MAX_NNZ (6e7 entries of L̂_S), FRONTIER_RESTRICT_MAX
// (200000: above it no certificate is assembled).
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type CompiledFlow, createTransform, type Dtype, type FlowDefinition, type RealArray, compileFlow, FlowRunner, rngKey } from "@cflow/core";
import {
  congruenceGamma,
  convolutionGram,
  csrNonzeros,
  csrToDense,
  discrepancyRatio,
  dominance,
  estimateNoiseLevel,
  forwardBackwardErrorBar,
  type GammaCertificate,
  gershgorinGamma,
  inertiaGamma,
  lambdaMaxUpper,
  lanczosGamma,
  morozovChoice,
  type PeriodisedWavelet,
  ShiftClassRows,
} from "../src/index.js";
import { symmetricEigenvalues } from "@cflow/core/linalg";

const env = (k: string, d: string) => process.env[k] ?? d;
const LAMBDAS = env("FRONTIER_LAMBDAS", "1e-3,2e-3,3e-3,5e-3,1e-2,3e-2,0.1,0.3").split(",").map(Number);
const ITERS = Number(env("FRONTIER_ITERS", "300"));
const DENSE_MAX = Number(env("FRONTIER_DENSE_MAX", "2500"));
const INERTIA_MAX = Number(env("FRONTIER_INERTIA_MAX", "4000"));
const CONGRUENCE_MAX_NNZ = Number(env("FRONTIER_CONGRUENCE_MAX_NNZ", "6e7"));
const RESTRICT_MAX = Number(env("FRONTIER_RESTRICT_MAX", "200000"));
const DTYPE = env("FRONTIER_DTYPE", "float64") as Dtype;
const GAMMA_MIN = 1e-6;
const NOISE = 0.01;

interface Row {
  lambda: number;
  quality: number;
  support: number;
  discTrue: number;
  discEst: number;
  line: string;
}

const fmt = (v: number, p = 3) => (Number.isFinite(v) ? v.toExponential(p - 1) : v === Number.NEGATIVE_INFINITY ? "—" : String(v));
const ms = (t: number) => (t >= 10000 ? `${(t / 1000).toFixed(0)} s` : t >= 1000 ? `${(t / 1000).toFixed(1)} s` : `${t.toFixed(0)} ms`);

/**
 * ‖Kx − y‖² and the gradient mapping at x, in W-space (W unitary): u = W x, u⁺ = prox_{αg}(W(x − α∇f(x))),
 * G = (u − u⁺)/α over all coefficients and G_S over the support S (the non-zero prox outputs the
 * runner synthesised x from; the restricted step's coordinates: the
 * error bar to the minimiser on S needs only these coordinates).
 */
function residualAndGradientMapping(flow: CompiledFlow, x: RealArray, support: RealArray, alpha: number): { residualSq: number; full: number; restricted: number } {
  const residualSq = 2 * flow.fValue(x); // f = ½‖Kx − y‖² is the only smooth term
  const g = flow.fGrad(x);
  const z = x.slice();
  for (let i = 0; i < z.length; i++) z[i] = x[i] - alpha * g[i];
  const W = flow.W!;
  const u = W.forward(x);
  const up = flow.gProx(W.forward(z), alpha);
  let full = 0;
  let restricted = 0;
  for (let i = 0; i < u.length; i++) {
    const d = (u[i] - up[i]) ** 2;
    full += d;
    if (support[i] !== 0) restricted += d;
  }
  return { residualSq, full: Math.sqrt(full) / alpha, restricted: Math.sqrt(restricted) / alpha };
}

/** An example's module, loaded at run time (the examples live outside this package's sources). */
async function example<T>(path: string): Promise<T> {
  const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
  return (await import(pathToFileURL(join(root, path)).href)) as T;
}

async function frontier(name: string, def: FlowDefinition, truth: Float64Array, quality: (x: RealArray) => number, qualityName: string): Promise<void> {
  const t0 = performance.now();
  const { compiled } = compileFlow(def, { dtype: DTYPE, seed: 1 });
  // a float32 run is certified with float64 copies: the psf widens exactly, W is rebuilt with float64 taps
  const runW = compiled.W!;
  const W = (DTYPE === "float64" ? runW : createTransform(runW.name, { shape: [...runW.shape], levels: runW.levels, dtype: "float64" })) as unknown as PeriodisedWavelet;
  const psf = compiled.data.psf.toArray();
  const shape = [...W.shape];
  const L = convolutionGram(psf, { shape, kernelShape: shape.length === 2 ? [Math.round(Math.sqrt(psf.length)), Math.round(Math.sqrt(psf.length))] : undefined });
  const rows = ShiftClassRows.build(L, W, { runDtype: DTYPE });
  const y = Float64Array.from(compiled.data.y.toArray());
  const sigmaHat = estimateNoiseLevel(W.forward(y), W.bands);
  const m = y.length;
  const inputQuality = quality(y);
  let normK = 0;
  for (const v of psf) normK += Math.abs(v);
  console.log(`\n### ${name} — ${compiled.spec.description}\n`);
  console.log(
    `Input ${qualityName} ${inputQuality.toFixed(2)} dB. Shift-class rows of W KᵀK Wᵀ: ${rows.classes} classes from ${rows.applications} operator applications in ${ms(rows.ms)} (${rows.storedEntries} stored entries), ‖L_S − L̂_S‖ ≤ ${fmt(rows.perturbation)} for every S. σ̂ = MAD/0.6745 of the finest diagonal band of W y = ${sigmaHat.toPrecision(4)} (true ${NOISE}).\n`,
  );
  console.log(`| λ | ${qualityName} (dB) | \\|S\\| | nnz(L̂_S) | assemble | η_dd plain | ρ(\\|J\\|) ≤ (CW) | dominance | γ Gershgorin | γ scaled | γ Lanczos–KW (θ_min) | γ inertia | γ congruence | dense λ_min | disc. (σ true) | disc. (σ̂) | error bar ‖x − x*_S‖ ≤ |`);
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  const out: Row[] = [];
  for (const lambda of LAMBDAS) {
    const runner = new FlowRunner(compiled);
    runner.setDials({ lambda });
    for (let k = 0; k < ITERS; k++) runner.step();
    const x = runner.state;
    const u = runner.coefficients();
    const alpha = runner.dials.alpha;
    runner.dispose();
    const S: number[] = [];
    for (let i = 0; i < u.length; i++) if (u[i] !== 0) S.push(i);
    const q = quality(x);
    const { residualSq, full: gFull, restricted: gS } = residualAndGradientMapping(compiled, x, u, alpha);
    const discTrue = discrepancyRatio(residualSq, m, NOISE);
    const discEst = discrepancyRatio(residualSq, m, sigmaHat);
    const cells: string[] = [String(lambda), q.toFixed(2), String(S.length)];
    if (S.length > RESTRICT_MAX) {
      cells.push("—", "—", "—", "—", "—", "—", "—", "—", "—", "—", "—");
    } else {
      const R = rows.restrict(Int32Array.from(S));
      cells.push(String(csrNonzeros(R.matrix)), ms(R.ms));
      const dom = dominance(R);
      cells.push(dom.plain.toFixed(2), dom.scaled.toFixed(3), ms(dom.ms));
      const certs: GammaCertificate[] = [];
      const g1 = gershgorinGamma(R);
      const g2 = gershgorinGamma(R, dom.v);
      certs.push(g1, g2);
      cells.push(`${fmt(g1.gamma)} (${ms(g1.ms)})`, `${fmt(g2.gamma)} (${ms(g2.ms)})`);
      const sigma = lambdaMaxUpper(R, normK * normK);
      const lz = lanczosGamma(R, { key: rngKey(1), sigma, steps: 200 });
      certs.push(lz);
      const theta = lz.detail.thetaMin as number;
      cells.push(`${fmt(lz.gamma)} (θ ${fmt(theta)}, ${ms(lz.ms)})`);
      // inertia while the factor stays affordable: small supports, or sparse L̂_S (banded 1D supports)
      if (S.length <= INERTIA_MAX || csrNonzeros(R.matrix) <= 64 * S.length) {
        const ie = inertiaGamma(R, { theta, gammaMin: GAMMA_MIN });
        certs.push(ie);
        cells.push(`${fmt(ie.gamma)} (${ms(ie.ms)}, factor ${((ie.detail.factorEntries as number) / 1e6).toFixed(1)}M)`);
      } else cells.push("—");
      if (csrNonzeros(R.matrix) <= CONGRUENCE_MAX_NNZ) {
        const cg = congruenceGamma(R, { key: rngKey(2), theta, gammaMin: GAMMA_MIN });
        certs.push(cg);
        cells.push(`${fmt(cg.gamma)} (${ms(cg.ms)})`);
      } else cells.push("—");
      if (S.length <= DENSE_MAX) {
        const td = performance.now();
        const ev = symmetricEigenvalues(csrToDense(R.matrix), S.length);
        cells.push(`${fmt(ev[0])} (${ms(performance.now() - td)})`);
      } else cells.push("—");
      cells.push(discTrue.toFixed(3), discEst.toFixed(3));
      const best = certs.reduce((a, b) => (b.gamma > a.gamma ? b : a));
      if (best.gamma > 0) {
        const bar = forwardBackwardErrorBar({ alpha, beta: Math.max(sigma, 1 / alpha), gamma: Math.min(best.gamma, sigma), gradientMapping: gS });
        cells.push(`${fmt(bar.bound)} (‖G_S‖ ${fmt(gS)}, ‖G‖ ${fmt(gFull)}; ${best.route}${best.failureProbability > 0 ? `, p ≥ 1 − ${best.failureProbability}` : ""})`);
      } else cells.push("—");
      out.push({ lambda, quality: q, support: S.length, discTrue, discEst, line: "" });
      console.log(`| ${cells.join(" | ")} |`);
      continue;
    }
    cells.push(discTrue.toFixed(3), discEst.toFixed(3), "—");
    out.push({ lambda, quality: q, support: S.length, discTrue, discEst, line: "" });
    console.log(`| ${cells.join(" | ")} |`);
  }
  const best = out.reduce((a, b) => (b.quality > a.quality ? b : a));
  console.log(`\nBest λ on the grid: ${best.lambda} (${qualityName} ${best.quality.toFixed(2)} dB, |S| = ${best.support}).`);
  for (const [label, key] of [
    ["σ true", "discTrue"],
    ["σ̂ (MAD)", "discEst"],
  ] as const) {
    for (const tau of [1, 1.1]) {
      const pick = morozovChoice(
        out.map((r) => ({ lambda: r.lambda, discrepancy: r[key] })),
        tau,
      );
      const r = pick.index >= 0 ? out[pick.index] : null;
      console.log(
        `Morozov (${label}, τ = ${tau}): ${r ? `λ = ${r.lambda} (${qualityName} ${r.quality.toFixed(2)} dB, |S| = ${r.support})` : "no λ on the grid fits the data to τ"}${pick.crossing ? `; the discrepancy crosses τ at λ ≈ ${pick.crossing.toPrecision(3)}` : ""}.`,
      );
    }
  }
  console.log(`\n${name}: ${ms(performance.now() - t0)} in all.`);
  L.dispose();
  compiled.dispose();
}

function psnr(truth: Float64Array) {
  return (x: RealArray) => {
    let s = 0;
    for (let i = 0; i < truth.length; i++) s += (x[i] - truth[i]) ** 2;
    return 10 * Math.log10(1 / (s / truth.length));
  };
}

function snr(truth: Float64Array) {
  let e = 0;
  for (const v of truth) e += v * v;
  return (x: RealArray) => {
    let s = 0;
    for (let i = 0; i < truth.length; i++) s += (x[i] - truth[i]) ** 2;
    return 10 * Math.log10(e / s);
  };
}

export default async function (): Promise<void> {
  const problems = env("FRONTIER_PROBLEMS", "2d,1d").split(",");
  console.log(`\n## Certified-quality frontier (FISTA ${ITERS} iterations per λ, ${DTYPE}; γ_min = ${GAMMA_MIN})`);
  if (problems.includes("2d")) {
    const spec = await example<{ default: FlowDefinition }>("examples/deconv-2d/spec.ts");
    const { sheppLogan } = await example<{ sheppLogan(n: number): Float64Array }>("examples/deconv-2d/shepp-logan.ts");
    const truth = sheppLogan(512);
    await frontier("examples/deconv-2d", spec.default, truth, psnr(truth), "PSNR");
  }
  if (problems.includes("1d")) {
    const spec = await example<{ default: FlowDefinition; piecewiseSmooth(n: number): Float64Array }>("examples/deconv-1d/spec.ts");
    const truth = spec.piecewiseSmooth(2 ** 20);
    await frontier("examples/deconv-1d", spec.default, truth, snr(truth), "SNR");
  }
}
