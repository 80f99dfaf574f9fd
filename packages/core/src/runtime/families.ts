import type { Json } from "../ports/events.js";
import type { PolicyDef } from "../registry/policy.js";
import type { ResolvedPolicies } from "../spec/policies.js";

/**
 * A flow family's explicit, serialisable state (Optax style): a checkpoint holds it and a resumed
 * run continues exactly. `t` is FISTA's t_k; `restarts` counts momentum resets.
 */
export interface FamilyState {
  [key: string]: Json;
  t: number;
  restarts: number;
}

/** What the runner tells the family about a candidate step. */
export interface CandidateOutcome {
  /** E(x⁺) > E(x_k) (beyond rounding). */
  energyIncreased: boolean;
  /** ⟨y − x⁺, x⁺ − x_k⟩ > 0: the momentum points uphill (O'Donoghue–Candès gradient test). */
  gradientUphill: boolean;
  restart: "function" | "gradient" | "none";
  /** The candidate was computed with momentum (β > 0). */
  usedMomentum: boolean;
}

/** What a family's step-size rules read. */
export interface StepSizeInput {
  /**
   * Lipschitz constant L of ∇f in the family's metric: the compiled flow's (`CompiledFlow.lipschitz`),
   * or for a diagonal metric D that of D⁻¹∇f, λ_max(D^{-1/2} H D^{-1/2}). 0 without smooth terms.
   */
  lipschitz: number;
  policy: ResolvedPolicies["flow"];
}

/**
 * A flow family: which plan shape it runs, how its momentum evolves and which step sizes it
 * allows. The step itself is always built from the four primitives (and F_Con); a family only
 * decides the momentum coefficient β_k, whether a candidate is redone without momentum, and the
 * step-size rules — the runner's initial α is `stepSize`, and every α the controller accepts is
 * below `alphaMax`.
 */
export interface FlowFamily {
  readonly name: string;
  readonly description: string;
  readonly shape: "forward-backward" | "hamiltonian" | "primal-dual";
  /** Extrapolates y = x_k + β_k(x_k − x_{k−1}) before the forward step. */
  readonly hasMomentum: boolean;
  /** Allows non-smooth terms (the gradient family does not). */
  readonly prox: boolean;
  /**
   * The metric of the forward step: "euclidean" (z = y − α∇f(y)) or "diagonal" (z = y − αD⁻¹∇f(y)
   * with D the Jacobi preconditioner of the smooth part's Hessian; the prox must then be exact
   * in the D-metric, see ProxTerm.diagonalMetricExact). Default "euclidean".
   */
  readonly metric?: "euclidean" | "diagonal";
  init(): FamilyState;
  /** The momentum coefficient β_k of the next candidate (0 for families without momentum). */
  momentum(s: FamilyState): number;
  /** After a candidate: the next state, and whether to recompute the candidate without momentum. */
  next(s: FamilyState, o: CandidateOutcome): { state: FamilyState; redo: boolean; restarted: boolean };
  /** Whether every accepted step must decrease the energy (Lyapunov descent). */
  monotone(restart: CandidateOutcome["restart"]): boolean;
  /** The initial step size α (Hamiltonian families: the time step Δt). */
  stepSize(input: StepSizeInput): number;
  /** The step sizes the family's convergence rests on are those strictly below this bound. */
  alphaMax(input: StepSizeInput): number;
}

/** The registry entry of a flow family (policies namespace, kind "flow"). */
export interface FlowFamilyPolicy extends PolicyDef {
  kind: "flow";
  family: FlowFamily;
}

/** Forward–backward steps: α = stepScale/L, and a descent step needs α < 2/L (the descent lemma). */
const forwardBackwardStep = {
  stepSize: ({ lipschitz, policy }: StepSizeInput) => (lipschitz > 0 ? policy.stepScale / lipschitz : 1),
  alphaMax: ({ lipschitz }: StepSizeInput) => (lipschitz > 0 ? 2 / lipschitz : Number.POSITIVE_INFINITY),
};

const plain = (name: string, description: string, prox: boolean): FlowFamily => ({
  name,
  description,
  shape: "forward-backward",
  hasMomentum: false,
  prox,
  init: () => ({ t: 1, restarts: 0 }),
  momentum: () => 0,
  next: (s) => ({ state: s, redo: false, restarted: false }),
  monotone: () => true,
  ...forwardBackwardStep,
});

export const gradientFamily = plain("gradient", "gradient descent x⁺ = x − α∇f(x) (no non-smooth terms)", false);
export const proximalFamily = plain("proximal", "proximal gradient (ISTA): x⁺ = prox_{αg}(x − α∇f(x))", true);

/**
 * Diagonally preconditioned (projected) gradient: x⁺ = P_C(x − αD⁻¹∇f(x)) with D the Jacobi
 * preconditioner of the smooth part's Hessian and α·λ_max(D^{-1/2}HD^{-1/2}) ≤ 1, which makes
 * every step a descent step in the D-metric. Non-smooth terms must have a prox that is exact in
 * any diagonal metric (projections onto boxes and orthants).
 */
export const preconditionedFamily: FlowFamily = {
  ...plain("preconditioned", "Jacobi-preconditioned projected gradient: x⁺ = P_C(x − αD⁻¹∇f(x)), D ≈ diag ∇²f", true),
  metric: "diagonal",
};

/**
 * FISTA with adaptive restart. With the function scheme a candidate that raises the energy is
 * recomputed without momentum (a proximal-gradient step), which keeps the flow monotone; the
 * gradient scheme accepts the candidate and resets the momentum.
 */
export const acceleratedFamily: FlowFamily = {
  name: "accelerated",
  description: "FISTA with adaptive restart (function- or gradient-based)",
  shape: "forward-backward",
  hasMomentum: true,
  prox: true,
  init: () => ({ t: 1, restarts: 0 }),
  momentum: (s) => (s.t - 1) / nextT(s.t),
  next: (s, o) => {
    if (o.restart === "function" && o.energyIncreased && o.usedMomentum) return { state: { t: 1, restarts: s.restarts + 1 }, redo: true, restarted: true };
    if (o.restart === "gradient" && o.gradientUphill) return { state: { t: 1, restarts: s.restarts + 1 }, redo: false, restarted: true };
    return { state: { t: nextT(s.t), restarts: s.restarts }, redo: false, restarted: false };
  },
  monotone: (restart) => restart === "function",
  ...forwardBackwardStep,
};

/** Greedy FISTA's step in units of 1/L (the paper's choice; at 1.6/L it does not converge on examples/deconv-2d, BENCHMARKS.md). */
const GREEDY_STEP = 1.3;

/**
 * Greedy FISTA (Liang, Luo & Schönlieb, "Improving FISTA: faster, smarter and greedier", SIAM J.
 * Sci. Comput. 2022): full momentum, y = x_k + (x_k − x_{k−1}), a step α = 1.3·stepScale/L
 * (kept below the descent bound 2/L), and the gradient test of O'Donoghue–Candès as a restart that
 * recomputes the candidate without momentum whenever ⟨y − x⁺, x⁺ − x_k⟩ > 0 — the momentum never
 * points uphill in an accepted step. `t` is 1 right after a restart (no momentum) and 2 otherwise;
 * `policies.flow.restart` does not apply (the gradient test is the family). With the backtracking
 * line search (an estimated L) the sufficient-decrease test halves α to where it holds, near 1/L.
 */
export const greedyFamily: FlowFamily = {
  name: "greedy",
  description: "greedy FISTA: momentum 1, α = 1.3/L, a candidate whose momentum points uphill is recomputed without it",
  shape: "forward-backward",
  hasMomentum: true,
  prox: true,
  init: () => ({ t: 1, restarts: 0 }),
  momentum: (s) => (s.t === 1 ? 0 : 1),
  next: (s, o) => {
    if (o.gradientUphill && o.usedMomentum) return { state: { t: 1, restarts: s.restarts + 1 }, redo: true, restarted: true };
    return { state: { t: 2, restarts: s.restarts }, redo: false, restarted: false };
  },
  monotone: () => false,
  stepSize: ({ lipschitz, policy }) => (lipschitz > 0 ? Math.min(GREEDY_STEP * policy.stepScale, 1.99) / lipschitz : 1),
  alphaMax: forwardBackwardStep.alphaMax,
};

/**
 * Damped Hamiltonian flow. The leapfrog's time step defaults to Δt = 0.5/√L (`policies.flow.dt`
 * replaces it); it is stable for Δt·ω < 2 on every mode of frequency ω ≤ √L, hence Δt < 2/√L.
 */
export const hamiltonianDampedFamily: FlowFamily = {
  name: "hamiltonianDamped",
  description: "damped Hamiltonian flow: Störmer–Verlet leapfrog on (q, p) slots with p ← e^{−γΔt}p",
  shape: "hamiltonian",
  hasMomentum: false,
  prox: false,
  init: () => ({ t: 1, restarts: 0 }),
  momentum: () => 0,
  next: (s) => ({ state: s, redo: false, restarted: false }),
  monotone: () => false,
  stepSize: ({ lipschitz, policy }) => policy.dt ?? (lipschitz > 0 ? 0.5 / Math.sqrt(lipschitz) : 0.1),
  alphaMax: ({ lipschitz }) => (lipschitz > 0 ? 2 / Math.sqrt(lipschitz) : Number.POSITIVE_INFINITY),
};

/**
 * Chambolle–Pock primal–dual steps for min f(x) + g(x) + Σ h_i(K_i x), run by PrimalDualRunner
 * (runtime/primal-dual.ts): over-relaxation θ, acceleration for a strongly convex g, diagonal
 * preconditioning. Its state lives in the runner (step sizes, dual iterates).
 */
export const primalDualFamily: FlowFamily = {
  name: "primalDual",
  description: "Chambolle–Pock primal–dual splitting: prox of g and of the conjugates h_i* (θ, acceleration, diagonal preconditioning)",
  shape: "primal-dual",
  hasMomentum: false,
  prox: true,
  init: () => ({ t: 1, restarts: 0 }),
  momentum: () => 0,
  next: (s) => ({ state: s, redo: false, restarted: false }),
  monotone: () => false,
  // The compiled flow's nominal α. PrimalDualRunner sets τ and σ itself from ‖K‖ and L, under
  // τ(σ‖K‖² + L/2) < 1, which keeps τ below the forward–backward bound 2/L.
  ...forwardBackwardStep,
};

function nextT(t: number): number {
  return (1 + Math.sqrt(1 + 4 * t * t)) / 2;
}

export const builtinFamilies: FlowFamily[] = [gradientFamily, proximalFamily, acceleratedFamily, greedyFamily, preconditionedFamily, hamiltonianDampedFamily, primalDualFamily];

export function familyPolicy(family: FlowFamily): FlowFamilyPolicy {
  return { kind: "flow", description: family.description, family };
}
