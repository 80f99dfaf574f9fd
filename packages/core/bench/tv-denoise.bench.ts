// Issue 14: TV denoising (ROF, ½‖x − y‖² + λ·TV(x)) with the default inner TV settings — does the
// flow reach the minimum, or stall at the accuracy of a repeated inexact inner solve? For each
// problem and dtype, the relative gap (E(x_k) − D)/D after k outer steps of the default flow
// (accelerated, function restart, stepScale 1), where D ≤ min E is the dual value of an independent
// plain-TypeScript solver (test/reference-solvers.ts, tv2dDual), and the cumulative inner (dual)
// steps and wall time. The last column is the reference's own certified gap (P − D)/D: the
// resolution of the table. Problems: 128² blocks image, noise 0.1, λ = 0.1, isotropic and
// anisotropic TV, default TV parameters; and examples/tv-denoise (256², λ = 0.08, the TV atom's
// defaults too, 200 outer steps). TV_BENCH_SIZE overrides both sizes (e.g. 64 for a quick look).
// Takes a few minutes (the reference solver is plain TypeScript).
import type { TvTerm } from "../src/atoms/prox/tv.js";
import { compileFlow } from "../src/compiler/compile.js";
import { DTYPES, type Dtype } from "../src/dtype.js";
import { normal, rngKey } from "../src/rng.js";
import { FlowRunner } from "../src/runtime/runner.js";
import { defineFlow } from "../src/spec/define.js";
import { tv2dDual, tv2dValue } from "../test/reference-solvers.js";

interface Problem {
  name: string;
  n: number;
  lambda: number;
  isotropic: boolean;
  params: Record<string, number>;
  steps: number;
}

/** The blocks image of examples/tv-denoise (its ground truth). */
async function blocks(n: number): Promise<Float64Array> {
  const mod = (await import(new URL("../../../examples/tv-denoise/spec.ts", import.meta.url).href)) as { blocks(n: number): Float64Array };
  return mod.blocks(n);
}

async function observation(n: number): Promise<Float64Array> {
  const clean = await blocks(n);
  const e = normal(rngKey(1), n * n, "float64");
  return Float64Array.from(clean, (c, i) => c + 0.1 * e[i]);
}

function run(p: Problem, y: Float64Array, dtype: Dtype, dual: number, marks: number[]): string[] {
  const atom = p.isotropic ? "tvIsotropic" : "tvAnisotropic";
  const spec = defineFlow(({ dtype: dt }) => ({
    dtype: dt,
    state: { x: { shape: [p.n, p.n], init: { data: "y" } } },
    data: { y: dt === "float64" ? Float64Array.from(y) : Float32Array.from(y) },
    terms: [
      { kind: "data" as const, atom: "leastSquares", target: "y" },
      { kind: "regularizer" as const, atom, weight: p.lambda, params: p.params },
    ],
  }));
  const { compiled } = compileFlow(spec, { dtype });
  const runner = new FlowRunner(compiled);
  const tv = compiled.prox[0].term as TvTerm;
  const energy = (x: ArrayLike<number>) => {
    let f = 0;
    for (let i = 0; i < x.length; i++) f += (x[i] - y[i]) ** 2;
    return 0.5 * f + p.lambda * tv2dValue(x, p.n, p.n, p.isotropic);
  };
  const cells: string[] = [];
  let inner = 0;
  const t0 = performance.now();
  for (let k = 1; k <= p.steps; k++) {
    runner.step();
    inner += tv.steps.value;
    if (marks.includes(k)) cells.push(`${((energy(runner.state) - dual) / dual).toExponential(1)}`);
  }
  cells.push(`${inner}`, `${((performance.now() - t0) / 1000).toFixed(1)}`);
  runner.dispose();
  compiled.dispose();
  return cells;
}

export default async function (): Promise<void> {
  const size = process.env.TV_BENCH_SIZE ? Number(process.env.TV_BENCH_SIZE) : null;
  const problems: Problem[] = [
    { name: "ROF 128² λ 0.1 isotropic", n: size ?? 128, lambda: 0.1, isotropic: true, params: {}, steps: 500 },
    { name: "ROF 128² λ 0.1 anisotropic", n: size ?? 128, lambda: 0.1, isotropic: false, params: {}, steps: 500 },
    { name: "examples/tv-denoise (256², λ 0.08)", n: size ?? 256, lambda: 0.08, isotropic: true, params: {}, steps: 200 },
  ];
  const marks = [1, 10, 50, 100, 200, 500];
  console.log("\n### TV denoising with default inner settings: relative gap to the minimum after k outer steps\n");
  console.log(`| problem | dtype | ${marks.map((k) => `k = ${k}`).join(" | ")} | inner steps | s | reference gap |`);
  console.log(`|---|---|${marks.map(() => "---:").join("|")}|---:|---:|---:|`);
  for (const p of problems) {
    const y = await observation(p.n);
    const ref = tv2dDual(y, p.n, p.n, p.lambda, p.isotropic, { tol: 1e-12, iterations: 60000 });
    for (const dtype of DTYPES) {
      const cells = run(p, y, dtype, ref.dual, marks.filter((k) => k <= p.steps));
      while (cells.length < marks.length + 2) cells.splice(cells.length - 2, 0, "");
      console.log(`| ${p.name.replace(/128²|256²/, `${p.n}²`)} | ${dtype} | ${cells.join(" | ")} | ${(ref.gap / ref.dual).toExponential(1)} |`);
    }
  }
}
