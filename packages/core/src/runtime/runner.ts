import type { ProxTerm } from "../atoms/atom.js";
import type { CompiledFlow } from "../compiler/types.js";
import type { RealArray } from "../dtype.js";
import type { RealBuf } from "../kernel/kernel.js";
import { CflowError } from "../errors.js";
import { checkWeight } from "../atoms/prox/prox-term.js";
import type { EventPort, Json } from "../ports/events.js";
import type { Dials } from "../ports/tuner.js";
import type { ResolvedPolicies } from "../spec/policies.js";
import { rotation } from "./buffers.js";
import type { FamilyState, FlowFamily, FlowFamilyPolicy } from "./families.js";
import { type MultiscaleState, multiscaleInit, multiscaleUpdate } from "./multiscale.js";
import { type DiagonalPreconditioner, jacobiPreconditioner } from "./preconditioner.js";
import { StepPlan } from "./step-plan.js";
import { type TermStates, loadTermStates, saveTermStates } from "./term-state.js";

/** What one accepted step reports (the telemetry row's metrics). */
export interface StepMetrics {
  iter: number;
  /** E(x_{k+1}) = f + g (Hamiltonian flows: f(q) + ½‖p‖²). */
  E: number;
  f: number;
  g: number;
  /** ‖G_α(y)‖ = ‖x_{k+1} − y‖/α, the gradient-mapping norm (‖∇f‖ for smooth flows). */
  gradNorm: number;
  /**
   * The scale-free optimality measure ‖G_α(y)‖/s with s = ‖x_{k+1}‖/α: the gradient-mapping
   * norm relative to the gradient scale ‖x‖/α ≈ L‖x‖ (with a diagonal metric D both carry D:
   * ‖D(x_{k+1} − y)‖/α over ‖Dx_{k+1}‖/α). Null for Hamiltonian flows. `FlowRunner.converged`
   * tests it against rtol/atol.
   */
  optimality: number | null;
  /** s above (∞ when x_{k+1} = 0, where only atol can stop). */
  optimalityScale: number | null;
  alpha: number;
  /** Momentum coefficient β_k used by the accepted candidate. */
  momentum: number;
  restarted: boolean;
  /** Step-size halvings of the line search in this step. */
  backtracks: number;
  /** Non-zeros after the sparsity prox, or null without one. */
  nnz: number | null;
  /** nnz / dim(x), or null. */
  sparsityWx: number | null;
  /** Detail levels unlocked by the multiscale schedule (null without one). */
  levelActiveMax: number | null;
}

/**
 * Everything needed to continue a runner exactly (with the state arrays). The dials (α, λ, λ_j)
 * are part of it: the runner owns them (see `FlowRunner.setDials`).
 */
export interface RunnerSnapshot {
  x: RealArray;
  xPrev: RealArray;
  iter: number;
  alpha: number;
  lambda: number | null;
  lambdaJ: number[] | null;
  family: FamilyState;
  multiscale: MultiscaleState | null;
  energy: number;
  /** The non-smooth terms' states (warm starts), one per prox term (term-state.ts). */
  terms: TermStates;
}

export interface RunnerOptions {
  /** Flow family (default: the policies' `flow.family`). */
  family?: string;
  /** Where FLOW_POLICY_APPLIED and SCALE_ACTIVATED go. */
  events?: EventPort;
  /** The flow and multiscale policies of the run (default: the compiled flow's). */
  policies?: Partial<Pick<ResolvedPolicies, "flow" | "multiscale">>;
}

const MAX_BACKTRACKS = 40;

/**
 * Which runner's state the terms of a compiled flow hold: the smooth terms' image caches (of that
 * runner's current and previous states) and the sparsity term's λ, λ_j cells. Terms belong to
 * the compiled flow and every runner of it uses them, so a runner claims them before it runs
 * anything that reads them (`FlowRunner.claim`): two runners of one flow never see each other's
 * images or dials.
 */
const holder = new WeakMap<CompiledFlow, FlowRunner>();

/**
 * The sparsity term's dials as the compiler set them (the spec's weight and band weights): read
 * once per term, before any runner has written its own into the term's cells.
 */
const compiledDials = new WeakMap<ProxTerm, { lambda: number; lambdaJ: number[] | null }>();

function dialsAsCompiled(term: ProxTerm): { lambda: number; lambdaJ: number[] | null } {
  let d = compiledDials.get(term);
  if (!d) {
    d = { lambda: term.lambda, lambdaJ: term.bandWeights ? [...term.bandWeights] : null };
    compiledDials.set(term, d);
  }
  return d;
}

/**
 * Runs a compiled flow step by step: the same plan for every caller (controller, CLI, tests,
 * benchmarks, `runFlowStep`). It owns the rotating state buffers, the family's momentum state,
 * the line search, the multiscale schedule and the dials — α, λ, λ_j: they are part of its
 * snapshot, and `setDials` is the only way to change them.
 */
export class FlowRunner {
  readonly plan: StepPlan;
  readonly family: FlowFamily;
  readonly flow: CompiledFlow;
  /** The step sizes the family allows are those below this (`FlowFamily.alphaMax`). */
  readonly alphaMax: number;
  private readonly flowPolicy: ResolvedPolicies["flow"];
  private readonly multiscalePolicy: ResolvedPolicies["multiscale"];
  private v = 0;
  iter = 0;
  energy = Number.NaN;
  private familyState: FamilyState;
  private alphaValue: number;
  private lambdaValue: number | null;
  /** Per-level multipliers of λ (coarsest first), as set by the spec or `setDials`. */
  private lambdaJValue: number[] | null;
  private readonly lineSearch: boolean;
  private readonly sparsityTerm: ProxTerm | null;
  private multiscale: MultiscaleState | null;
  private readonly levels: number;
  private readonly events: EventPort | null;
  /** The Jacobi preconditioner of a preconditioned family (null otherwise). */
  readonly preconditioner: DiagonalPreconditioner | null = null;
  /** The coefficient buffer holds the current iterate's prox output (false after load/restore). */
  private coeffsFresh = false;
  /**
   * The copies of the current iterate handed out since it last changed (`step`, `load`): every
   * reader of `state`, `coefficients()` and `snapshot()` at one iterate — a certificate, the task
   * target, the last good state, a checkpoint — shares one of each instead of copying 8n bytes
   * per read.
   */
  private copies: { x?: RealArray; xPrev?: RealArray; coefficients?: RealArray } = {};
  /** `forwardMap`'s prox output when W-space is larger than the state, allocated by its first call. */
  private forwardNext: RealBuf | null = null;

  constructor(flow: CompiledFlow, options: RunnerOptions = {}) {
    this.flow = flow;
    this.flowPolicy = { ...flow.policies.flow, ...options.policies?.flow };
    this.multiscalePolicy = { ...flow.policies.multiscale, ...options.policies?.multiscale };
    const name = options.family ?? this.flowPolicy.family;
    const entry = flow.registry.policies.get(name, "policies.flow.family") as FlowFamilyPolicy;
    if (entry.kind !== "flow" || !entry.family) {
      throw new CflowError("BAD_POLICY", `policies.flow.family: "${name}" is a ${entry.kind} policy, not a flow family`, { path: "policies.flow.family", expected: "a flow family", found: entry.kind });
    }
    this.family = entry.family;
    this.checkFamily();
    const ls = this.flowPolicy.lineSearch;
    const manifold = flow.slots.some((s) => s.manifold);
    // a preconditioned step size always rests on a power-iteration estimate
    const estimated = flow.lipschitzMethod !== "analytic" || this.family.metric === "diagonal";
    this.lineSearch = !manifold && this.family.shape === "forward-backward" && (ls === "always" || (ls === "auto" && estimated));
    this.plan = new StepPlan(flow, this.family, { lineSearch: this.lineSearch });
    this.familyState = this.family.init();
    if (this.family.metric === "diagonal") {
      this.preconditioner = jacobiPreconditioner(flow);
      this.plan.buffers.setMetric(this.preconditioner.d);
    }
    // the Lipschitz constant in the family's metric: of D⁻¹∇f with a diagonal metric D
    const pre = this.preconditioner;
    const rule = { lipschitz: pre && pre.lambdaMax > 0 ? pre.lambdaMax : flow.lipschitz, policy: this.flowPolicy };
    this.alphaMax = this.family.alphaMax(rule);
    this.alphaValue = this.family.stepSize(rule);
    this.writeAlpha();
    this.sparsityTerm = flow.prox.find((p) => p.term.sparsity)?.term ?? null;
    const compiled = this.sparsityTerm ? dialsAsCompiled(this.sparsityTerm) : null;
    this.lambdaValue = compiled ? compiled.lambda : null;
    this.lambdaJValue = compiled?.lambdaJ ? [...compiled.lambdaJ] : null;
    this.events = options.events ?? null;
    this.levels = flow.prox.find((p) => p.term.bands)?.slot.transform?.levels ?? 0;
    this.multiscale = this.multiscalePolicy.mode !== "off" && this.levels > 0 ? multiscaleInit(this.multiscalePolicy, this.levels) : null;
    options.events?.emit("FLOW_POLICY_APPLIED", {
      policy: "flow",
      family: this.family.name,
      params: {
        restart: this.flowPolicy.restart,
        alpha: this.alphaValue,
        alpha_max: Number.isFinite(this.alphaMax) ? this.alphaMax : null,
        lipschitz: flow.lipschitz,
        line_search: this.lineSearch,
        kernel_calls_per_step: this.plan.kernelCalls,
        multiscale: this.multiscalePolicy.mode,
        ...(this.preconditioner
          ? { preconditioner: { method: this.preconditioner.method, probes: this.preconditioner.probes, lambda_max: this.preconditioner.lambdaMax, power_iterations: this.preconditioner.powerIterations } }
          : {}),
      },
    });
    this.load(flow.x0);
  }

  private checkFamily(): void {
    const f = this.family;
    if (f.shape === "primal-dual") {
      throw new CflowError("FAMILY_MISMATCH", `policies.flow.family: "${f.name}" runs through PrimalDualRunner (runtime/primal-dual.ts), not the forward–backward runner`, { path: "policies.flow.family", expected: "a forward–backward or Hamiltonian family", found: JSON.stringify(f.name) });
    }
    if (this.flow.dual.length > 0) {
      throw new CflowError("FAMILY_MISMATCH", `policies.flow.family: "${f.name}" cannot take ${this.flow.dual.map((d) => `"${d.name}"`).join(", ")}, non-smooth through an op`, { path: "policies.flow.family", expected: '"primalDual"', found: JSON.stringify(f.name) });
    }
    if (!f.prox && f.shape === "forward-backward" && this.flow.prox.length > 0) {
      throw new CflowError("FAMILY_MISMATCH", `policies.flow.family: "${f.name}" ignores non-smooth terms, but the flow has ${this.flow.prox.map((p) => p.name).join(", ")}`, {
        path: "policies.flow.family",
        expected: '"proximal" or "accelerated"',
        found: JSON.stringify(f.name),
      });
    }
    if (f.hasMomentum && this.flow.slots.some((s) => s.manifold)) {
      throw new CflowError("FAMILY_MISMATCH", `policies.flow.family: "${f.name}" extrapolates x + β(x − x_prev), which leaves a manifold; use "proximal" or "gradient" for manifold slots`, {
        path: "policies.flow.family",
        expected: '"proximal" | "gradient"',
        found: JSON.stringify(f.name),
      });
    }
    if (f.metric === "diagonal") {
      if (this.flow.slots.some((s) => s.manifold)) {
        throw new CflowError("FAMILY_MISMATCH", `policies.flow.family: "${f.name}" preconditions Euclidean coordinates, but the flow has manifold slots (${this.flow.slots.filter((s) => s.manifold).map((s) => s.name).join(", ")})`, {
          path: "policies.flow.family",
          expected: '"gradient" or "proximal" for manifold slots',
          found: JSON.stringify(f.name),
        });
      }
      for (const p of this.flow.prox) {
        if (p.term.space === "x" && p.term.diagonalMetricExact) continue;
        throw new CflowError("FAMILY_MISMATCH", `policies.flow.family: "${f.name}" needs a prox that is exact in the diagonal metric D (box, nonneg), but term "${p.name}" (atom ${p.term.atom}${p.term.space === "W" ? ", in W-space" : ""}) is not`, {
          path: `terms[${p.indices[0]}].atom`,
          expected: "box or nonneg (or no non-smooth term) with the preconditioned family",
          found: p.term.atom,
          hint: 'use "proximal" or "accelerated" for this flow',
        });
      }
    }
    if (f.shape === "hamiltonian") {
      const pairs = this.flow.slots.filter((s) => s.conjugateOf);
      if (pairs.length === 0 || this.flow.prox.length > 0 || this.flow.slots.some((s) => s.manifold)) {
        throw new CflowError("FAMILY_MISMATCH", `policies.flow.family: "${f.name}" needs (q, p) slot pairs (p declares conjugateOf), only smooth terms, and Euclidean slots`, {
          path: "policies.flow.family",
          expected: "Euclidean (q, p) pairs and smooth terms",
          found: `${pairs.length} momentum slots, ${this.flow.prox.length} non-smooth terms`,
        });
      }
    }
  }

  /** Writes α into the cells the plan reads (the leapfrog's Δt, −Δt/2 and damping factor for Hamiltonian flows). */
  private writeAlpha(): void {
    const a = this.alphaValue;
    if (this.family.shape === "hamiltonian") {
      const con = this.plan.con!;
      con.dt.value = a;
      con.negHalfDt.value = -a / 2;
      con.damping.value = Math.exp(-this.flowPolicy.damping * a);
    } else this.plan.buffers.setAlpha(a);
  }

  /** Loads a state (and optionally the previous iterate, for momentum) and refreshes the caches. */
  load(x: RealArray, xPrev: RealArray = x): void {
    const b = this.plan.buffers;
    const r = rotation(0);
    this.v = 0;
    this.copies = {};
    b.X[r.cur].set(x, "FlowRunner.load");
    b.X[r.prev].set(xPrev, "FlowRunner.load (previous)");
    holder.delete(this.flow);
    this.claim();
    this.coeffsFresh = false;
    this.energy = this.energyOf(x);
  }

  private energyOf(x: RealArray): number {
    if (this.family.shape === "hamiltonian") {
      let e = this.flow.fValue(x);
      for (const s of this.flow.slots) {
        if (!s.conjugateOf) continue;
        for (let i = s.offset; i < s.offset + s.size; i++) e += 0.5 * x[i] * x[i];
      }
      return e;
    }
    // W x of a loaded state carries rounding noise on levels the multiscale schedule holds at
    // zero (weight ∞): evaluate g with the unlocked weights, the true energy (equal on exact zeros)
    this.claim();
    const t = this.sparsityTerm;
    const locked = t?.bandWeights && this.multiscale && this.multiscale.active < this.multiscale.levels;
    if (!locked) return this.flow.fValue(x) + this.flow.gValue(x);
    t.bandWeights = this.unlockedWeights();
    try {
      return this.flow.fValue(x) + this.flow.gValue(x);
    } finally {
      this.writeDials();
    }
  }

  /** The dials: step size α, sparsity weight λ and per-level multipliers λ_j (null when the flow has none). */
  get dials(): Dials {
    return { alpha: this.alphaValue, lambda: this.lambdaValue, lambdaJ: this.lambdaJValue ? [...this.lambdaJValue] : null };
  }

  /**
   * Sets dials (the ones given): α > 0 finite; λ and λ_j ≥ 0, one λ_j per detail level — each
   * only when the flow has the dial (otherwise ignored). The runner alone writes them into the
   * cells its plans read.
   */
  setDials(d: Partial<Dials>): void {
    if (d.alpha !== undefined && d.alpha !== this.alphaValue) {
      if (!(d.alpha > 0 && Number.isFinite(d.alpha))) throw new CflowError("BAD_STEP", `step size must be a finite number > 0, found ${d.alpha}`, { path: "dials.alpha", expected: "> 0", found: d.alpha });
      this.alphaValue = d.alpha;
      this.writeAlpha();
    }
    if (!this.sparsityTerm) return;
    const path = (this.sparsityTerm as { path?: string }).path ?? "dials";
    if (d.lambda !== undefined && d.lambda !== null) this.lambdaValue = checkWeight(`${path}.weight`, "the weight λ", d.lambda);
    if (d.lambdaJ !== undefined && d.lambdaJ !== null && this.lambdaJValue) {
      if (d.lambdaJ.length !== this.lambdaJValue.length) {
        throw new CflowError("SHAPE_MISMATCH", `${path}.bandWeights: one weight per detail level expected (coarsest first)`, { path: `${path}.bandWeights`, expected: `${this.lambdaJValue.length} weights`, found: `${d.lambdaJ.length}` });
      }
      this.lambdaJValue = d.lambdaJ.map((w, j) => checkWeight(`${path}.bandWeights[${j}]`, "a band weight", w));
    }
    // the term's cells hold this runner's dials while it holds the terms (else `claim` writes them)
    if (holder.get(this.flow) === this) this.writeDials();
  }

  /**
   * Makes the flow's terms this runner's: the images of its current and previous states in the
   * smooth terms' caches, and its dials in the sparsity term's cells. Free when it holds them.
   */
  private claim(): void {
    if (holder.get(this.flow) === this) return;
    this.plan.observes[this.v].run();
    this.writeDials();
    holder.set(this.flow, this);
  }

  /** λ and λ_j into the sparsity term's cells; levels the multiscale schedule holds locked get ∞ (their coefficients stay 0). */
  private writeDials(): void {
    const t = this.sparsityTerm;
    if (!t) return;
    if (this.lambdaValue !== null) t.lambda = this.lambdaValue;
    if (t.bandWeights) t.bandWeights = this.effectiveWeights();
  }

  /** λ_j with the levels the multiscale schedule holds locked at ∞. */
  private effectiveWeights(): number[] {
    const base = this.unlockedWeights();
    const active = this.multiscale ? this.multiscale.active : base.length;
    return base.map((w, j) => (j < active ? w : Number.POSITIVE_INFINITY));
  }

  private unlockedWeights(): number[] {
    return this.lambdaJValue ?? (this.sparsityTerm?.bandWeights ?? []).map(() => 1);
  }

  get levelActiveMax(): number | null {
    return this.multiscale ? this.multiscale.active : null;
  }

  /**
   * The current iterate's W-space coefficients (the flat vector of `gProx`): for slots with a
   * transform, the prox output the step synthesised x from — exact zeros off the support — and
   * the state itself elsewhere. After `load`/`restore` they are recomputed as W x with rounding
   * noise (|u| ≤ 1e-12·max|u| in float64, 1e-6 in float32) set to zero. A copy shared by every
   * reader until the iterate moves: read-only.
   */
  coefficients(): RealArray {
    return (this.copies.coefficients ??= this.computeCoefficients());
  }

  private computeCoefficients(): RealArray {
    const flow = this.flow;
    const b = this.plan.buffers;
    const x = b.X[rotation(this.v).cur];
    const out = x.view.constructor === Float64Array ? new Float64Array(flow.coeffSize) : new Float32Array(flow.coeffSize);
    for (const s of flow.slots) {
      if (!s.transform) out.set(b.slot(x, s).view, s.coeffOffset);
      else if (this.coeffsFresh) out.set(b.coeffs(s).view, s.coeffOffset);
      else {
        const u = s.transform.forward(b.slot(x, s).view);
        let m = 0;
        for (let i = 0; i < u.length; i++) m = Math.max(m, Math.abs(u[i]));
        // rounding noise of the synthesis/analysis round trip in the dtype
        const noise = (flow.dtype === "float64" ? 1e-12 : 1e-6) * m;
        for (let i = 0; i < u.length; i++) if (Math.abs(u[i]) <= noise) u[i] = 0;
        out.set(u, s.coeffOffset);
      }
    }
    return out;
  }

  /** The current state: a copy shared by every reader until the iterate moves (read-only). */
  get state(): RealArray {
    return (this.copies.x ??= this.plan.buffers.X[rotation(this.v).cur].toArray());
  }

  /**
   * The forward–backward map at the current state x, for the certificates (their error bar's
   * gradient mapping, the certificate hull): z = x − α∇f(x) (evaluated in f64, stored in the
   * dtype) and prox_{αg}(W z) (W the identity without a transform) — the bits of `flow.fGrad`,
   * `W.forward` and `flow.gProx` on arrays, without leaving the kernel. ∇f is read from the smooth
   * terms' images of x that the step left in their caches (`SmoothTerm.addGradientFromImage`): one
   * op application fewer than fGrad. Read-only buffers, valid until the next step or call: z, ∇f
   * and the prox in the step's momentum-point, gradient and candidate buffers (every step writes
   * them before reading them; between steps the candidate holds an iterate no one reads), the prox
   * in one of the runner's own when W-space is larger than the state.
   */
  forwardMap(alpha: number): { z: RealBuf; next: RealBuf } {
    this.claim();
    const flow = this.flow;
    const k = flow.kernel;
    const b = this.plan.buffers;
    const cur = rotation(this.v).cur;
    const next = flow.coeffSize <= flow.n ? b.X[rotation(this.v).cand].sub(0, flow.coeffSize) : (this.forwardNext ??= k.alloc(flow.coeffSize));
    b.g.view.fill(0);
    for (const t of flow.smooth) {
      const x = b.slot(b.X[cur], t.slot);
      const g = b.slot(b.g, t.slot);
      if (t.term.addGradientFromImage) t.term.addGradientFromImage(x, cur, g);
      else t.term.addGradient(x, g);
    }
    k.exports.forwardInput(flow.n, alpha, b.X[cur].ptr, b.g.ptr, b.y.ptr);
    if (flow.W) flow.W.forwardBuf(b.y, next);
    else next.view.set(b.y.view);
    flow.gProxBuf(next, alpha);
    return { z: b.y, next };
  }

  /** One accepted step (with line-search halvings and restarts redone inside). */
  step(): StepMetrics {
    this.claim();
    this.copies = {};
    const b = this.plan.buffers;
    const fam = this.family;
    let backtracks = 0;
    let restarted = false;
    for (;;) {
      const momentum = fam.momentum(this.familyState);
      b.momentum.value = momentum;
      this.plan.programs[this.v].run();
      let f = 0;
      for (const c of b.fAtX) f += c.value;
      let g = 0;
      let nnz = 0;
      b.proxStats.forEach((s, i) => {
        g += s.value.value;
        // constraint and TV proxes do not track support (their nnz cell may hold NaN)
        if (this.flow.prox[i].term.sparsity) nnz += s.nnz.value;
      });
      if (this.plan.con) for (const c of this.plan.con.pNorm2) g += 0.5 * c.value;
      const E = f + g;
      const d2 = b.metrics.view[0];
      if (this.lineSearch && Number.isFinite(E)) {
        let fy = 0;
        for (const c of b.fAtY) fy += c.value;
        const bound = fy + b.linear.value + d2 / (2 * this.alphaValue);
        const tol = (this.flow.dtype === "float64" ? 1e-12 : 1e-5) * (Math.abs(fy) + 1);
        if (f > bound + tol) {
          if (++backtracks > MAX_BACKTRACKS) {
            throw new CflowError("LINE_SEARCH_FAILED", `line search: no sufficient decrease after ${MAX_BACKTRACKS} halvings (α = ${this.alphaValue})`, { path: "policies.flow.lineSearch" });
          }
          this.alphaValue /= 2;
          this.writeAlpha();
          continue;
        }
      }
      // rounding noise of an energy summed in f64 from dtype arrays: relative, never absolute
      const tolE = (this.flow.dtype === "float64" ? 1e-13 : 1e-6) * Math.abs(this.energy);
      const decision = fam.next(this.familyState, {
        energyIncreased: E > this.energy + tolE,
        gradientUphill: b.metrics.view[1] > 0,
        restart: this.flowPolicy.restart,
        usedMomentum: momentum > 0,
      });
      this.familyState = decision.state;
      restarted ||= decision.restarted;
      if (decision.redo) continue;
      // accept: the candidate becomes current, the current previous
      this.v = (this.v + 1) % 3;
      this.coeffsFresh = this.family.prox;
      this.iter++;
      const prevEnergy = this.energy;
      this.energy = E;
      const levelActive = this.advanceMultiscale(prevEnergy, E);
      const hasSparsity = this.sparsityTerm !== null;
      const gradNorm = Math.sqrt(this.preconditioner ? b.metrics.view[1] : d2) / this.alphaValue;
      // ‖x⁺‖/α (‖Dx⁺‖/α), from the same pass as ‖x⁺ − y‖: no operator applied
      const scale = fam.shape === "forward-backward" ? Math.sqrt(b.metrics.view[2]) / this.alphaValue : null;
      return {
        iter: this.iter,
        E,
        f,
        g,
        gradNorm,
        optimality: scale === null ? null : scale > 0 ? gradNorm / scale : gradNorm > 0 ? Number.POSITIVE_INFINITY : 0,
        optimalityScale: scale,
        alpha: this.alphaValue,
        momentum,
        restarted,
        backtracks,
        nnz: hasSparsity ? nnz : null,
        sparsityWx: hasSparsity ? nnz / this.flow.n : null,
        levelActiveMax: levelActive,
      };
    }
  }

  /**
   * Whether step m meets the optimality tolerances: ‖G_α(y)‖ ≤ atol·√n + rtol·‖x_{k+1}‖/α
   * (SCHEMA.md `optimality`). Always false for Hamiltonian flows, which report no measure, and
   * with rtol = atol = 0 (the test turned off: an exact fixed point is not asked for).
   */
  converged(m: StepMetrics, rule: { rtol: number; atol: number }): boolean {
    if (m.optimalityScale === null || !Number.isFinite(m.gradNorm)) return false;
    const bound = rule.atol * Math.sqrt(this.flow.n) + (rule.rtol > 0 ? rule.rtol * m.optimalityScale : 0);
    return bound > 0 && m.gradNorm <= bound;
  }

  private advanceMultiscale(prevE: number, E: number): number | null {
    if (!this.multiscale) return null;
    const { state, unlocked } = multiscaleUpdate(this.multiscalePolicy, this.multiscale, { iter: this.iter, prevEnergy: prevE, energy: E });
    this.multiscale = state;
    if (unlocked !== null) {
      this.writeDials();
      this.events?.emit("SCALE_ACTIVATED", { level: unlocked, levels: state.levels });
    }
    return state.active;
  }

  /** The runner's state, to `restore` later; its arrays are shared like `state` (read-only). */
  snapshot(): RunnerSnapshot {
    const prev = this.plan.buffers.X[rotation(this.v).prev];
    return {
      x: this.state,
      xPrev: (this.copies.xPrev ??= prev.toArray()),
      iter: this.iter,
      ...this.dials,
      family: { ...this.familyState },
      multiscale: this.multiscale ? { ...this.multiscale } : null,
      energy: this.energy,
      terms: saveTermStates(this.flow.prox),
    };
  }

  restore(s: RunnerSnapshot): void {
    this.load(s.x, s.xPrev);
    this.iter = s.iter;
    this.familyState = { ...s.family };
    this.multiscale = s.multiscale ? { ...s.multiscale } : null;
    loadTermStates(this.flow.prox, s.terms);
    this.setDials({ alpha: s.alpha, lambda: s.lambda, lambdaJ: s.lambdaJ });
    this.energy = s.energy;
  }

  /** The family state as JSON (checkpoints). */
  familyJson(): Json {
    return { ...this.familyState };
  }

  dispose(): void {
    this.plan.dispose();
    this.forwardNext?.free();
    this.forwardNext = null;
  }
}
