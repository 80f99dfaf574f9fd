// Reference problems 4a and 4b (docs/design.md §7) through core's FlowRunner — the compiled flow's own
// F_Dis (Riemannian gradient) and retraction, not a loop written here:
// - the leading eigenvector of a symmetric matrix with known spectrum, by minimising the
//   quadratic form ½xᵀ(−S)x on the unit sphere ("gradient" family);
// - rotation averaging on SO(3) with a user-written smooth atom (½Σ‖R − Rᵢ‖²_F, registered by a
//   plugin, running as JavaScript steps), against the closed-form chordal mean polar(mean Rᵢ).
// Every iterate stays on the manifold to 1e-12 in float64.
import {
  type AtomContext,
  type AtomDef,
  type CacheIndex,
  type Cell,
  DTYPES,
  type Dtype,
  FlowRunner,
  type PlanBuilder,
  type RealBuf,
  type SmoothTerm,
  compileFlow,
  defaultRegistry,
  defineFlow,
  definePlugin,
} from "@cflow/core";
import { describe, expect, it } from "vitest";
import { manifoldsPlugin } from "../src/plugin.js";
import { mulberry32, randn, randomOrthogonalMatrix } from "@cflow/test-kit";

function registry() {
  const r = defaultRegistry();
  r.use(manifoldsPlugin);
  r.use(rotationAveragingPlugin);
  return r;
}

// ── 4a: leading eigenvector ──────────────────────────────────────────────────────────────────

describe.each(DTYPES)("leading eigenvector on the sphere through FlowRunner (%s)", (dtype: Dtype) => {
  it("minimises ½xᵀ(−S)x on S^{n−1} to the top eigenvector of S, staying on the sphere", () => {
    const n = 16;
    const rand = mulberry32(99);
    const Q = randomOrthogonalMatrix(n, rand);
    // a known spectrum with a clear top gap: S = Q diag(λ) Qᵀ, the top eigenvector Q's first column
    const lambdas = Array.from({ length: n }, (_, k) => (k === 0 ? 3 : k === 1 ? 2 : -2 + (3.5 * k) / n));
    const S = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) S[i * n + j] += Q[i * n + k] * lambdas[k] * Q[j * n + k];
    const top = Array.from({ length: n }, (_, i) => Q[i * n]);
    const spec = defineFlow(({ dtype: dt }) => ({
      dtype: dt,
      state: { x: { shape: [n], manifold: "sphere", init: "random" as const } },
      data: { Q: dt === "float64" ? Float64Array.from(S, (v) => -v) : Float32Array.from(S, (v) => -v) },
      ops: { Q: { type: "dense", matrix: "Q", rows: n, cols: n } },
      terms: [{ kind: "data" as const, atom: "quadraticForm", op: "Q" }],
      policies: { flow: { family: "gradient" } },
    }));
    const { compiled } = compileFlow(spec, { dtype, registry: registry() });
    const runner = new FlowRunner(compiled);
    const onSphere = dtype === "float64" ? 1e-12 : 1e-6;
    let prev = runner.energy;
    let worst = 0;
    for (let k = 0; k < 1500; k++) {
      const m = runner.step();
      const x = runner.state;
      worst = Math.max(worst, Math.abs(Math.hypot(...x) - 1));
      // Riemannian gradient descent with α = 1/β descends
      expect(m.E).toBeLessThanOrEqual(prev + (dtype === "float64" ? 1e-14 : 1e-6));
      prev = m.E;
    }
    expect(worst).toBeLessThan(onSphere);
    const x = runner.state;
    const overlap = Math.abs(top.reduce((s, v, i) => s + v * x[i], 0));
    expect(1 - overlap).toBeLessThan(dtype === "float64" ? 1e-12 : 1e-6);
    // E = ½xᵀ(−S)x → −λ_max/2
    expect(Math.abs(runner.energy + lambdas[0] / 2)).toBeLessThan(dtype === "float64" ? 1e-12 : 1e-6);
    compiled.dispose();
  });
});

// ── 4b: rotation averaging ───────────────────────────────────────────────────────────────────

/**
 * f(R) = ½ Σᵢ ‖R − Rᵢ‖²_F over samples Rᵢ (params.samples names a data array of 9N reals), a
 * user-written smooth atom: its plan steps are JavaScript closures over kernel views.
 */
class ChordalSumTerm implements SmoothTerm {
  readonly kind = "smooth" as const;
  readonly atom = "chordalSum";
  readonly quadratic = true;
  readonly lipschitz: { scale: number; normOp: null };
  private readonly sum = new Float64Array(9);
  private readonly sq: number;

  constructor(private readonly samples: Float64Array) {
    const N = samples.length / 9;
    this.lipschitz = { scale: N, normOp: null };
    let sq = 0;
    for (let i = 0; i < samples.length; i++) {
      this.sum[i % 9] += samples[i];
      sq += samples[i] * samples[i];
    }
    this.sq = sq;
  }

  private get N(): number {
    return this.samples.length / 9;
  }

  /** ½Σ‖R − Rᵢ‖² = ½N‖R‖² − ⟨R, ΣRᵢ⟩ + ½Σ‖Rᵢ‖². */
  private f(r: ArrayLike<number>): number {
    let rr = 0;
    let rs = 0;
    for (let k = 0; k < 9; k++) {
      rr += r[k] * r[k];
      rs += r[k] * this.sum[k];
    }
    return 0.5 * this.N * rr - rs + 0.5 * this.sq;
  }

  value(x: RealBuf): number {
    return this.f(x.view);
  }

  addGradient(x: RealBuf, g: RealBuf): number {
    const r = x.view;
    const gv = g.view;
    for (let k = 0; k < 9; k++) gv[k] += this.N * r[k] - this.sum[k];
    return this.f(r);
  }

  addHessian(_x: RealBuf, v: RealBuf, out: RealBuf): void {
    for (let k = 0; k < 9; k++) out.view[k] += this.N * v.view[k];
  }

  emitObserve(p: PlanBuilder, x: RealBuf, _into: CacheIndex, value: Cell): void {
    p.js(() => (value.value = this.f(x.view)));
  }

  emitGradient(p: PlanBuilder, y: RealBuf, _cur: CacheIndex, _prev: CacheIndex, _beta: Cell, g: RealBuf, value: Cell): void {
    p.js(() => (value.value = this.addGradient(y, g)));
  }

  dispose(): void {}
}

const chordalSum: AtomDef = {
  name: "chordalSum",
  kind: "smooth",
  description: "½Σᵢ‖R − Rᵢ‖²_F over rotation samples (test plugin)",
  op: "none",
  target: "none",
  transform: "none",
  params: { samples: { type: "string", required: true, description: "data array of 9N reals (N row-major 3×3 rotations)" } },
  convex: true,
  create: (ctx: AtomContext) => new ChordalSumTerm(Float64Array.from(ctx.data[ctx.params.samples as string].view)),
};

const rotationAveragingPlugin = definePlugin({
  name: "test-rotation-averaging",
  version: "0.0.0",
  setup(r) {
    r.atoms.register("chordalSum", chordalSum);
  },
});

const hat = (w: number[]) => [0, -w[2], w[1], w[2], 0, -w[0], -w[1], w[0], 0];

function mm(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  const c = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) c[i * 3 + j] += a[i * 3 + k] * b[k * 3 + j];
  return c;
}

const transpose = (a: ArrayLike<number>) => [a[0], a[3], a[6], a[1], a[4], a[7], a[2], a[5], a[8]];

/** exp of a skew matrix by its Taylor series to convergence (independent of Rodrigues). */
function expSeries(w: number[]): number[] {
  const A = hat(w);
  let term = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  const out = term.slice();
  for (let k = 1; k < 40; k++) {
    term = mm(term, A).map((v) => v / k);
    for (let i = 0; i < 9; i++) out[i] += term[i];
  }
  return out;
}

/** The orthogonal polar factor of M by Newton's iteration X ← (X + X⁻ᵀ)/2 (det M > 0). */
function polarFactor(m: number[]): number[] {
  let X = m.slice();
  for (let it = 0; it < 100; it++) {
    const [a, b, c, d, e, f, g, h, i] = X;
    const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
    // X⁻ᵀ = cofactor(X)/det
    const invT = [e * i - f * h, -(d * i - f * g), d * h - e * g, -(b * i - c * h), a * i - c * g, -(a * h - b * g), b * f - c * e, -(a * f - c * d), a * e - b * d].map((v) => v / det);
    const next = X.map((v, k) => 0.5 * (v + invT[k]));
    const delta = Math.max(...next.map((v, k) => Math.abs(v - X[k])));
    X = next;
    if (delta < 1e-16) break;
  }
  return X;
}

function det3(a: ArrayLike<number>): number {
  return a[0] * (a[4] * a[8] - a[5] * a[7]) - a[1] * (a[3] * a[8] - a[5] * a[6]) + a[2] * (a[3] * a[7] - a[4] * a[6]);
}

describe.each(DTYPES)("rotation averaging on SO(3) through FlowRunner (%s)", (dtype: Dtype) => {
  it("recovers a known rotation from noisy samples with a user-written atom, staying in SO(3)", () => {
    const rand = mulberry32(31);
    const R0 = expSeries([0.7, -1.1, 0.4]);
    const N = 40;
    const sigma = 0.05;
    const samples = new Float64Array(9 * N);
    for (let s = 0; s < N; s++) samples.set(mm(R0, expSeries([sigma * randn(rand), sigma * randn(rand), sigma * randn(rand)])), 9 * s);
    const spec = defineFlow(({ dtype: dt }) => ({
      dtype: dt,
      state: { R: { shape: [3, 3], manifold: "so3", init: "random" as const } },
      data: { samples: dt === "float64" ? Float64Array.from(samples) : Float32Array.from(samples) },
      terms: [{ kind: "data" as const, atom: "chordalSum", params: { samples: "samples" } }],
      policies: { flow: { family: "gradient" } },
    }));
    const { compiled } = compileFlow(spec, { dtype, registry: registry() });
    const runner = new FlowRunner(compiled);
    expect(runner.plan.programs[0].jsSteps).toBeGreaterThan(0);
    expect(compiled.lipschitz).toBe(N);
    let worst = 0;
    let prev = runner.energy;
    for (let k = 0; k < 200; k++) {
      const m = runner.step();
      const R = runner.state;
      const RtR = mm(transpose(R), R);
      for (let i = 0; i < 9; i++) worst = Math.max(worst, Math.abs(RtR[i] - (i % 4 === 0 ? 1 : 0)));
      worst = Math.max(worst, Math.abs(det3(R) - 1));
      expect(m.E).toBeLessThanOrEqual(prev + (dtype === "float64" ? 1e-12 : 1e-4) * Math.abs(prev));
      prev = m.E;
    }
    expect(worst).toBeLessThan(dtype === "float64" ? 1e-12 : 1e-6);
    const R = runner.state;
    // the minimiser of ½Σ‖R − Rᵢ‖² over SO(3) is the polar factor of the sample mean
    const mean = Array.from({ length: 9 }, (_, k) => {
      let s = 0;
      for (let i = 0; i < N; i++) s += samples[9 * i + k];
      return s / N;
    });
    const chordal = polarFactor(mean);
    for (let i = 0; i < 9; i++) expect(Math.abs(R[i] - chordal[i])).toBeLessThan(dtype === "float64" ? 1e-10 : 1e-5);
    // and it recovers R₀ within the statistical error σ/√N (per axis) of the noise
    const E = mm(transpose(R0), R);
    const angle = Math.acos(Math.min(1, Math.max(-1, (E[0] + E[4] + E[8] - 1) / 2)));
    expect(angle).toBeLessThan((4 * sigma * Math.sqrt(3)) / Math.sqrt(N));
    compiled.dispose();
  });
});
