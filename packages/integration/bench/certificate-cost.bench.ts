// Certificate cost (issue 12: ≤ 15% of the wall time of a 200-iteration certified run of reference
// problem 1) and certificate accuracy. Part 1 runs problem 1 (N = 2^20, float64) through
// runCertified wired as `cflow run` wires it (apps/cli/src/run/run-wiring.ts: fda with 64 sampled
// rows, the Gap Dial aiming at Morozov's discrepancy target) and lists every certificate with its
// time as the controller records it (Certificate.cost.ms: the whole certification — its forward
// step at x, the hull and the hook's evaluations). Part 2 takes the support of a converged run of the same problem
// at N = 2^16, computes its restricted certificates exactly (dense L̂), and draws the matrix-free
// estimates with 20 keys: the spread of η_dd (32 sampled rows) and γ (Lanczos), and how often the
// gate decision differs from the exact one. CFLOW_BENCH_LOG_N, CFLOW_BENCH_ACCURACY_LOG_N and CFLOW_BENCH_KEYS
// set the sizes and the key count; CFLOW_BENCH_ACCURACY_LOG_N=0 (or CFLOW_BENCH_KEYS=0) skips part 2.
import { compileFlow, foldIn, rngKey, runCertified } from "@cflow/core";
import { estimateEtaGammaInW, fda } from "@cflow/fda";
import { gapDial, taskTarget } from "@cflow/tuner";
import { deconvolution, REFERENCE_1D } from "../src/deconvolution.js";

const LOG_N = Number(process.env.CFLOW_BENCH_LOG_N ?? 20);
const ACCURACY_LOG_N = Number(process.env.CFLOW_BENCH_ACCURACY_LOG_N ?? 16);
const KEYS = Number(process.env.CFLOW_BENCH_KEYS ?? 20);

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function cost(): Promise<void> {
  const def = deconvolution({ ...REFERENCE_1D, shape: [2 ** LOG_N], policies: { budgets: { maxIters: 200 } } });
  const { compiled } = compileFlow(def, { dtype: "float64", seed: 1 });
  let steps = 0; // every step, rolled-back validation runs included
  const t0 = performance.now();
  const target = taskTarget(compiled) ?? undefined;
  const res = await runCertified(compiled, { certify: fda({ rows: { sampleRows: 64 } }), tune: gapDial({ target }), sinks: [{ name: "rows", telemetry: (r) => (steps += r.notes === null ? 1 : 0) }] });
  const wall = performance.now() - t0;
  compiled.dispose();
  const certMs = res.certificates.reduce((s, c) => s + c.certificate.cost.ms, 0);
  const apps = res.certificates.reduce((s, c) => s + c.certificate.cost.applications, 0);

  console.log(`\n### Certificate cost — reference problem 1 (N = 2^${LOG_N}, db4 6 levels, float64), wired as \`cflow run\` (discrepancy target), maxIters 200\n`);
  console.log("| # | stage | iteration | λ | active set | method | η_dd | γ | pass | ms | L applications |");
  console.log("|---:|---|---:|---:|---:|---|---:|---:|---|---:|---:|");
  const certEvents = res.events.filter((e) => e.event === "CERT_PASS" || e.event === "CERT_FAIL"); // one per evaluation, in order
  res.certificates.forEach((c, i) => {
    const k = c.certificate;
    const lambda = certEvents[i].payload.lambda as number | undefined;
    console.log(
      `| ${i + 1} | ${c.stage} | ${c.iter} | ${lambda?.toPrecision(3) ?? "—"} | ${k.size} | ${k.method} | ${k.etaDD.toPrecision(3)} | ${k.gamma.toPrecision(3)} | ${k.pass ? "yes" : "no"} | ${k.cost.ms.toFixed(0)} | ${k.cost.applications} |`,
    );
  });
  console.log(`\nRun: ${res.status} in ${res.phase} after ${res.iters} iterations (${res.tunerHistory.length} trials, ${res.events.filter((e) => e.event === "ROLLBACK").length} rollbacks).`);
  console.log(
    `Wall ${wall.toFixed(0)} ms; certificates ${certMs.toFixed(0)} ms = ${((100 * certMs) / wall).toFixed(1)}% (target ≤ 15%), ${res.certificates.length} evaluations, ${apps} operator applications; ` +
      `the rest is ${steps} steps at ${((wall - certMs) / steps).toFixed(1)} ms each; one certificate costs ${(certMs / res.certificates.length / ((wall - certMs) / steps)).toFixed(0)} steps on average.`,
  );
}

async function accuracy(): Promise<void> {
  const n = 2 ** ACCURACY_LOG_N;
  const def = deconvolution({ ...REFERENCE_1D, shape: [n], policies: { budgets: { maxIters: 200 } } });
  const { compiled } = compileFlow(def, { dtype: "float64", seed: 1 });
  const res = await runCertified(compiled, { certify: fda(), tune: gapDial() });
  // the support of one prox-gradient step from the converged state, at the run's final dials
  const x = res.x;
  const alpha = res.dials.alpha;
  const z = compiled.fGrad(x);
  for (let i = 0; i < n; i++) z[i] = x[i] - alpha * z[i];
  const W = compiled.W!;
  const coefficients = compiled.gProx(W.forward(z), alpha);
  const L_apply = (v: Float64Array | Float32Array, out: Float64Array | Float32Array) => compiled.L_apply(v, out, x);
  const gates = { etaMax: 0.9, gammaMin: 1e-6 };

  const t0 = performance.now();
  const exact = estimateEtaGammaInW(L_apply, W, { key: rngKey(1), coefficients, method: "exact", exactThreshold: Number.POSITIVE_INFINITY });
  const exactMs = performance.now() - t0;
  const exactPass = exact.etaDD <= gates.etaMax && exact.gamma >= gates.gammaMin;
  const eta: number[] = [];
  const gamma: number[] = [];
  const ms: number[] = [];
  let flips = 0;
  const hook = fda({ method: "matrix-free" });
  for (let k = 0; k < KEYS; k++) {
    const c = hook.certify({ L_apply, n, dtype: "float64", W, coefficients, gates, key: foldIn(rngKey(7), k) });
    eta.push(c.etaDD);
    gamma.push(c.gamma);
    ms.push(c.cost.ms);
    if (c.pass !== exactPass) flips++;
  }
  compiled.dispose();
  const range = (v: number[]) => `${median(v).toPrecision(4)} [${Math.min(...v).toPrecision(4)}, ${Math.max(...v).toPrecision(4)}]`;
  console.log(`\n### Certificate accuracy — the support of a converged run of problem 1 at N = 2^${ACCURACY_LOG_N} (λ = ${res.dials.lambda?.toPrecision(4)}, ${exact.size} active coefficients), ${KEYS} keys\n`);
  console.log("| quantity | exact (dense L̂) | matrix-free fda(): median [min, max] | median rel. error |");
  console.log("|---|---:|---:|---:|");
  console.log(`| η_dd | ${exact.etaDD.toPrecision(4)} | ${range(eta)} (max of 32 sampled rows) | ${((median(eta) - exact.etaDD) / exact.etaDD).toExponential(2)} |`);
  console.log(`| γ = λ_min | ${exact.gamma.toPrecision(4)} | ${range(gamma)} (Lanczos) | ${((median(gamma) - exact.gamma) / exact.gamma).toExponential(2)} |`);
  console.log(`| ms per evaluation | ${exactMs.toFixed(0)} | ${range(ms)} | |`);
  console.log(`\nGate (η_max 0.9, γ_min 1e-6): exact verdict ${exactPass ? "pass" : "fail"}; the matrix-free verdict differs for ${flips} of ${KEYS} keys.`);
}

export default async function certificateCost(): Promise<void> {
  await cost();
  // CFLOW_BENCH_ACCURACY_LOG_N=0 (or CFLOW_BENCH_KEYS=0): the cost table only
  if (ACCURACY_LOG_N > 0 && KEYS > 0) await accuracy();
  else console.log(`\nCertificate accuracy skipped (CFLOW_BENCH_ACCURACY_LOG_N = ${ACCURACY_LOG_N}, CFLOW_BENCH_KEYS = ${KEYS}).`);
}
