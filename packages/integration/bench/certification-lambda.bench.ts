// How far the Gap Dial must widen λ before the restricted certificates of the deconvolution
// story pass (the evidence behind the story's Gap Dial settings): the feasibility sweep alone
// (no tuning, no polish) from λ = 2e-3, widening ×2 with up to 20 attempts, for the 2D problem
// at growing sizes and the 1D problem at N = 2^16. The default sweep (×2, M = 8) reaches at most
// λ = 2e-3·2^7 = 0.256.
import { compileFlow, runCertified } from "@cflow/core";
import { fda } from "@cflow/fda";
import { gapDial } from "@cflow/tuner";
import { deconvolution, type DeconvolutionOptions, REFERENCE_1D, REFERENCE_2D } from "../src/deconvolution.js";

const SIDES = (process.env.CFLOW_BENCH_SIDES ?? "32,64,128,256").split(",").map(Number);

export default async function certificationLambda(): Promise<void> {
  console.log("\n### λ the restricted certificates need — feasibility sweep from λ = 2e-3, ×2 per attempt, 10 iterations per attempt, float64\n");
  console.log("| problem | size | certified at attempt | λ | ×λ₀ | active set | η_dd | γ | defaults (×2, M = 8) certify? | sweep ms |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|");
  const cases: { name: string; o: DeconvolutionOptions }[] = [
    ...SIDES.map((s) => ({ name: "2D, σ = 2, db4 × 4", o: { ...REFERENCE_2D, shape: [s, s] as [number, number] } })),
    { name: "1D, σ = 4, db4 × 6", o: { ...REFERENCE_1D, shape: [2 ** 16] } },
  ];
  for (const c of cases) {
    const def = deconvolution({ ...c.o, policies: { tuner: { widenFactor: 2 }, control: { maxAttempts: 20 }, budgets: { maxTrials: 0, maxIters: 1 } } });
    const { compiled } = compileFlow(def, { dtype: "float64", seed: 1 });
    const t0 = performance.now();
    const res = await runCertified(compiled, { certify: fda(), tune: gapDial() });
    const ms = performance.now() - t0;
    compiled.dispose();
    const feas = res.certificates.filter((r) => r.stage === "feasibility");
    const passAt = feas.findIndex((r) => r.certificate.pass);
    const size = c.o.shape.length === 1 ? `2^${Math.log2(c.o.shape[0])}` : `${c.o.shape[0]}×${c.o.shape[1]}`;
    if (passAt < 0) {
      console.log(`| ${c.name} | ${size} | not in 20 | — | — | — | — | — | no | ${ms.toFixed(0)} |`);
      continue;
    }
    const k = feas[passAt].certificate;
    const lambda = 2e-3 * 2 ** passAt;
    console.log(
      `| ${c.name} | ${size} | ${passAt + 1} | ${lambda.toPrecision(3)} | ${2 ** passAt} | ${k.size} | ${k.etaDD.toPrecision(3)} | ${k.gamma.toPrecision(3)} | ${passAt + 1 <= 8 ? "yes" : "no"} | ${ms.toFixed(0)} |`,
    );
  }
}
