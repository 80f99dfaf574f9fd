// Soundness of every γ route against dense eigenvalues, and the fuzz test of the gate: on 1D and 2D
// blur with wavelets (shift-class rows) and a dense random A (exact rows), over random and
// deliberately near-singular supports, for a float64 and a float32 run: no route ever states a γ
// above the dense λ_min (computed independently: plain-TS operators, Jacobi eigenvalues), so no
// certificate passes an operator whose λ_min < γ_min; and where λ_min clears γ_min comfortably the
// exact-inertia route passes, as the dense verdict does.
import { DTYPES, type Dtype, createTransform, gaussianKernel1d, gaussianKernel2d, rngKey, foldIn } from "@cflow/core";
import { describe, expect, it } from "vitest";
import {
  congruenceGamma,
  convolutionGram,
  csrFromDense,
  dominance,
  exactRowsMatrix,
  type GammaCertificate,
  gammaN,
  gershgorinGamma,
  inertiaGamma,
  lambdaMaxUpper,
  lanczosGamma,
  type PeriodisedWavelet,
  type RestrictedMatrix,
  ShiftClassRows,
  wSpaceOperator,
} from "../src/index.js";
import { jacobiEigenvalues } from "./helpers.js";
import { denseRestricted, plainDwt } from "./restricted-problems.js";
import { mulberry32, randn } from "@cflow/test-kit";

const GAMMA_MIN = 1e-6;

interface Problem {
  name: string;
  m: number;
  /** L̂_S and the dense L_S of the exact operator. */
  restricted(S: Int32Array): { R: RestrictedMatrix; dense: Float64Array };
  supports(rand: () => number): Int32Array[];
  tile: number;
}

function blurProblem(dtype: Dtype, shape: number[], wavelet: string, levels: number, sigma: number): Problem {
  const taps = shape.length === 1 ? gaussianKernel1d(sigma, dtype) : gaussianKernel2d(sigma, dtype);
  const L = convolutionGram(taps, { shape });
  const W = createTransform(wavelet, { shape, levels, dtype: "float64" }) as unknown as PeriodisedWavelet;
  const rows = ShiftClassRows.build(L, W, { runDtype: dtype });
  const truth = plainDwt(wavelet, shape, levels, dtype);
  const m = truth.m;
  const finest = W.bands.filter((b) => b.level === 1);
  return {
    name: `${shape.length}D blur σ = ${sigma}, ${wavelet} × ${levels}`,
    m,
    tile: shape.length === 1 ? 16 : 8,
    restricted: (S) => ({ R: rows.restrict(S), dense: denseRestricted(truth, taps, shape, S) }),
    supports(rand) {
      const out: Int32Array[] = [];
      const coarse = m >> (shape.length * levels);
      for (let t = 0; t < 8; t++) {
        const p = 0.03 + (shape.length === 1 ? 0.08 : 0.025) * t;
        const S: number[] = [];
        for (let i = 0; i < m; i++) if (i < coarse ? rand() < 0.8 : rand() < p * (i < m / 4 ? 3 : 1)) S.push(i);
        out.push(Int32Array.from(S));
      }
      // well-posed: the approximation and some of the coarsest details
      for (let t = 0; t < 2; t++) {
        const S: number[] = [];
        for (let i = 0; i < 4 * coarse; i++) if (i < coarse || rand() < 0.3) S.push(i);
        out.push(Int32Array.from(S));
      }
      // near-singular on purpose: a run of adjacent finest-band coefficients of every orientation
      for (const len of [3, 6, 12]) {
        const S = new Set<number>();
        for (let i = 0; i < coarse; i++) S.add(i);
        const start = Math.floor(rand() * 8);
        for (const b of finest) for (let k = 0; k < len; k++) S.add(b.offset + start + k);
        out.push(Int32Array.from([...S]).sort());
      }
      return out;
    },
  };
}

function denseProblem(dtype: Dtype): Problem {
  const rand = mulberry32(dtype === "float64" ? 41 : 42);
  const rows = 40;
  const n = 60;
  const A = new Float64Array(rows * n);
  for (let k = 0; k < A.length; k++) A[k] = Math.fround(randn(rand) / Math.sqrt(rows));
  // columns 1..4 nearly copy column 0: λ_min of supports holding both sits near ε²
  const eps = [1e-4, 3e-4, 1e-3, 3e-3];
  eps.forEach((e, c) => {
    for (let r = 0; r < rows; r++) A[r * n + c + 1] = Math.fround(A[r * n] + e * randn(rand));
  });
  const gram = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let r = 0; r < rows; r++) gram[i * n + j] += A[r * n + i] * A[r * n + j];
  let frob = 0;
  for (const v of gram) frob += v * v;
  const L_apply = (v: Float64Array | Float32Array, out: Float64Array | Float32Array) => {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += gram[i * n + j] * v[j];
      out[i] = s;
    }
  };
  // the certificate's copy applies L in float64: each output a sum of n products, ‖|L||v|‖ ≤ ‖L‖_F‖v‖
  const bound = { relErr: gammaN(n, 2 ** -53) * Math.sqrt(frob) * (1 + 1e-12), norm: Math.sqrt(frob) };
  return {
    name: `dense AᵀA (A ${rows}×${n}, near-dependent columns)`,
    m: n,
    tile: 4,
    restricted(S) {
      const op = wSpaceOperator(L_apply, null, { n, dtype: "float64", active: S, counter: { L: 0, W: 0 } });
      const s = S.length;
      const dense = new Float64Array(s * s);
      for (let p = 0; p < s; p++) for (let q = 0; q < s; q++) dense[p * s + q] = gram[S[p] * n + S[q]];
      return { R: exactRowsMatrix(op, S, { bound }), dense };
    },
    supports(rand) {
      const out: Int32Array[] = [];
      for (let t = 0; t < 12; t++) {
        const size = 5 + Math.floor(rand() * 45);
        const S = new Set<number>();
        while (S.size < size) S.add(Math.floor(rand() * n));
        if (t % 3 === 0) S.add(0).add(1 + (t % 4));
        out.push(Int32Array.from([...S]).sort());
      }
      return out;
    },
  };
}

function routes(R: RestrictedMatrix, key: ReturnType<typeof rngKey>, tile: number): GammaCertificate[] {
  const dom = dominance(R);
  const lz = lanczosGamma(R, { key: foldIn(key, 1), sigma: lambdaMaxUpper(R) });
  const theta = lz.detail.thetaMin as number;
  return [
    gershgorinGamma(R),
    gershgorinGamma(R, dom.v),
    lz,
    inertiaGamma(R, { theta, gammaMin: GAMMA_MIN }),
    congruenceGamma(R, { key: foldIn(key, 2), theta, gammaMin: GAMMA_MIN }),
  ];
}

describe.each(DTYPES)("the congruence route's sparsified products (%s run)", (dtype: Dtype) => {
  it("drop the blur's negligible entries and still never state γ above the dense λ_min", () => {
    const problem = blurProblem(dtype, [32, 32], "db4", 2, 2);
    const rand = mulberry32(77 + (dtype === "float64" ? 0 : 1));
    let engaged = 0;
    let passed = 0;
    // a random support, the two well-posed ones and a near-singular one
    const supports = problem.supports(rand);
    [0, 8, 9, supports.length - 1].map((i) => supports[i]).forEach((S, t) => {
      const { R, dense } = problem.restricted(S);
      const lmin = jacobiEigenvalues({ rows: S.length, cols: S.length, a: dense })[0];
      for (const gammaMin of [GAMMA_MIN, 1e-3]) {
        const c = congruenceGamma(R, { key: rngKey(100 + t), gammaMin });
        if ((c.detail.kept as number) < 1) engaged++;
        expect(c.margins.dropped).toBeLessThanOrEqual(gammaMin);
        if (!(c.gamma <= lmin + 1e-13)) expect.fail(`congruence states γ = ${c.gamma} above the dense λ_min = ${lmin} (|S| = ${S.length}): ${c.statement}`);
        if (c.gamma >= gammaMin) passed++;
        if (process.env.DEBUG_ROUTES) console.log(S.length, lmin, gammaMin, c.gamma, c.detail.kept, JSON.stringify(c.detail.attempts));
      }
    });
    expect(engaged).toBeGreaterThan(0);
    expect(passed).toBeGreaterThan(0);
  });
});

describe.each(DTYPES)("γ routes are sound (%s run)", (dtype: Dtype) => {
  const problems = [blurProblem(dtype, [128], "db4", 3, 1.5), blurProblem(dtype, [32, 32], "db2", 2, 2), denseProblem(dtype)];
  describe.each(problems)("$name", (problem) => {
    it("no route states γ above the dense λ_min; inertia passes where the dense verdict clearly does; no pass below γ_min", () => {
      const rand = mulberry32(problem.m + (dtype === "float64" ? 0 : 1000));
      let belowGate = 0;
      let clearlyAbove = 0;
      problem.supports(rand).forEach((S, t) => {
        const { R, dense } = problem.restricted(S);
        const lmin = jacobiEigenvalues({ rows: S.length, cols: S.length, a: dense })[0];
        const certs = routes(R, rngKey(t + 1), problem.tile);
        for (const c of certs) {
          if (!(c.gamma <= lmin + 1e-13)) expect.fail(`${c.route} states γ = ${c.gamma} above the dense λ_min = ${lmin} (|S| = ${S.length}): ${c.statement}`);
          if (lmin < GAMMA_MIN) expect(c.gamma >= GAMMA_MIN, `${c.route} passes λ_min = ${lmin} < γ_min`).toBe(false);
        }
        if (process.env.DEBUG_ROUTES) console.log(problem.name, S.length, lmin, certs.map((c) => `${c.route}:${c.gamma.toExponential(2)}`).join(" "));
        if (lmin < GAMMA_MIN) belowGate++;
        if (lmin >= 4 * GAMMA_MIN + 4 * R.perturbation) {
          clearlyAbove++;
          const inertia = certs.find((c) => c.route === "inertia")!;
          expect(inertia.gamma, `inertia fails λ_min = ${lmin}: ${inertia.statement}`).toBeGreaterThanOrEqual(GAMMA_MIN);
        }
      });
      // the fuzz met both verdicts
      expect(belowGate).toBeGreaterThan(0);
      expect(clearlyAbove).toBeGreaterThan(0);
    });
  });
});

describe.each(DTYPES)("the incomplete-Cholesky congruence with little fill (%s run)", (dtype: Dtype) => {
  // a factor far from L̂_S − sI (≤ 6 entries per column, 1e-2 relative threshold): its dropping, its
  // compensation and its breakdowns change how many Lanczos steps decide, never the verdict's soundness
  const problems = [blurProblem(dtype, [128], "db4", 3, 1.5), blurProblem(dtype, [32, 32], "db2", 2, 2), denseProblem(dtype)];
  it.each(problems)("$name: γ ≤ dense λ_min on every support, no pass below γ_min, passes where λ_min clears the gate", (problem) => {
    const rand = mulberry32(problem.m + 7 + (dtype === "float64" ? 0 : 1000));
    let fillDropped = 0;
    let breakdowns = 0;
    let failedBelow = 0;
    let passedAbove = 0;
    const supports = problem.supports(rand);
    // 2D: a random support, the two well-posed ones and the near-singular ones (the dense truth is the cost)
    const chosen = problem.name.startsWith("2D") ? supports.filter((_, t) => t === 0 || t >= 8) : supports;
    chosen.forEach((S, t) => {
      const { R, dense } = problem.restricted(S);
      const lmin = jacobiEigenvalues({ rows: S.length, cols: S.length, a: dense })[0];
      const c = congruenceGamma(R, { key: rngKey(300 + t), gammaMin: GAMMA_MIN, tau: 1e-2, fill: 6 });
      if (process.env.DEBUG_ROUTES) console.log(problem.name, S.length, lmin, c.gamma, JSON.stringify(c.detail.attempts));
      for (const a of c.detail.attempts as { fillDropped?: number; breakdowns?: number }[]) {
        fillDropped += a.fillDropped ?? 0;
        breakdowns += a.breakdowns ?? 0;
      }
      if (!(c.gamma <= lmin + 1e-13)) expect.fail(`congruence states γ = ${c.gamma} above the dense λ_min = ${lmin} (|S| = ${S.length}): ${c.statement}`);
      if (lmin < GAMMA_MIN) {
        expect(c.gamma >= GAMMA_MIN, `passes λ_min = ${lmin} < γ_min`).toBe(false);
        failedBelow++;
      }
      if (lmin >= 4 * GAMMA_MIN + 4 * R.perturbation && c.gamma >= GAMMA_MIN) passedAbove++;
    });
    if (process.env.DEBUG_ROUTES) console.log(problem.name, { fillDropped, breakdowns, failedBelow, passedAbove });
    expect(fillDropped).toBeGreaterThan(0);
    expect(failedBelow).toBeGreaterThan(0);
    expect(passedAbove).toBeGreaterThan(0);
  });

  it("fails a rank-deficient AᵀA whose factor breaks down, with the breakdown recorded", () => {
    // columns 3 and 4 copy column 0 exactly: λ_min = 0 < γ_min, and the complete factorisation meets a zero pivot
    const rand = mulberry32(dtype === "float64" ? 5 : 6);
    const rows = 30;
    const n = 12;
    const A = new Float64Array(rows * n);
    for (let k = 0; k < A.length; k++) A[k] = dtype === "float32" ? Math.fround(randn(rand)) : randn(rand);
    for (let r = 0; r < rows; r++) A[r * n + 3] = A[r * n + 4] = A[r * n];
    const g = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let r = 0; r < rows; r++) g[i * n + j] += A[r * n + i] * A[r * n + j];
    const lmin = jacobiEigenvalues({ rows: n, cols: n, a: g })[0];
    expect(lmin).toBeLessThan(GAMMA_MIN);
    const R: RestrictedMatrix = { active: Int32Array.from({ length: n }, (_, i) => i), matrix: csrFromDense(g, n), perturbation: 0, rowPerturbation: 0, parts: { dropped: 0, rounding: 0 }, source: "exact rows", ms: 0 };
    const c = congruenceGamma(R, { key: rngKey(9), gammaMin: GAMMA_MIN, tau: 0, fill: n });
    const attempt = (c.detail.attempts as { breakdowns: number; thetaMin: number }[])[0];
    expect(attempt.breakdowns).toBeGreaterThan(0);
    expect(c.gamma).toBeLessThan(GAMMA_MIN);
    expect(attempt.thetaMin).toBeLessThan(0); // P has A − sI's negative eigenvalue (Sylvester), and Lanczos finds it
  });
});

describe.each(DTYPES)("the congruence route's shifts above λ_min (%s run)", (dtype: Dtype) => {
  // shifts placed from a θ far above λ_min (0.5θ, 0.2θ, 0.05θ all > λ_min) prove nothing; the gate's shift
  // s = γ_min + 2·margin then decides, and γ = s − margin: ‖L_S − L̂_S‖ and the dropped entries' ℓ1 row mass
  // both subtracted, each no larger than the dense truth allows
  const problems = [blurProblem(dtype, [128], "db4", 3, 1.5), blurProblem(dtype, [32, 32], "db2", 2, 2), denseProblem(dtype)];
  it.each(problems)("$name: fall back to the gate's shift, account for the dropped mass, never above the dense λ_min", (problem) => {
    const rand = mulberry32(problem.m + 31 + (dtype === "float64" ? 0 : 1000));
    let fellBack = 0;
    const supports = problem.supports(rand);
    // 2D: the two well-posed supports only (the dense truth is the cost)
    const chosen = problem.name.startsWith("2D") ? supports.filter((_, t) => t === 8 || t === 9) : supports;
    chosen.forEach((S, t) => {
      const { R, dense } = problem.restricted(S);
      const lmin = jacobiEigenvalues({ rows: S.length, cols: S.length, a: dense })[0];
      if (!(lmin >= 4 * GAMMA_MIN + 4 * R.perturbation)) return;
      const c = congruenceGamma(R, { key: rngKey(500 + t), theta: 40 * lmin, gammaMin: GAMMA_MIN });
      const attempts = c.detail.attempts as { shift: number; lowerBound?: number; allowance?: number }[];
      if (!(c.gamma <= lmin + 1e-13)) expect.fail(`congruence states γ = ${c.gamma} above the dense λ_min = ${lmin} (|S| = ${S.length}): ${c.statement}`);
      expect(attempts.length).toBeGreaterThanOrEqual(2);
      // the shifts above λ_min: nothing proven there (a proof at s > λ_min would contradict the dense truth)
      for (const a of attempts.slice(0, -1)) {
        expect(a.shift).toBeGreaterThan(lmin);
        if (a.lowerBound !== undefined) expect(a.lowerBound).toBeLessThan(a.allowance!);
      }
      // the last one is the gate's: s = γ_min + 2·margin, margin = (‖L_S − L̂_S‖ + dropped)(1 + 2⁻⁵⁰)
      const margin = (R.perturbation + c.margins.dropped) * (1 + 2 ** -50);
      const gate = attempts[attempts.length - 1];
      expect(gate.shift).toBe(GAMMA_MIN + 2 * margin);
      expect(c.margins.dropped).toBeLessThanOrEqual(GAMMA_MIN);
      expect(c.margins.perturbation).toBe(R.perturbation);
      if (c.gamma >= GAMMA_MIN) {
        expect(c.gamma).toBe(gate.shift - margin);
        expect(c.failureProbability).toBe(1e-6);
        fellBack++;
      }
    });
    expect(fellBack).toBeGreaterThan(0);
  });
});
