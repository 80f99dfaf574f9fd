import { type CompiledFlow, DEFAULTS, type Dtype, type TargetReading, type TrialOutcome, type TunerContext, compileFlow, normal, rngKey } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { gapDialPolicy, hutchinsonTrace, taskTarget } from "../src/index.js";

const DTYPES: Dtype[] = ["float64", "float32"];
const M = 40;
const N = 24;

/** A random dense A (m × n, row-major) and data y. */
function denseProblem(seed: number): { A: Float64Array; y: Float64Array } {
  const A = Float64Array.from(normal(rngKey(seed), M * N, "float64"), (v) => v / Math.sqrt(M));
  const y = Float64Array.from(normal(rngKey(seed + 1), M, "float64"));
  return { A, y };
}

function compileDense(dtype: Dtype, regularizer: Record<string, unknown>, seed = 3): { compiled: CompiledFlow; A: Float64Array; y: Float64Array } {
  const { A, y } = denseProblem(seed);
  const Arr = dtype === "float64" ? Float64Array : Float32Array;
  const { compiled } = compileFlow(
    {
      name: "dense",
      dtype,
      state: { x: { shape: [N] } },
      data: { A: Arr.from(A), y: Arr.from(y) },
      noise: { y: { sigma: 0.5 } },
      ops: { A: { type: "dense", matrix: "A", rows: M, cols: N } },
      terms: [{ kind: "data", atom: "leastSquares", op: "A", target: "y" }, regularizer as never],
    },
    { dtype },
  );
  return { compiled, A, y };
}

/** Dense solve of a small SPD system by Gaussian elimination (partial pivoting), in float64. */
function solve(Min: number[][], b: number[]): number[] {
  const n = b.length;
  const a = Min.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    for (let r = c + 1; r < n; r++) {
      const f = a[r][c] / a[c][c];
      for (let k = c; k <= n; k++) a[r][k] -= f * a[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = a[r][n];
    for (let k = r + 1; k < n; k++) s -= a[r][k] * x[k];
    x[r] = s / a[r][r];
  }
  return x;
}

/** The influence matrix H = A_S (A_SᵀA_S + μI)⁻¹ A_Sᵀ, densely. */
function influence(A: Float64Array, support: number[], mu: number): number[][] {
  const col = (j: number) => Array.from({ length: M }, (_, i) => A[i * N + j]);
  const cols = support.map(col);
  const G = cols.map((ci) => cols.map((cj) => ci.reduce((s, v, k) => s + v * cj[k], 0)));
  support.forEach((_, i) => (G[i][i] += mu));
  const H: number[][] = [];
  for (let i = 0; i < M; i++) {
    const w = solve(G, cols.map((c) => c[i])); // (A_SᵀA_S + μI)⁻¹ A_Sᵀ e_i
    H.push(Array.from({ length: M }, (_, r) => cols.reduce((s, c, k) => s + c[r] * w[k], 0)));
  }
  return H;
}

/** Hutchinson's variance bound for Rademacher probes: 2(‖H‖_F² − Σ H_ii²)/p. */
function hutchinsonSd(H: number[][], probes: number): number {
  let off = 0;
  H.forEach((row, i) => row.forEach((v, j) => i !== j && (off += v * v)));
  return Math.sqrt((2 * off) / probes);
}

function rss(A: Float64Array, y: Float64Array, x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < M; i++) {
    let ax = 0;
    for (let j = 0; j < N; j++) ax += A[i * N + j] * x[j];
    s += (ax - y[i]) ** 2;
  }
  return s;
}

describe("hutchinsonTrace", () => {
  it("estimates the trace of a dense symmetric matrix within its stated spread, and is reproducible from its key", () => {
    const n = 30;
    const B = normal(rngKey(9), n * n, "float64");
    const S = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => B[i * n + j] + B[j * n + i]));
    const apply = (v: Float64Array, out: Float64Array) => {
      for (let i = 0; i < n; i++) out[i] = S[i].reduce((s, a, j) => s + a * v[j], 0);
    };
    const exact = S.reduce((s, row, i) => s + row[i], 0);
    const est = hutchinsonTrace(apply, n, 200, rngKey(4));
    expect(Math.abs(est.trace - exact)).toBeLessThan(4 * hutchinsonSd(S, 200));
    expect(est.stdError).toBeGreaterThan(0);
    expect(hutchinsonTrace(apply, n, 200, rngKey(4)).trace).toBe(est.trace);
    expect(() => hutchinsonTrace(apply, n, 0, rngKey(4))).toThrow(/probes must be an integer ≥ 1/);
  });
});

describe.each(DTYPES)("SURE and GCV degrees of freedom (%s)", (dtype) => {
  const tol = dtype === "float64" ? 1e-9 : 2e-4;

  it("Tikhonov (no support): the Hutchinson df matches tr(A (AᵀA + μI)⁻¹ Aᵀ) from a dense solve", () => {
    const mu = 0.3;
    const { compiled, A, y } = compileDense(dtype, { kind: "regularizer", atom: "tikhonov", weight: mu });
    const probes = 64;
    const sure = taskTarget(compiled, { name: "sure", traceProbes: probes })!;
    expect(sure.describe()).toMatchObject({ name: "sure", df_method: "hutchinson", trace_probes: probes, sigma: 0.5, sigma_source: "given" });
    const x = Float64Array.from({ length: N }, (_, i) => Math.sin(i));
    const state = { x: dtype === "float64" ? x : Float32Array.from(x) };
    const r = sure.read(state, null);
    const H = influence(A, Array.from({ length: N }, (_, j) => j), mu);
    const exact = H.reduce((s, row, i) => s + row[i], 0);
    expect(Math.abs((r.df as number) - exact)).toBeLessThan(4 * hutchinsonSd(H, probes));
    // SURE = (‖r‖² − mσ² + 2σ² df)/m, with ‖r‖² computed here
    const res = rss(A, y, state.x);
    expect(r.value).toBeCloseTo((res - M * 0.25 + 2 * 0.25 * (r.df as number)) / M, dtype === "float64" ? 10 : 4);
    expect(r.discrepancy).toBeCloseTo(res / (M * 0.25), dtype === "float64" ? 10 : 4);
    expect(r.direction).toBe(0);
    const gcv = taskTarget(compiled, { name: "gcv", traceProbes: probes })!.read(state, null);
    expect(gcv.target).toBe("gcv");
    expect(gcv.df).toBe(r.df); // the same probes
    expect(gcv.value).toBeCloseTo(res / M / (1 - (r.df as number) / M) ** 2, dtype === "float64" ? 10 : 4);
    compiled.dispose();
  });

  it("ℓ1 (lasso): df = |S| exactly — the trace of the projection onto range(A_S), which Hutchinson confirms", () => {
    const { compiled, A } = compileDense(dtype, { kind: "regularizer", atom: "l1", weight: 0.1 });
    const support = [1, 4, 5, 9, 13, 20, 22];
    const x = new Float64Array(N);
    for (const j of support) x[j] = 0.5 + j / 10;
    const state = { x: dtype === "float64" ? x : Float32Array.from(x) };
    const exact = taskTarget(compiled, { name: "sure" })!;
    expect(exact.describe().df_method).toBe("support size");
    expect(exact.read(state, state.x).df).toBe(support.length);
    const H = influence(A, support, 0);
    expect(H.reduce((s, row, i) => s + row[i], 0)).toBeCloseTo(support.length, 9);
    const probes = 64;
    const est = taskTarget(compiled, { name: "sure", df: "hutchinson", traceProbes: probes })!.read(state, state.x);
    expect(Math.abs((est.df as number) - support.length)).toBeLessThan(4 * hutchinsonSd(H, probes) + tol * support.length);
    compiled.dispose();
  });
});

describe("targets by name", () => {
  it("the discrepancy reading says which way λ should move; unknown names and nonlinear fits are refused with the spec path", () => {
    const { compiled, A, y } = compileDense("float64", { kind: "regularizer", atom: "l1", weight: 0.1 });
    const t = taskTarget(compiled, { tau: 1.5 })!;
    expect(t.name).toBe("discrepancy");
    const zero = { x: new Float64Array(N) };
    const r = t.read(zero, zero.x);
    const d = rss(A, y, zero.x) / (M * 0.25);
    expect(r.discrepancy).toBeCloseTo(d, 12);
    expect(r.value).toBeCloseTo(d / 1.5, 12);
    expect(r.direction).toBe(d / 1.5 > 1 ? -1 : 1);
    expect(() => taskTarget(compiled, { name: "morozov" as never })).toThrow(/unknown target "morozov"/);
    compiled.dispose();
    const box = compileDense("float64", { kind: "regularizer", atom: "box", params: { lo: 0, hi: 1 } }).compiled;
    expect(() => taskTarget(box, { name: "gcv" })).toThrow(/policies\.tuner\.target: SURE and GCV need a fit linear in the data/);
    expect(taskTarget(box, { name: "discrepancy" })).not.toBeNull();
    box.dispose();
  });
});

describe("Gap Dial bracket mode", () => {
  const ctx = (lambda: number, target: TargetReading | null, lambdaJ: number[] | null = null): TunerContext => ({
    dials: { lambda, lambdaJ, alpha: 0.5 },
    target,
    limits: { alphaMax: 1.999, lambdaCap: 1e6, moveCap: 0.2, ratioBounds: [0.5, 2] },
    bandStats: null,
    options: DEFAULTS.tuner,
    iter: 0,
    key: [1, 2],
  });
  /** A monotone discrepancy: value (λ/λ*)^0.4, 1 at λ*. */
  const reading = (lambda: number, star: number): TargetReading => {
    const v = (lambda / star) ** 0.4;
    return { target: "discrepancy", score: Math.abs(Math.log(v)), value: v, discrepancy: v, direction: v < 1 ? 1 : v > 1 ? -1 : 0 };
  };
  const outcome = (from: number, to: number, accepted: boolean, r: TargetReading | null, lambdaJ: number[] | null = null): TrialOutcome => ({
    trial: 1,
    from: { lambda: from, lambdaJ, alpha: 0.5 },
    to: { lambda: to, lambdaJ, alpha: 0.5 },
    certificate: null,
    accepted,
    metric: r ? r.score : null,
    target: r,
    energy: 1,
    reason: accepted ? "certificates hold" : "certificates failed",
  });

  /** Runs the policy against a simulated controller; certificates fail below `floor`. */
  function drive(start: number, star: number, floor = 0, lambdaJ: number[] | null = null) {
    const p = gapDialPolicy();
    let lambda = start;
    let s = p.init(ctx(lambda, reading(lambda, star), lambdaJ));
    const notes: string[] = [];
    for (let trial = 0; trial < 40; trial++) {
      const prop = p.propose(s, ctx(lambda, reading(lambda, star), lambdaJ));
      s = prop.state;
      notes.push(prop.note);
      if (!prop.dials) break;
      const to = prop.dials.lambda!;
      expect(Math.abs(to / lambda - 1)).toBeLessThanOrEqual(0.2 + 1e-12);
      if (lambdaJ) expect(prop.dials.lambdaJ).toEqual(lambdaJ);
      const ok = to >= floor;
      s = p.update(s, outcome(lambda, to, ok, ok ? reading(to, star) : null, lambdaJ));
      if (ok) lambda = to;
    }
    return { lambda, notes, state: s };
  }

  it("brackets the crossing from above and from below and stops within bracketTol of it", () => {
    for (const start of [3e-3, 2]) {
      const { lambda, notes, state } = drive(start, 0.07);
      expect(state.mode).toBe("bracket");
      expect(Math.abs(Math.log(lambda / 0.07))).toBeLessThan(Math.log(1.05));
      // a power law is a line in (log λ, log value): the secant may land on the crossing itself
      expect(notes.at(-1)).toMatch(/discrepancy target bracketed|at the discrepancy target/);
    }
  });

  it("steps along the secant of the last two readings: a curved discrepancy reached in 3 moves from 1.65× below (capped steps took 4)", () => {
    // log value convex in log λ, like the demo's: v = exp(0.06·u + 0.04·u²), u = ln(λ/λ*) — 1 at λ*
    const star = 3.3e-3;
    const curved = (lambda: number): TargetReading => {
      const u = Math.log(lambda / star);
      const v = Math.exp(0.06 * u + 0.04 * u * u);
      return { target: "discrepancy", score: Math.abs(Math.log(v)), value: v, discrepancy: v, direction: v < 1 ? 1 : v > 1 ? -1 : 0 };
    };
    const p = gapDialPolicy();
    let lambda = 2e-3;
    let s = p.init(ctx(lambda, curved(lambda)));
    const moves: number[] = [];
    let note = "";
    for (let trial = 0; trial < 20; trial++) {
      const prop = p.propose(s, ctx(lambda, curved(lambda)));
      s = prop.state;
      note = prop.note;
      if (!prop.dials) break;
      const to = prop.dials.lambda!;
      expect(Math.abs(to / lambda - 1)).toBeLessThanOrEqual(0.2 + 1e-12);
      s = p.update(s, outcome(lambda, to, true, curved(to)));
      moves.push(to);
      lambda = to;
    }
    // a capped step (one reading: no secant yet), the secant's step capped, the secant's own step;
    // then the crossing interpolated inside the bracket lies within bracketTol of λ: no fourth move
    expect(moves).toHaveLength(3);
    expect(moves[0]).toBeCloseTo(2.4e-3, 12);
    expect(moves[2] / moves[1] - 1).toBeLessThan(0.2);
    expect(Math.abs(Math.log(lambda / star))).toBeLessThan(Math.log(1.05));
    expect(note).toMatch(/crossing interpolated at .*within 5\.0% of λ|discrepancy target bracketed/);
  });

  it("stops at the end of the certified range when the target lies beyond it", () => {
    const { lambda, notes } = drive(1, 0.01, 0.1);
    expect(lambda).toBeGreaterThanOrEqual(0.1);
    expect(lambda / 0.1).toBeLessThan(1.05);
    expect(notes.at(-1)).toMatch(/lies below the certified range/);
  });

  it("per band: the global λ brackets the target and the seeded λ_j keep their ratios", () => {
    const { lambda } = drive(0.5, 0.05, 0, [4, 2, 1, 1]);
    expect(Math.abs(Math.log(lambda / 0.05))).toBeLessThan(Math.log(1.05));
  });

  it("a target without a direction (SURE, GCV) is minimised by pattern search", () => {
    const p = gapDialPolicy();
    const sure = (lambda: number): TargetReading => ({ target: "sure", score: Math.log(lambda / 0.02) ** 2, value: Math.log(lambda / 0.02) ** 2, discrepancy: 1, direction: 0 });
    let lambda = 0.1;
    let s = p.init(ctx(lambda, sure(lambda)));
    for (let t = 0; t < 60; t++) {
      const prop = p.propose(s, ctx(lambda, sure(lambda)));
      s = prop.state;
      if (!prop.dials) break;
      const to = prop.dials.lambda!;
      s = p.update(s, outcome(lambda, to, true, sure(to)));
      // the controller commits every certified move; the policy turns back when one got worse
      lambda = to;
    }
    expect(s.mode).toBe("minimise");
    expect(Math.abs(Math.log(lambda / 0.02))).toBeLessThan(0.25);
  });
});
