import type { Json } from "../ports/events.js";
import type { PolicyDef } from "../registry/policy.js";

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

/**
 * A flow family: which plan shape it runs and how its momentum evolves. The step itself is always
 * built from the four primitives (and F_Con); a family only decides β and whether a candidate is
 * redone without momentum.
 */
export interface FlowFamily {
  readonly name: string;
  readonly description: string;
  readonly shape: "forward-backward" | "hamiltonian" | "primal-dual";
  readonly momentum: boolean;
  /** Allows non-smooth terms (the gradient family does not). */
  readonly prox: boolean;
  /**
   * The metric of the forward step: "euclidean" (z = y − α∇f(y)) or "diagonal" (z = y − αD⁻¹∇f(y)
   * with D the Jacobi preconditioner of the smooth part's Hessian; the prox must then be exact
   * in the D-metric, see ProxTerm.diagonalMetricExact). Default "euclidean".
   */
  readonly metric?: "euclidean" | "diagonal";
  init(): FamilyState;
  /** β_k for the next candidate. */
  beta(s: FamilyState): number;
  /** After a candidate: the next state, and whether to recompute the candidate without momentum. */
  next(s: FamilyState, o: CandidateOutcome): { state: FamilyState; redo: boolean; restarted: boolean };
  /** Whether every accepted step must decrease the energy (Lyapunov descent). */
  monotone(restart: CandidateOutcome["restart"]): boolean;
}

/** The registry entry of a flow family (policies namespace, kind "flow"). */
export interface FlowFamilyPolicy extends PolicyDef {
  kind: "flow";
  family: FlowFamily;
}

const plain = (name: string, description: string, prox: boolean): FlowFamily => ({
  name,
  description,
  shape: "forward-backward",
  momentum: false,
  prox,
  init: () => ({ t: 1, restarts: 0 }),
  beta: () => 0,
  next: (s) => ({ state: s, redo: false, restarted: false }),
  monotone: () => true,
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
  momentum: true,
  prox: true,
  init: () => ({ t: 1, restarts: 0 }),
  beta: (s) => (s.t - 1) / nextT(s.t),
  next: (s, o) => {
    if (o.restart === "function" && o.energyIncreased && o.usedMomentum) return { state: { t: 1, restarts: s.restarts + 1 }, redo: true, restarted: true };
    if (o.restart === "gradient" && o.gradientUphill) return { state: { t: 1, restarts: s.restarts + 1 }, redo: false, restarted: true };
    return { state: { t: nextT(s.t), restarts: s.restarts }, redo: false, restarted: false };
  },
  monotone: (restart) => restart === "function",
};

export const hamiltonianDampedFamily: FlowFamily = {
  name: "hamiltonian_damped",
  description: "damped Hamiltonian flow: Störmer–Verlet leapfrog on (q, p) slots with p ← e^{−γΔt}p",
  shape: "hamiltonian",
  momentum: false,
  prox: false,
  init: () => ({ t: 1, restarts: 0 }),
  beta: () => 0,
  next: (s) => ({ state: s, redo: false, restarted: false }),
  monotone: () => false,
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
  momentum: false,
  prox: true,
  init: () => ({ t: 1, restarts: 0 }),
  beta: () => 0,
  next: (s) => ({ state: s, redo: false, restarted: false }),
  monotone: () => false,
};

function nextT(t: number): number {
  return (1 + Math.sqrt(1 + 4 * t * t)) / 2;
}

export const builtinFamilies: FlowFamily[] = [gradientFamily, proximalFamily, acceleratedFamily, preconditionedFamily, hamiltonianDampedFamily, primalDualFamily];

export function familyPolicy(family: FlowFamily): FlowFamilyPolicy {
  return { kind: "flow", description: family.description, family };
}
