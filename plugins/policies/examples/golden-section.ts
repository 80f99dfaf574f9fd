// Tuning λ of a soft-threshold denoiser with the golden-section policy, resolved by name through a
// Registry, driven the way the controller's Phase 2 drives a tuner: propose → cap check →
// certify → metric → update (a rejected move is rolled back).
//
//   estimate     x̂(λ) = soft(y, λ) for y = x + noise, x sparse
//   certificate  passes while the support of x̂ holds at most n/4 entries (a stand-in for the
//                restricted-eigenvalue gate: a small λ keeps too many coefficients active)
//   task metric  the discrepancy principle |‖y − x̂‖²/n − σ²|
//
// Run: pnpm --filter @cflow/plugin-policies example   (or: npx tsx examples/golden-section.ts)
import { pathToFileURL } from "node:url";
import { DEFAULTS, type Dials, Registry, type TunerPolicyDef, normal, rngKey } from "@cflow/core";
import { policiesPlugin } from "../src/index.js";

export interface TuningRun {
  lambda: number;
  metric: number;
  trials: number;
  rejected: number;
  /** The certified λ with the smallest metric on a fine grid (for comparison). */
  gridLambda: number;
  gridMetric: number;
  log: string[];
}

export function tuneDenoiser(seed = 3): TuningRun {
  const n = 400;
  const sigma = 0.1;
  const noise = normal(rngKey(seed), n);
  const x = Float64Array.from({ length: n }, (_, i) => (i % 20 === 0 ? 1 + (i % 3) : 0));
  const y = x.map((v, i) => v + sigma * noise[i]);
  const soft = (lambda: number) => y.map((v) => Math.sign(v) * Math.max(Math.abs(v) - lambda, 0));
  const certified = (lambda: number) => soft(lambda).filter((v) => v !== 0).length <= n / 4;
  const metric = (lambda: number) => {
    const e = soft(lambda);
    return Math.abs(y.reduce((s, v, i) => s + (v - e[i]) ** 2, 0) / n - sigma * sigma);
  };

  const registry = new Registry();
  registry.use(policiesPlugin);
  const policy = (registry.policies.get("goldenSection") as TunerPolicyDef).create({ tol: 0.005 });
  const limits = { alphaMax: 2, lambdaCap: 10, moveCap: 0.2, ratioBounds: [0.5, 2] as [number, number] };
  let dials: Dials = { lambda: 0.3, lambdaJ: null, alpha: 1 };
  const context = () => ({ dials, limits, bandStats: null, options: DEFAULTS.tuner, iter: 0, key: rngKey(seed) });
  let state = policy.init(context());
  const log: string[] = [];
  let trials = 0;
  let rejected = 0;
  for (; trials < 200; trials++) {
    const r = policy.propose(state, context());
    state = r.state;
    if (!r.dials) {
      log.push(`stop: ${r.note}`);
      break;
    }
    const ok = certified(r.dials.lambda!);
    const m = ok ? metric(r.dials.lambda!) : null;
    log.push(`trial ${trials + 1}: ${r.note} → ${ok ? `certified, metric ${m!.toExponential(3)}` : "REJECTED (uncertified)"}`);
    state = policy.update(state, {
      trial: trials + 1,
      from: dials,
      to: r.dials,
      certificate: null,
      accepted: ok,
      metric: m,
      energy: 0,
      reason: ok ? "certificates hold" : "support too large",
    });
    if (ok) dials = r.dials;
    else rejected++;
  }
  let gridLambda = 10;
  for (let l = 1e-3; l < 3; l *= 1.0005) if (certified(l) && metric(l) < metric(gridLambda)) gridLambda = l;
  return { lambda: dials.lambda!, metric: metric(dials.lambda!), trials, rejected, gridLambda, gridMetric: metric(gridLambda), log };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = tuneDenoiser();
  for (const line of r.log) console.log(line);
  console.log(`golden-section: λ = ${r.lambda.toPrecision(5)} (metric ${r.metric.toExponential(3)}) after ${r.trials} trials, ${r.rejected} rejected`);
  console.log(`grid search:    λ = ${r.gridLambda.toPrecision(5)} (metric ${r.gridMetric.toExponential(3)})`);
}
