// Issue 4: the flow step on reference problems 1 and 2 (docs/design.md §7) — wavelet-L1 deconvolution,
// 1D N = 2^20 (circular Gaussian blur σ = 4, db4 × 6) and 2D 512×512 (σ = 2, db4 × 4), noise
// σ = 0.01, λ = 2e-3 on the detail bands — in float64 and float32:
//   1. ms per FISTA iteration of cflow's step (FlowRunner.step: one call into the kernel) against
//      the same iteration written in plain TypeScript over Float64Array/Float32Array with the
//      kernel references (direct convolution, DWT), run in the same process;
//   2. where a step's time goes, stage by stage (F_Dis, F_Multi⁺, F_Proj, F_Multi⁻, observe);
//      FLOW_BENCH_SKIP_CONVERGENCE=1 stops here (part 3 takes several minutes);
//   3. iterations and wall time to a relative objective gap of 1e-6 (and 1e-8) for ISTA, FISTA and
//      FISTA with adaptive restart, the gap taken against a long FISTA-with-restart run.
// Targets: problem 1 float64 ≤ 50 ms/iter, problem 2 float64 ≤ 12 ms/iter, float32 ≤ 0.55×
// float64, FISTA with restart to 1e-6 in fewer iterations than FISTA.
import { compileFlow } from "../src/compiler/compile.js";
import type { CompiledFlow } from "../src/compiler/types.js";
import { type Dtype, DTYPES, type RealArray } from "../src/dtype.js";
import { reference } from "../src/kernel/index.js";
import { FlowRunner } from "../src/runtime/runner.js";
import { defineFlow } from "../src/spec/define.js";
import { dwtBands } from "../src/transforms/dwt.js";
import { filterBank, waveletFilters } from "../src/transforms/filters.js";
import { type BenchRow, printTable, timeit } from "./harness.js";
import { mulberry32 } from "@cflow/test-kit";

const LAMBDA = 2e-3;
const NOISE = 0.01;

interface Problem {
  name: string;
  shape: number[];
  levels: number;
  sigma: number;
  /** Observation y = K x_true + noise, in float64. */
  y: Float64Array;
  taps: Float64Array;
}

function gaussianTaps(sigma: number): Float64Array {
  const r = Math.ceil(3 * sigma);
  const g = Float64Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const s = g.reduce((a, b) => a + b, 0);
  return g.map((v) => v / s);
}

/** Piecewise-smooth: 24 jumps of random height on a slow sine (1D); rectangles and discs on a smooth ramp (2D). */
function makeProblem(dims: 1 | 2): Problem {
  const rand = mulberry32(dims === 1 ? 2024 : 512);
  const randn = () => Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-300))) * Math.cos(2 * Math.PI * rand());
  if (dims === 1) {
    const N = 1 << 20;
    const jumps = Array.from({ length: 24 }, () => Math.floor(rand() * N)).sort((a, b) => a - b);
    const heights = jumps.map(() => 2 * rand() - 1);
    const x = new Float64Array(N);
    let level = 0;
    for (let i = 0, j = 0; i < N; i++) {
      while (j < jumps.length && jumps[j] <= i) level = heights[j++];
      x[i] = level + 0.5 * Math.sin((2 * Math.PI * 5 * i) / N);
    }
    const taps = gaussianTaps(4);
    const y = new Float64Array(N);
    reference.conv.conv1d(N, x, taps.length, taps, (taps.length - 1) / 2, y, 1);
    for (let i = 0; i < N; i++) y[i] += NOISE * randn();
    return { name: "problem 1 (1D, N = 2^20, σ = 4, db4 × 6)", shape: [N], levels: 6, sigma: 4, y, taps };
  }
  const R = 512;
  const x = new Float64Array(R * R);
  const shapes = Array.from({ length: 12 }, () => ({ cx: rand() * R, cy: rand() * R, r: 20 + 60 * rand(), h: 2 * rand() - 1, disc: rand() < 0.5 }));
  for (let i = 0; i < R; i++) {
    for (let j = 0; j < R; j++) {
      let v = 0.3 * Math.sin((2 * Math.PI * (i + 2 * j)) / R);
      for (const s of shapes) {
        const inside = s.disc ? (i - s.cy) ** 2 + (j - s.cx) ** 2 < s.r * s.r : Math.abs(i - s.cy) < s.r && Math.abs(j - s.cx) < 0.6 * s.r;
        if (inside) v += s.h;
      }
      x[i * R + j] = v;
    }
  }
  const taps = gaussianTaps(2);
  const tmp = new Float64Array(R * R);
  const y = new Float64Array(R * R);
  const c = (taps.length - 1) / 2;
  reference.conv.convRows(R, R, x, taps.length, taps, c, tmp, 1);
  reference.conv.convCols(R, R, tmp, taps.length, taps, c, y, 1);
  for (let i = 0; i < R * R; i++) y[i] += NOISE * randn();
  return { name: "problem 2 (2D, 512×512, σ = 2, db4 × 4)", shape: [R, R], levels: 4, sigma: 2, y, taps };
}

function compile(p: Problem, dtype: Dtype, family: string, restart: "function" | "gradient" | "none"): CompiledFlow {
  const spec = defineFlow(({ dtype: dt }) => {
    const conv = (a: Float64Array) => (dt === "float64" ? a : Float32Array.from(a));
    const op =
      p.shape.length === 1
        ? { type: "conv1d", shape: p.shape, kernel: "k", boundary: "circular" }
        : { type: "conv2d", shape: p.shape, rowKernel: "k", colKernel: "k", boundary: "circular" };
    return {
      dtype: dt,
      state: { x: { shape: p.shape } },
      data: { y: conv(p.y), k: conv(p.taps) },
      ops: { K: op },
      transforms: { W: { name: "db4", levels: p.levels } },
      terms: [
        { kind: "data" as const, atom: "leastSquares", op: "K", target: "y" },
        { kind: "regularizer" as const, atom: "waveletL1", transform: "W", weight: LAMBDA },
      ],
      policies: { flow: { family, restart } },
    };
  });
  return compileFlow(spec, { dtype }).compiled;
}

// ── the plain-TypeScript path ────────────────────────────────────────────────────────────────

/**
 * The same FISTA iteration as cflow's plan, pass for pass (cached images K x − b per iterate, so
 * one apply and one adjoint per step), over plain typed arrays with the kernel references.
 */
class PlainStep {
  private readonly n: number;
  private readonly X: RealArray[];
  private readonly C: RealArray[];
  private readonly y: RealArray;
  private readonly g: RealArray;
  private readonly zy: RealArray;
  private readonly tmp: RealArray;
  private readonly convTmp: RealArray;
  private readonly u: RealArray;
  private readonly s1: RealArray;
  private readonly s2: RealArray;
  private readonly b: RealArray;
  private readonly k: RealArray;
  private readonly kFlip: RealArray;
  private readonly bank: RealArray;
  private readonly offsets: Int32Array;
  private readonly weights: Float64Array;
  private readonly metrics = new Float64Array(2);
  private v = 0;
  energy = 0;

  constructor(
    private readonly p: Problem,
    dtype: Dtype,
    private readonly alpha: number,
  ) {
    const n = (this.n = p.y.length);
    const make = (len: number) => (dtype === "float64" ? new Float64Array(len) : new Float32Array(len));
    this.X = [make(n), make(n), make(n)];
    this.C = [make(n), make(n), make(n)];
    [this.y, this.g, this.zy, this.tmp, this.convTmp, this.u] = [make(n), make(n), make(n), make(n), make(n), make(n)];
    this.s1 = make(p.shape.length === 1 ? n / 2 : n);
    this.s2 = make(Math.max(1, n / 4));
    this.b = make(n);
    this.b.set(p.y);
    this.k = make(p.taps.length);
    this.k.set(p.taps);
    this.kFlip = this.k.slice().reverse();
    this.bank = filterBank(waveletFilters("db4"), 1, dtype);
    const bands = dwtBands(p.shape, p.levels);
    this.offsets = Int32Array.from([...bands.map((b) => b.offset), n]);
    this.weights = new Float64Array(bands.length).fill(1);
    for (const i of [0, 1]) this.image(this.X[i], this.C[i]);
  }

  private conv(x: RealArray, out: RealArray, adjoint: boolean): void {
    const k = adjoint ? this.kFlip : this.k;
    const m = k.length;
    const c = (m - 1) / 2;
    if (this.p.shape.length === 1) reference.conv.conv1d(this.n, x, m, k, c, out, 1);
    else {
      const [h, w] = this.p.shape;
      reference.conv.convRows(h, w, x, m, k, c, this.convTmp, 1);
      reference.conv.convCols(h, w, this.convTmp, m, k, c, out, 1);
    }
  }

  private image(x: RealArray, c: RealArray): number {
    this.conv(x, c, false);
    reference.vec.axpy(this.n, -1, this.b, c);
    return reference.losses.lossSquared(this.n, 1, c, this.zy);
  }

  private dwt(x: RealArray, out: RealArray): void {
    const { shape, levels } = this.p;
    const { bank, s1, s2 } = this;
    if (shape.length === 1) {
      let len = shape[0];
      let src = x;
      for (let l = 1; l <= levels; l++) {
        const half = len / 2;
        const a = l === levels ? out.subarray(0, half) : (l % 2 ? s1 : s2).subarray(0, half);
        reference.dwt.dwtRows(1, len, src, bank, 8, a, out.subarray(half, len));
        src = a;
        len = half;
      }
      return;
    }
    let [h, w] = shape;
    let src = x;
    for (let l = 1; l <= levels; l++) {
      const s = (h / 2) * (w / 2);
      const lo = s1.subarray(0, h * (w / 2));
      const hi = s1.subarray(h * (w / 2), h * w);
      reference.dwt.dwtRows(h, w, src, bank, 8, lo, hi);
      const a = l === levels ? out.subarray(0, s) : s2.subarray(0, s);
      reference.dwt.dwtCols(h, w / 2, lo, bank, 8, a, out.subarray(s, 2 * s));
      reference.dwt.dwtCols(h, w / 2, hi, bank, 8, out.subarray(2 * s, 3 * s), out.subarray(3 * s, 4 * s));
      src = a;
      h /= 2;
      w /= 2;
    }
  }

  private idwt(u: RealArray, out: RealArray): void {
    const { shape, levels } = this.p;
    const { bank, s1, s2 } = this;
    if (shape.length === 1) {
      let len = shape[0] / 2 ** levels;
      let a = u.subarray(0, len);
      for (let l = levels; l >= 1; l--) {
        const dst = l === 1 ? out : (l % 2 ? s2 : s1).subarray(0, 2 * len);
        reference.dwt.idwtRows(1, 2 * len, a, u.subarray(len, 2 * len), bank, 8, dst);
        a = dst;
        len *= 2;
      }
      return;
    }
    let h = shape[0] / 2 ** levels;
    let w = shape[1] / 2 ** levels;
    let a = u.subarray(0, h * w);
    for (let l = levels; l >= 1; l--) {
      const s = h * w;
      const lo = s1.subarray(0, 2 * s);
      const hi = s1.subarray(2 * s, 4 * s);
      reference.dwt.idwtCols(2 * h, w, a, u.subarray(s, 2 * s), bank, 8, lo);
      reference.dwt.idwtCols(2 * h, w, u.subarray(2 * s, 3 * s), u.subarray(3 * s, 4 * s), bank, 8, hi);
      const dst = l === 1 ? out : s2.subarray(0, 4 * s);
      reference.dwt.idwtRows(2 * h, 2 * w, lo, hi, bank, 8, dst);
      a = dst;
      h *= 2;
      w *= 2;
    }
  }

  /** One FISTA iteration with momentum coefficient beta. */
  step(beta: number): void {
    const n = this.n;
    const cur = this.v % 3;
    const prev = (this.v + 2) % 3;
    const cand = (this.v + 1) % 3;
    const ref = reference;
    // F_Dis
    ref.vec.momentum(n, beta, this.X[cur], this.X[prev], this.y);
    ref.vec.fill(n, 0, this.g);
    ref.vec.momentum(n, beta, this.C[cur], this.C[prev], this.zy);
    ref.losses.lossSquared(n, 1, this.zy, this.zy);
    this.conv(this.zy, this.tmp, true);
    ref.vec.axpy(n, 1, this.tmp, this.g);
    ref.vec.axpbyz(n, 1, this.y, -this.alpha, this.g, this.X[cand]);
    // F_Multi⁺, F_Proj, F_Multi⁻
    this.dwt(this.X[cand], this.u);
    const g = ref.prox.softThresholdBands(this.offsets.length - 1, this.offsets, this.weights, this.alpha, LAMBDA, 1, this.u, this.u);
    this.idwt(this.u, this.X[cand]);
    // observe
    const f = this.image(this.X[cand], this.C[cand]);
    ref.flow.stepMetrics(n, this.y, this.X[cand], this.X[cur], this.metrics);
    this.energy = f + g.value;
    this.v++;
  }
}

// ── measurements ─────────────────────────────────────────────────────────────────────────────

const STAGE_LABEL: Record<string, string> = {
  dis: "F_Dis (momentum, ∇f: adjoint, step)",
  multiForward: "F_Multi⁺ (DWT)",
  proj: "F_Proj (soft-threshold)",
  multiInverse: "F_Multi⁻ (IDWT)",
  observe: "observe + metrics (apply, loss, metrics)",
};

interface Timing {
  step: number;
  plain: number;
  stages: { stage: string; ms: number }[];
}

/** Median of samples (ms). */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * ms per iteration of FlowRunner.step for both dtypes, and the same step split into its stages
 * (the stage programs run in order on realistic data — a state 10 iterations in — each timed, so
 * they add up to a step and see the data a step sees). The two dtypes are timed in alternating
 * rounds, so the float32/float64 ratio compares like with like on a shared, noisy machine.
 */
function timeSteps(p: Problem): Record<Dtype, Timing> {
  const setups = (DTYPES as Dtype[]).map((dtype) => {
    const flow = compile(p, dtype, "accelerated", "function");
    const runner = new FlowRunner(flow);
    for (let k = 0; k < 10; k++) runner.step();
    const stages = runner.plan.stagePrograms();
    return { dtype, flow, runner, stages, steps: [] as number[], stageSamples: stages.map(() => [] as number[]) };
  });
  const t0 = performance.now();
  for (let round = 0; round < 60 && (round < 8 || performance.now() - t0 < 6000); round++) {
    for (const s of setups) {
      for (let k = 0; k < 3; k++) {
        const t = performance.now();
        s.runner.step();
        s.steps.push(performance.now() - t);
      }
      // the stage programs work in rotation 0: put the current state there
      s.runner.restore(s.runner.snapshot());
      s.runner.plan.buffers.momentum.value = 0.5;
      s.stages.forEach(({ program }, i) => {
        const t = performance.now();
        program.run();
        s.stageSamples[i].push(performance.now() - t);
      });
    }
  }
  const out = {} as Record<Dtype, Timing>;
  for (const s of setups) {
    const plain = new PlainStep(p, s.dtype, s.runner.dials.alpha);
    for (let k = 0; k < 2; k++) plain.step(0.5);
    const plainMs = timeit(() => plain.step(0.5), { minReps: 4, minMs: 1500, warmup: 1 });
    out[s.dtype] = { step: median(s.steps), plain: plainMs, stages: s.stages.map(({ stage }, i) => ({ stage, ms: median(s.stageSamples[i]) })) };
    for (const { program } of s.stages) program.dispose();
    s.runner.dispose();
    s.flow.dispose();
  }
  return out;
}

interface Convergence {
  family: string;
  dtype: Dtype;
  iters: Record<string, number | null>;
  ms: Record<string, number | null>;
  restarts: number;
}

const GAPS = [1e-6, 1e-8];

/**
 * E* of the problem in a dtype (float32 rounds the data, which moves the minimum by more than
 * 1e-8): a long FISTA-with-gradient-restart run, stopped when 200 iterations gain < 1e-14.
 */
function referenceEnergy(p: Problem, dtype: Dtype): number {
  const flow = compile(p, dtype, "accelerated", "gradient");
  const runner = new FlowRunner(flow);
  let best = Infinity;
  let lastImprovement = 0;
  for (let k = 0; k < 5000; k++) {
    const E = runner.step().E;
    if (E < best * (1 - 1e-14)) lastImprovement = k;
    best = Math.min(best, E);
    if (k - lastImprovement > 200) break;
  }
  runner.dispose();
  flow.dispose();
  return best;
}

/** Runs until the gap `until` (or `cap` iterations), recording when each gap of GAPS is first reached. */
function converge(p: Problem, dtype: Dtype, family: string, restart: "function" | "gradient" | "none", fStar: number, cap: number, until: number): Convergence {
  const flow = compile(p, dtype, family, restart);
  const runner = new FlowRunner(flow);
  const iters: Record<string, number | null> = Object.fromEntries(GAPS.map((g) => [g, null]));
  const ms: Record<string, number | null> = Object.fromEntries(GAPS.map((g) => [g, null]));
  let elapsed = 0;
  let restarts = 0;
  for (let k = 1; k <= cap; k++) {
    const t = performance.now();
    const m = runner.step();
    elapsed += performance.now() - t;
    if (m.restarted) restarts++;
    const gap = (m.E - fStar) / fStar;
    for (const g of GAPS) {
      if (iters[g] === null && gap < g) {
        iters[g] = k;
        ms[g] = elapsed;
      }
    }
    if (iters[until] !== null) break;
  }
  runner.dispose();
  flow.dispose();
  const name = family === "proximal" ? "ISTA" : restart === "none" ? "FISTA" : `FISTA + ${restart} restart`;
  return { family: name, dtype, iters, ms, restarts };
}

/** Progress on stderr (the tables go to stdout at the end). */
function progress(msg: string): void {
  process.stderr.write(`  … ${msg}\n`);
}

export default async function (): Promise<void> {
  const problems = [makeProblem(1), makeProblem(2)];
  const speed: BenchRow[] = [];
  const breakdown: string[] = [];
  const convergence: string[] = [];
  for (const p of problems) {
    const timings = timeSteps(p);
    for (const dtype of DTYPES as Dtype[]) {
      const t = timings[dtype];
      progress(`${p.name} ${dtype}: ${t.step.toFixed(2)} ms/iter (plain TS ${t.plain.toFixed(1)})`);
      const target = p.shape.length === 1 ? 50 : 12;
      const ratio = t.step / timings.float64.step;
      const note = dtype === "float64" ? `target ≤ ${target} ms: ${t.step <= target ? "met" : "MISSED"}` : `f32/f64 = ${ratio.toFixed(2)} (target ≤ 0.55: ${ratio <= 0.55 ? "met" : "MISSED"})`;
      speed.push({ name: `${p.name}: FISTA iteration`, dtype, ms: t.step, refMs: t.plain, note });
      const sum = t.stages.reduce((a, x) => a + x.ms, 0);
      for (const st of t.stages) breakdown.push(`| ${p.name} | ${dtype} | ${STAGE_LABEL[st.stage] ?? st.stage} | ${st.ms.toFixed(2)} | ${((100 * st.ms) / sum).toFixed(0)}% |`);
      breakdown.push(`| ${p.name} | ${dtype} | sum of the stages / FlowRunner.step | ${sum.toFixed(2)} / ${t.step.toFixed(2)} | |`);
    }
    if (process.env.FLOW_BENCH_SKIP_CONVERGENCE) continue;
    for (const dtype of DTYPES as Dtype[]) {
      const fStar = referenceEnergy(p, dtype);
      progress(`${p.name} ${dtype}: reference energy ${fStar}`);
      // ISTA only to 1e-6: it needs thousands of iterations more for 1e-8
      const runs = [
        converge(p, dtype, "proximal", "none", fStar, 8000, 1e-6),
        converge(p, dtype, "accelerated", "none", fStar, 4000, 1e-8),
        converge(p, dtype, "accelerated", "function", fStar, 4000, 1e-8),
        converge(p, dtype, "accelerated", "gradient", fStar, 4000, 1e-8),
      ];
      progress(`${p.name} ${dtype}: convergence runs done`);
      for (const r of runs) {
        const cell = (g: number) => (r.iters[g] === null ? (r.family === "ISTA" && g < 1e-6 ? "—" : "not reached") : `${r.iters[g]} (${(r.ms[g]! / 1000).toFixed(1)} s)`);
        convergence.push(`| ${p.name} | ${dtype} | ${r.family} | ${cell(1e-6)} | ${cell(1e-8)} | ${r.restarts} |`);
      }
    }
  }
  printTable("flow step: cflow (one kernel call per step) vs the same iteration in plain TS", speed);
  console.log("\n### where a step's time goes (the step's stages run in order, each timed; median ms)\n");
  console.log("| problem | dtype | stage | ms | share |");
  console.log("|---|---|---|---:|---:|");
  for (const l of breakdown) console.log(l);
  if (convergence.length === 0) return;
  console.log("\n### iterations (wall time) to a relative objective gap (E − E*)/E*, E* from a long FISTA + restart run in the same dtype\n");
  console.log("| problem | dtype | method | gap 1e-6 | gap 1e-8 | restarts |");
  console.log("|---|---|---|---:|---:|---:|");
  for (const l of convergence) console.log(l);
}
