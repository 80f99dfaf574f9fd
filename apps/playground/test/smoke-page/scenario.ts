// What the smoke test computes, once in Chromium (index.html → main.ts, bundled by Vite) and once
// in Node, through the public API of the four browser packages: a Lasso (least squares + L1) by
// ISTA and by FISTA and a wavelet-L1 deblurring through core's compiled flows and kernel, the
// leading eigenvector on the sphere (@cflow/manifolds), the Lyapunov descent check of the ISTA
// trace and the eigenvalues of AᵀA (@cflow/fda), and the Gap Dial's feasibility moves
// (@cflow/tuner).
//
// Everything here is arithmetic that every JS engine rounds alike (IEEE-754 + − × ÷ and √, and the
// WebAssembly kernel). JS engines' Math.log/exp/sin/cos are not: Node 20 and Chromium 156 differ by
// one ulp on a few percent of arguments. So the data are uniform draws and a binomial blur
// (not normal() and a Gaussian), and each runner's step size is set explicitly — compileFlow
// estimates β by a power iteration started from normal() draws, and a circular convolution's
// norm from Math.cos/sin.
import { type Certificate, DEFAULTS, type Dtype, FlowRunner, type RealArray, type StepMetrics, type TunerContext, compileFlow, conv2d, defaultRegistry, defineFlow, rngKey, uniform } from "@cflow/core";
import { symmetricEigenvalues } from "@cflow/core/linalg";
import { traceDescent } from "@cflow/fda";
import { piecewiseSmooth2d } from "@cflow/integration/deconvolution";
import { manifoldsPlugin } from "@cflow/manifolds";
import { gapDialPolicy } from "@cflow/tuner";

/** Named results; float32 runs' values are exact in float64. */
export type SmokeResults = Record<string, Float64Array>;

const ROWS = 30;
const COLS = 50;

function asDtype(a: Float64Array, dtype: Dtype): RealArray {
  return dtype === "float64" ? a : Float32Array.from(a);
}

/** Uniform draws on [−1, 1) (integer arithmetic and one division: the same in every JS engine). */
function draws(seed: number, n: number): Float64Array {
  return Float64Array.from(uniform(rngKey(seed), n, "float64"), (u) => 2 * u - 1);
}

/** A 30×50 random matrix (row-major). */
const lassoMatrix = () => draws(11, ROWS * COLS);

/** ‖M‖_F² ≥ ‖M‖₂²: 1/‖M‖_F² is a safe step for ½‖Mx − y‖² (and ½xᵀMx with M ⪰ 0 up to the root). */
function frobenius2(m: Float64Array): number {
  return m.reduce((s, v) => s + v * v, 0);
}

/** Runs `steps` steps of a compiled flow at step size `alpha`: the step metrics and the last iterate. */
function run(compiled: ReturnType<typeof compileFlow>["compiled"], alpha: number, steps: number): { metrics: StepMetrics[]; x: Float64Array } {
  const runner = new FlowRunner(compiled);
  runner.setDials({ ...runner.dials, alpha });
  const metrics = Array.from({ length: steps }, () => runner.step());
  const x = Float64Array.from(runner.state);
  runner.dispose();
  compiled.dispose();
  return { metrics, x };
}

/** ½‖Ax − y‖² + 0.1‖x‖₁, 40 steps of ISTA (then the descent check of its trace) and of FISTA. */
function lasso(dtype: Dtype): SmokeResults {
  const A = lassoMatrix();
  const y = draws(12, ROWS);
  const out: SmokeResults = {};
  for (const family of ["proximal", "accelerated"]) {
    const spec = defineFlow(({ dtype: dt }) => ({
      dtype: dt,
      state: { x: { shape: [COLS] } },
      data: { A: asDtype(A, dt), y: asDtype(y, dt) },
      ops: { A: { type: "dense", matrix: "A", rows: ROWS, cols: COLS } },
      terms: [
        { kind: "data" as const, atom: "leastSquares", op: "A", target: "y" },
        { kind: "regularizer" as const, atom: "l1", weight: 0.1 },
      ],
      policies: { flow: { family, lineSearch: "never" as const } },
    }));
    const { metrics, x } = run(compileFlow(spec, { dtype }).compiled, 1 / frobenius2(A), 40);
    out[`core: Lasso ${family} energies`] = Float64Array.from(metrics, (m) => m.E);
    out[`core: Lasso ${family} x`] = x;
    if (family === "proximal") {
      const d = traceDescent(metrics, { monotone: true, tol: 0 });
      out["fda: descent check of the ISTA trace"] = Float64Array.of(d.maxViolation, d.violations, d.steps);
    }
  }
  return out;
}

/** 32×32 circular binomial-5×5 deblurring with db4 wavelet-L1 (2 levels), 20 FISTA steps. */
function deblur(dtype: Dtype): SmokeResults {
  const n = 32;
  const truth = piecewiseSmooth2d(n, n, "float64");
  const binomial = Float64Array.from([1, 4, 6, 4, 1], (v) => v / 16);
  const psf = Float64Array.from({ length: 25 }, (_, i) => binomial[Math.floor(i / 5)] * binomial[i % 5]);
  const K = conv2d(psf, { shape: [n, n], boundary: "circular", dtype: "float64" });
  const y = K.apply(truth) as Float64Array;
  K.dispose();
  const noise = draws(3, n * n);
  for (let i = 0; i < n * n; i++) y[i] += 0.01 * noise[i];
  const spec = defineFlow(({ dtype: dt }) => ({
    dtype: dt,
    state: { x: { shape: [n, n] } },
    data: { y: asDtype(y, dt), psf: asDtype(psf, dt) },
    ops: { K: { type: "conv2d", kernel: "psf", shape: [n, n], boundary: "circular" } },
    transforms: { W: { name: "db4", levels: 2 } },
    terms: [
      { kind: "data" as const, atom: "leastSquares", op: "K", target: "y" },
      { kind: "regularizer" as const, atom: "waveletL1", transform: "W", weight: 2e-3 },
    ],
    policies: { flow: { family: "accelerated" } },
  }));
  // a non-negative kernel summing to 1: ‖K‖ = K̂(0) = 1
  const { metrics, x } = run(compileFlow(spec, { dtype }).compiled, 0.99, 20);
  return { "core: deblurring energies": Float64Array.from(metrics, (m) => m.E), "core: deblurring x": x };
}

/** min ½xᵀQx on the unit sphere, Q = −AAᵀ: the leading eigenvector of AAᵀ, 30 Riemannian gradient steps. */
function sphere(dtype: Dtype): SmokeResults {
  const A = lassoMatrix();
  const Q = new Float64Array(ROWS * ROWS);
  for (let i = 0; i < ROWS; i++) for (let j = 0; j < ROWS; j++) for (let k = 0; k < COLS; k++) Q[i * ROWS + j] -= A[i * COLS + k] * A[j * COLS + k];
  const registry = defaultRegistry();
  registry.use(manifoldsPlugin);
  const spec = defineFlow(({ dtype: dt }) => ({
    dtype: dt,
    state: { x: { shape: [ROWS], manifold: "sphere", init: { data: "x0" } } },
    data: { Q: asDtype(Q, dt), x0: asDtype(draws(5, ROWS), dt) },
    ops: { Q: { type: "dense", matrix: "Q", rows: ROWS, cols: ROWS } },
    terms: [{ kind: "data" as const, atom: "quadraticForm", op: "Q" }],
    policies: { flow: { family: "gradient" } },
  }));
  const { metrics, x } = run(compileFlow(spec, { dtype, registry }).compiled, 1 / Math.sqrt(frobenius2(Q)), 30);
  return { "manifolds: sphere energies": Float64Array.from(metrics, (m) => m.E), "manifolds: sphere x": x };
}

/** The spectrum of AᵀA by fda's dense symmetric eigen-solver. */
function spectrum(): SmokeResults {
  const A = lassoMatrix();
  const G = new Float64Array(COLS * COLS);
  for (let i = 0; i < COLS; i++) for (let j = 0; j < COLS; j++) for (let k = 0; k < ROWS; k++) G[i * COLS + j] += A[k * COLS + i] * A[k * COLS + j];
  return { "fda: AᵀA eigenvalues": Float64Array.from(symmetricEigenvalues(G, COLS)) };
}

/** The Gap Dial widening λ after failed certificates until its cap. */
function tunerMoves(): SmokeResults {
  const policy = gapDialPolicy({ widenFactor: 1.7 });
  const failed: Certificate = {
    etaDD: 2,
    dominance: "plain",
    gamma: 1e-9,
    route: "gershgorin",
    failureProbability: 0,
    gammaGershgorin: -1,
    lambdaMax: 1,
    method: "exact",
    size: 10,
    pass: false,
    violations: [{ gate: "gamma", value: 1e-9, threshold: 1e-6, message: "γ = 1e-9 below γ_min = 1e-6" }],
    reasons: ["γ = 1e-9 below γ_min = 1e-6"],
    notes: [],
    errorBar: null,
    cost: { applications: 0, ms: 0 },
    diagnostics: {},
  };
  let ctx: TunerContext = { dials: { lambda: 1e-3, lambdaJ: [1, 1, 1], alpha: 0.5 }, limits: { alphaMax: 1.999, lambdaCap: 2e-2, moveCap: 0.2, ratioBounds: [0.5, 2] }, bandStats: null, options: DEFAULTS.tuner, iter: 0, key: [1, 2] };
  let state = policy.init(ctx);
  const lambdas: number[] = [];
  for (let attempt = 1; attempt <= 10; attempt++) {
    const r = policy.remediate(state, ctx, failed, attempt);
    state = r.state;
    if (!r.dials) break;
    lambdas.push(r.dials.lambda ?? Number.NaN);
    ctx = { ...ctx, dials: r.dials };
  }
  return { "tuner: widened λ": Float64Array.from(lambdas) };
}

export function smokeScenario(dtype: Dtype): SmokeResults {
  return { ...lasso(dtype), ...deblur(dtype), ...sphere(dtype), ...spectrum(), ...tunerMoves() };
}

/** Results as hex of their float64 bytes, for a bit-exact trip out of the page. */
export function encodeResults(r: SmokeResults): Record<string, string> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), (b) => b.toString(16).padStart(2, "0")).join("")]));
}

export function decodeResults(r: Record<string, string>): SmokeResults {
  return Object.fromEntries(Object.entries(r).map(([k, hex]) => [k, new Float64Array(Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16)).buffer)]));
}
