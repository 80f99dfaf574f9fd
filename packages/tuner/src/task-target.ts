import { CflowError, type CompiledFlow, type DataTerm, type Json, type RealArray, type RngKey, type TargetReading, type TaskTarget, dataTerms, foldIn, noiseLevel, residualNormSq } from "@cflow/core";
import { type TraceEstimate, conjugateGradient, hutchinsonTrace } from "./trace-estimate.js";

/** The task targets the Gap Dial aims at by name (the spec's `policies.tuner.target`). */
export const TARGET_NAMES = ["discrepancy", "sure", "gcv"] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

export interface TaskTargetOptions {
  /** "discrepancy" (default), "sure" or "gcv". */
  name?: TargetName;
  /** τ of the discrepancy principle ‖Kx − y‖² ≈ τ·m·σ² (default 1). */
  tau?: number;
  /** σ of the noise in y; default: the spec's `noise.<target>.sigma`, else estimated from y. */
  sigma?: number;
  /** Hutchinson probes where the trace of the influence matrix is not known exactly (default 8). */
  traceProbes?: number;
  /** "auto" (default): |S| where that is exact, Hutchinson otherwise; "hutchinson" always estimates. */
  df?: "auto" | "hutchinson";
  /** Key of the Hutchinson probes (default: from the flow's key). */
  key?: RngKey;
}

/** Atoms whose prox is soft-thresholding: on a fixed support the fit is linear in y (see `degreesOfFreedom`). */
const THRESHOLDING = new Set(["l1", "waveletL1"]);

/**
 * The task target of a compiled flow, aimed at through its first data term ½‖K x − y‖²: null when
 * the flow has none or σ can be neither read from the spec nor estimated from y. SURE and GCV
 * also need a fit that is linear in y on a fixed support (one Euclidean slot, quadratic smooth
 * terms, an ℓ1 or wavelet-ℓ1 prox or none, a unitary W): otherwise a BAD_POLICY error names
 * `policies.tuner.target`.
 */
export function taskTarget(compiled: CompiledFlow, options: TaskTargetOptions = {}): TaskTarget | null {
  const name = options.name ?? "discrepancy";
  if (!(TARGET_NAMES as readonly string[]).includes(name)) {
    throw new CflowError("BAD_POLICY", `policies.tuner.target: unknown target "${name}"`, { path: "policies.tuner.target", expected: `${TARGET_NAMES.map((t) => `"${t}"`).join(" | ")} | "none"`, found: JSON.stringify(name) });
  }
  const tau = options.tau ?? 1;
  if (!(tau > 0 && Number.isFinite(tau))) throw new CflowError("BAD_POLICY", `policies.tuner.tau must be > 0, found ${tau}`, { path: "policies.tuner.tau", expected: "a number > 0", found: tau });
  const term = dataTerms(compiled)[0];
  if (!term) return null;
  const sigma = options.sigma ?? term.sigma ?? noiseLevel(term.y, term.shape);
  if (sigma === null || !(sigma > 0)) return null;
  const sigmaSource = options.sigma !== undefined || term.sigma !== null ? "given" : "estimated";
  const df = name === "discrepancy" ? null : new DegreesOfFreedom(compiled, term, options.traceProbes ?? 8, options.df ?? "auto", options.key ?? foldIn(compiled.key, 0x5e7e));
  const m = term.m;
  return {
    name,
    tau,
    describe(): { [key: string]: Json } {
      const d: { [key: string]: Json } = { name, tau, sigma, sigma_source: sigmaSource, data_term: term.name, m };
      if (df) Object.assign(d, { df_method: df.method, ...(df.method === "hutchinson" ? { trace_probes: df.probes } : {}) });
      return d;
    },
    read(state, coefficients): TargetReading {
      const rss = residualNormSq(term, state);
      const discrepancy = rss / (m * sigma * sigma);
      if (name === "discrepancy") {
        const v = discrepancy / tau;
        return { target: name, score: Math.abs(Math.log(v)), value: v, discrepancy, direction: v < 1 ? 1 : v > 1 ? -1 : 0 };
      }
      const dof = df!.at(state, coefficients);
      // SURE: an unbiased estimate of the prediction risk E‖K x̂ − K x_true‖²/m (Stein 1981);
      // GCV: (‖r‖²/m)/(1 − df/m)² (Golub, Heath & Wahba 1979)
      const value = name === "sure" ? (rss - m * sigma * sigma + 2 * sigma * sigma * dof.trace) / m : rss / m / (1 - dof.trace / m) ** 2;
      return { target: name, score: value, value, discrepancy, direction: 0, df: dof.trace, ...(dof.stdError > 0 ? { df_std_error: dof.stdError } : {}) };
    },
  };
}

/**
 * df = tr(∂(K x̂)/∂y), the trace of the influence matrix of the fit, for SURE and GCV.
 *
 * On a fixed support S (the non-zero coefficients u = W x of the prox's output) the restoration
 * solves the smooth part's normal equations restricted to S: with A = K Wᵀ and L = ∇²f,
 * x̂ = Wᵀ P_S (P_Sᵀ W L Wᵀ P_S)⁻¹ P_Sᵀ (w W Kᵀ y − λ s_S) (s_S the signs, constant on the
 * support; w the data term's weight), so H = w A_S L_S⁻¹ A_Sᵀ. When the data term is the only
 * smooth term, L_S = w A_SᵀA_S and H = A_S (A_SᵀA_S)⁻¹ A_Sᵀ is the orthogonal projection onto
 * range(A_S): tr H = rank(A_S) = |S| — exact whenever L_S is positive definite, which is what a
 * passing restricted certificate proves (γ ≥ γ_min > 0). The support is locally constant in y
 * almost everywhere, so SURE with df = |S| is unbiased (Zou, Hastie & Tibshirani 2007; Tibshirani &
 * Taylor 2012). With other quadratic terms (Tikhonov, graph) tr H < |S| and is estimated by
 * Hutchinson's method, each probe one conjugate-gradient solve with L_S.
 */
class DegreesOfFreedom {
  readonly method: "support size" | "hutchinson";
  private readonly weight: number;

  constructor(
    private readonly compiled: CompiledFlow,
    private readonly term: DataTerm,
    readonly probes: number,
    mode: "auto" | "hutchinson",
    private readonly key: RngKey,
  ) {
    const path = "policies.tuner.target";
    const fail = (why: string, found: string) => {
      throw new CflowError("BAD_POLICY", `${path}: SURE and GCV need a fit linear in the data on a fixed support — ${why}`, { path, expected: '"discrepancy", or a flow with one Euclidean slot, quadratic smooth terms, an l1/waveletL1 prox (or none) and a unitary transform', found });
    };
    if (compiled.slots.length !== 1) fail("the flow has several state slots", `${compiled.slots.length} slots`);
    if (term.atom !== "leastSquares") fail(`the data term is ${term.atom}`, term.atom);
    const nonQuadratic = compiled.smooth.find((t) => !t.term.quadratic);
    if (nonQuadratic) fail(`${nonQuadratic.name} is not quadratic`, nonQuadratic.name);
    const other = compiled.prox.find((p) => !THRESHOLDING.has(p.term.atom));
    if (other) fail(`the prox ${other.name} is not a soft-thresholding`, other.term.atom);
    const W = term.slot.transform;
    if (W && W.frame !== "unitary") fail(`the transform ${W.name} is a ${W.frame} frame`, W.frame);
    if (!(Number.isInteger(probes) && probes >= 1)) throw new CflowError("BAD_POLICY", `policies.tuner.traceProbes must be an integer ≥ 1, found ${probes}`, { path: "policies.tuner.traceProbes", expected: "an integer ≥ 1", found: probes });
    this.weight = compiled.spec.terms[term.index].weight ?? 1;
    const onlyDataTerm = compiled.smooth.length === 1 && compiled.smooth[0].index === term.index;
    this.method = mode === "auto" && onlyDataTerm && compiled.prox.length > 0 ? "support size" : "hutchinson";
  }

  at(state: { [slot: string]: RealArray }, coefficients: RealArray | null): TraceEstimate {
    const support = this.support(state, coefficients);
    if (this.method === "support size") return { trace: support.length, stdError: 0, probes: 0 };
    return this.hutchinson(support);
  }

  /** Indices of the non-zero coefficients of the slot (every coefficient without a sparsity prox). */
  private support(state: { [slot: string]: RealArray }, coefficients: RealArray | null): Int32Array {
    const slot = this.term.slot;
    const size = slot.transform ? slot.transform.coeffSize : slot.size;
    if (this.compiled.prox.length === 0) return Int32Array.from({ length: size }, (_, i) => i);
    const u = coefficients ? coefficients.subarray(slot.coeffOffset, slot.coeffOffset + size) : slot.transform ? slot.transform.forward(state[slot.name]) : state[slot.name];
    const out: number[] = [];
    for (let i = 0; i < u.length; i++) if (u[i] !== 0) out.push(i);
    return Int32Array.from(out);
  }

  /** Hutchinson's tr(H): H z = K Wᵀ P_S L_S⁻¹ P_Sᵀ W (w Kᵀ z), so zᵀ H z = w·bᵀ L_S⁻¹ b with b = P_Sᵀ W Kᵀ z. */
  private hutchinson(support: Int32Array): TraceEstimate {
    const { compiled, term } = this;
    const W = term.slot.transform;
    const dtype = compiled.dtype;
    const Arr = dtype === "float64" ? Float64Array : Float32Array;
    const s = support.length;
    const size = W ? W.coeffSize : term.slot.size;
    const n = compiled.n;
    const u = new Arr(size);
    const Lx = new Arr(n);
    const toX = (w: Float64Array): RealArray => {
      u.fill(0);
      for (let i = 0; i < s; i++) u[support[i]] = w[i];
      return W ? W.adjoint(u) : Arr.from(u);
    };
    const fromX = (x: RealArray, out: Float64Array) => {
      const c = W ? W.forward(x) : x;
      for (let i = 0; i < s; i++) out[i] = c[support[i]];
    };
    const applyLS = (w: Float64Array, out: Float64Array) => {
      compiled.L_apply(toX(w), Lx);
      fromX(Lx, out);
    };
    const tol = dtype === "float64" ? 1e-10 : 1e-5;
    const b = new Float64Array(s);
    const apply = (z: Float64Array, out: Float64Array) => {
      // out ← H z through bᵀ L_S⁻¹ b: out holds K x̂ so that zᵀ out = w·bᵀ L_S⁻¹ b
      const kz = term.op ? term.op.adjoint(Arr.from(z)) : Arr.from(z);
      fromX(kz, b);
      const sol = conjugateGradient(applyLS, b, tol, Math.max(50, 4 * s));
      const x = toX(sol.x);
      const fit = term.op ? term.op.apply(x) : x;
      for (let i = 0; i < out.length; i++) out[i] = this.weight * fit[i];
    };
    return hutchinsonTrace(apply, term.m, this.probes, this.key);
  }
}
