// Issue 14, time to solution: reference problem 2 as examples/deconv-2d builds it (Shepp–Logan 512²,
// Gaussian blur σ = 2, noise 0.01, db4 × 4, λ = 2e-3 fixed — no tuning), float64. Iterations and
// wall time (FlowRunner.step calls only, the methods stepped in turn) to a relative objective gap (E − E*)/E* of 1e-6 and 1e-8 for
// plain FISTA, FISTA with the function and the gradient restart, and greedy FISTA; E* from a long
// greedy run (stopped when 300 iterations gain < 1e-15 relative). Target: 1e-6 in ≤ 0.6× plain
// FISTA's wall time, the ratio measured in this run.
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { compileFlow } from "../src/compiler/compile.js";
import { FlowRunner } from "../src/runtime/runner.js";
import type { FlowFactory } from "../src/spec/define.js";

/** The example's spec module, loaded as `cflow run examples/deconv-2d` loads it. */
const SPEC = join(dirname(fileURLToPath(import.meta.url)), "../../../examples/deconv-2d/spec.ts");

const GAPS = [1e-6, 1e-8] as const;
const TARGET = 0.6;

interface Method {
  name: string;
  family: string;
  restart: "function" | "gradient" | "none";
}

const METHODS: Method[] = [
  { name: "FISTA", family: "accelerated", restart: "none" },
  { name: "FISTA + function restart", family: "accelerated", restart: "function" },
  { name: "FISTA + gradient restart", family: "accelerated", restart: "gradient" },
  { name: "greedy FISTA (family greedy)", family: "greedy", restart: "none" },
];

function runner(spec: FlowFactory, m: Pick<Method, "family" | "restart">): { runner: FlowRunner; dispose(): void } {
  const { compiled } = compileFlow(spec, { dtype: "float64", seed: 1 });
  const r = new FlowRunner(compiled, { policies: { flow: { ...compiled.policies.flow, family: m.family, restart: m.restart } } });
  return {
    runner: r,
    dispose: () => {
      r.dispose();
      compiled.dispose();
    },
  };
}

function referenceEnergy(spec: FlowFactory): { E: number; iters: number } {
  const { runner: r, dispose } = runner(spec, { family: "greedy", restart: "none" });
  let best = Number.POSITIVE_INFINITY;
  let last = 0;
  for (let k = 0; k < 8000 && k - last <= 300; k++) {
    const E = r.step().E;
    if (E < best * (1 - 1e-15)) last = k;
    best = Math.min(best, E);
  }
  const iters = r.iter;
  dispose();
  return { E: best, iters };
}

/**
 * Every method's run at once, one step each in turn (round robin), so that a machine whose load
 * changes during the bench slows every method alike; each method's clock counts its own steps only.
 */
function convergeAll(spec: FlowFactory, eStar: number): { iters: (number | null)[]; ms: (number | null)[]; restarts: number }[] {
  const runs = METHODS.map((m) => ({ ...runner(spec, m), iters: GAPS.map((): number | null => null), ms: GAPS.map((): number | null => null), elapsed: 0, restarts: 0 }));
  for (let k = 1; k <= 4000; k++) {
    let going = 0;
    for (const r of runs) {
      if (r.iters.at(-1) !== null) continue;
      going++;
      const t = performance.now();
      const s = r.runner.step();
      r.elapsed += performance.now() - t;
      if (s.restarted) r.restarts++;
      GAPS.forEach((g, i) => {
        if (r.iters[i] === null && (s.E - eStar) / eStar < g) {
          r.iters[i] = k;
          r.ms[i] = r.elapsed;
        }
      });
    }
    if (going === 0) break;
  }
  for (const r of runs) r.dispose();
  return runs.map((r) => ({ iters: r.iters, ms: r.ms, restarts: r.restarts }));
}

export default async function (): Promise<void> {
  const spec = ((await import(pathToFileURL(SPEC).href)) as { default: FlowFactory }).default;
  const ref = referenceEnergy(spec);
  process.stderr.write(`  … E* = ${ref.E} (${ref.iters} greedy iterations)\n`);
  const rows = convergeAll(spec, ref.E).map((r, i) => ({ m: METHODS[i], ...r }));
  const base = rows[0];
  const cell = (it: number | null, ms: number | null) => (it === null ? "not reached" : `${it} (${(ms! / 1000).toFixed(2)} s)`);
  const ratio = (ms: number | null, b: number | null) => (ms === null || b === null ? "—" : `${(ms / b).toFixed(2)}×`);
  console.log(`\n### time to solution: examples/deconv-2d (512², λ = 2e-3 fixed), float64, E* = ${ref.E.toPrecision(15)}\n`);
  console.log("| method | 1e-6: iterations (time) | time / FISTA | 1e-8: iterations (time) | time / FISTA | restarts |");
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const r of rows) console.log(`| ${r.m.name} | ${cell(r.iters[0], r.ms[0])} | ${ratio(r.ms[0], base.ms[0])} | ${cell(r.iters[1], r.ms[1])} | ${ratio(r.ms[1], base.ms[1])} | ${r.restarts} |`);
  const best = rows.slice(1).reduce((a, b) => ((b.ms[0] ?? Infinity) < (a.ms[0] ?? Infinity) ? b : a));
  const r6 = best.ms[0] !== null && base.ms[0] !== null ? best.ms[0] / base.ms[0] : Number.NaN;
  console.log(`\nfastest to 1e-6: ${best.m.name}, ${r6.toFixed(2)}× plain FISTA's time (target ≤ ${TARGET}: ${r6 <= TARGET ? "met" : "MISSED"})`);
}
