// Long runs of small problems (issue 16): 20 000 iterations with tol = 0 through runCertified with
// the FDA certificates, the Gap Dial and the flight recorder — the CLI's hook set — of
//  - the damped oscillator ring of examples/hamiltonian at 512 masses (n = 1024 state entries:
//    no sparsity prox, so every certificate is exact on the full 1024×1024 operator), and
//  - the 32×32 wavelet-L1 deconvolution (n = 1024, certificates restricted to the active set).
// At iterations 1 000, 5 000 and 20 000 it prints the wall time since the start, the resident set
// size, the JS heap in use and the certificates evaluated so far: how much of a long run goes to
// re-certification (the cadence), and whether memory stays flat. CFLOW_BENCH_LONG_ITERS replaces
// the marks (comma-separated, the last one is the budget).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { compileFlow, type FlowFactory, resolveRun, runCertified, type TelemetryRow } from "@cflow/core";
import { fda } from "@cflow/fda";
import { recorder } from "@cflow/recorder";
import { gapDial } from "@cflow/tuner";
import { deconvolution } from "../src/deconvolution.js";

/** The example's spec module, loaded as `cflow run examples/hamiltonian` loads it. */
const HAMILTONIAN = join(dirname(fileURLToPath(import.meta.url)), "../../../examples/hamiltonian/spec.ts");

const MARKS = (process.env.CFLOW_BENCH_LONG_ITERS ?? "1000,5000,20000").split(",").map(Number);

interface Mark {
  iter: number;
  wallS: number;
  rssMb: number;
  heapMb: number;
  certificates: number;
}

const PROBLEMS: { name: string; def: (iters: number) => Promise<FlowFactory> | FlowFactory; params?: Record<string, string> }[] = [
  {
    name: "oscillator ring (examples/hamiltonian, size = 512: n = 1024, exact certificates)",
    def: async () => ((await import(pathToFileURL(HAMILTONIAN).href)) as { default: FlowFactory }).default,
    params: { size: "512" },
  },
  {
    name: "32×32 wavelet-L1 deconvolution (n = 1024, restricted certificates)",
    def: (iters) =>
      deconvolution({ shape: [32, 32], sigma: 2, noise: 0.01, lambda: 2e-3, levels: 4, policies: { budgets: { maxIters: iters, tol: 0, rtol: 0 }, tuner: { widenFactor: 4 }, control: { maxAttempts: 12, validationIters: 30 } } }),
  },
];

export default async function longRun(): Promise<void> {
  const iters = MARKS[MARKS.length - 1];
  console.log(`\n### Long runs — ${iters} iterations, float64, FDA + Gap Dial + recorder (tol = 0)\n`);
  console.log("| problem | iteration | wall s | RSS MB | JS heap MB | certificates so far |");
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const p of PROBLEMS) await longRunOf(p.name, await p.def(iters), iters, p.params ?? {});
}

async function longRunOf(name: string, def: FlowFactory, iters: number, params: Record<string, string>): Promise<void> {
  const runsDir = mkdtempSync(join(tmpdir(), "cflow-long-run-"));
  const { compiled } = compileFlow(def, { dtype: "float64", seed: 1, params });
  const marks: Mark[] = [];
  let certificates = 0;
  let next = 0;
  const mb = (b: number) => b / 2 ** 20;
  const t0 = performance.now();
  const onRow = (r: TelemetryRow) => {
    if (r.etaDD !== null) certificates++;
    if (next < MARKS.length && r.iter === MARKS[next] && r.notes === null) {
      const m = process.memoryUsage();
      marks.push({ iter: r.iter, wallS: (performance.now() - t0) / 1000, rssMb: mb(m.rss), heapMb: mb(m.heapUsed), certificates });
      next++;
    }
  };
  const res = await runCertified(compiled, {
    certify: fda(),
    tune: gapDial(),
    sinks: [recorder({ runsDir, runId: "long-run" }), { name: "rows", telemetry: onRow }],
    config: resolveRun(compiled, { budgets: { maxIters: iters, tol: 0, rtol: 0 } }),
    deterministic: true,
  });
  compiled.dispose();
  rmSync(runsDir, { recursive: true, force: true });
  if (res.iters !== iters) throw new Error(`${name}: expected ${iters} iterations, the run made ${res.iters} (${res.status})`);
  for (const m of marks) console.log(`| ${name} | ${m.iter} | ${m.wallS.toFixed(1)} | ${m.rssMb.toFixed(0)} | ${m.heapMb.toFixed(1)} | ${m.certificates} |`);
}
