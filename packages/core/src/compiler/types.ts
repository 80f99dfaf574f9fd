import type { SmoothTerm, ProxTerm } from "../atoms/atom.js";
import type { Dtype, RealArray, Shape } from "../dtype.js";
import type { Kernel, RealBuf } from "../kernel/kernel.js";
import type { CellBank } from "../kernel/plan.js";
import type { Op } from "../ops/op.js";
import type { LinearStructure } from "../ops/structure.js";
import type { Json } from "../ports/events.js";
import type { Manifold } from "../ports/manifold.js";
import type { Registry } from "../registry/registry.js";
import type { RngKey } from "../rng.js";
import type { FlowSpec, InvariantSpec } from "../spec/types.js";
import type { ResolvedPolicies } from "../spec/policies.js";
import type { LensResult } from "../transforms/lens.js";
import type { FrameType, TransformOp } from "../transforms/transform.js";

/** Where a state slot lives in the flat state vector, and what it is. */
export interface SlotLayout {
  name: string;
  shape: Shape;
  size: number;
  /** First element of the slot in the flat state vector. */
  offset: number;
  manifold: Manifold | null;
  manifoldName: string;
  /** Momentum slots of Hamiltonian flows name their position slot. */
  conjugateOf: string | null;
  /** Transform of the slot's W-space prox (F_Multi), or null (identity). */
  transform: TransformOp | null;
  /** First element of the slot's coefficients in the flat W-space vector. */
  coeffOffset: number;
  coeffSize: number;
}

export interface CompiledSmoothTerm {
  /** Label for reports: the spec's name or `<atom>#<index>`. */
  name: string;
  index: number;
  kind: "data" | "physics" | "regularizer";
  slot: SlotLayout;
  term: SmoothTerm;
}

export interface CompiledProxTerm {
  name: string;
  /** Spec indices of the terms fused into this prox (two for a supported composite). */
  indices: number[];
  slot: SlotLayout;
  term: ProxTerm;
}

/** One row of the unit-normalisation table: each term's energy at the initial state. */
export interface TermEnergy {
  name: string;
  index: number;
  atom: string;
  kind: string;
  slot: string;
  units: string | null;
  weight: number;
  energy: number;
  /** energy / Σ|energies| — how much of the initial energy the term carries. */
  share: number;
}

export interface TransformValidationRow {
  slot: string;
  name: string;
  frame: FrameType;
  c: number;
  pass: boolean;
  reconstructionError: number;
  energyError: number | null;
  probes: number;
  key: RngKey;
}

export interface CompileReport {
  specName: string;
  dtype: Dtype;
  lensName: string | null;
  frameType: FrameType | null;
  c: number | null;
  unitNormalizationTable: TermEnergy[];
  invariantsPresent: string[];
  /** Which terms went into f (smooth) and g (non-smooth). */
  split: { f: string[]; g: string[] };
  transformValidation: TransformValidationRow[];
  lipschitz: number;
  lipschitzMethod: LipschitzMethod;
  alpha: number;
  flowFamily: string;
  warnings: string[];
}

/** How L was obtained: analytic op norms (exact), power iteration (an estimate), none (no smooth terms). */
export type LipschitzMethod = "analytic" | "power-iteration" | "none";

/** Who the flow is: the spec it was compiled from, its dtype, seed and policies (compile.ts). */
export interface FlowIdentity {
  readonly spec: FlowSpec;
  readonly dtype: Dtype;
  readonly seed: number;
  readonly key: RngKey;
  /** The registry the flow was compiled against (flow families and policies resolve through it). */
  readonly registry: Registry;
  readonly policies: ResolvedPolicies;
  readonly invariants: readonly InvariantSpec[];
  /** JSON summary of the layout for manifests. */
  describe(): Json;
}

/** Where the state lives: slots in the flat state vector, W-space, the initial state (layout.ts, frames.ts). */
export interface FlowLayout {
  /** Length of the flat state vector. */
  readonly n: number;
  readonly slots: readonly SlotLayout[];
  /** Length of the flat W-space vector. */
  readonly coeffSize: number;
  /** The flow's transform: the slot's own for single-slot flows, block-diagonal otherwise; null for the identity. */
  readonly W: TransformOp | null;
  /** The lens probe's ranking when the spec named candidate transforms (the controller emits LENS_SELECTED). */
  readonly lens: LensResult | null;
  /** The initial state. */
  readonly x0: RealArray;
  /** Splits a flat state vector into named slot views. */
  unflatten(x: RealArray): Record<string, RealArray>;
  flatten(state: Record<string, RealArray>): RealArray;
}

/** E = f + g: the terms and their evaluations on flat JS arrays (energy.ts). */
export interface FlowEnergy {
  readonly smooth: readonly CompiledSmoothTerm[];
  readonly prox: readonly CompiledProxTerm[];
  /**
   * Non-smooth terms h(Kx) split through the conjugate prox of h (atoms/dual-split.ts): terms
   * given an op, and total variation in primal–dual flows. Only the primal–dual family runs them.
   */
  readonly dual: readonly CompiledProxTerm[];
  fValue(x: RealArray): number;
  fGrad(x: RealArray, out?: RealArray): RealArray;
  /** g(x): the non-smooth terms at x (W-space terms at W x). */
  gValue(x: RealArray): number;
  /** prox_{t·g}(u) on a flat W-space vector (slots without a transform: their x-space prox). */
  gProx(u: RealArray, t: number, out?: RealArray): RealArray;
  /** prox_{t·g} in place on a flat W-space kernel buffer of the flow's dtype (what gProx runs). */
  gProxBuf(u: RealBuf, t: number): void;
}

/** The smooth part's Hessian, the certificates' core operator (linearisation.ts). */
export interface FlowLinearisation {
  /** out ← ∇²f(at)·v (at defaults to the initial state; exact for quadratic f). */
  L_apply(v: RealArray, out: RealArray, at?: RealArray): void;
  /**
   * The structure of ∇²f (what `L_apply` applies) with the current weights, when every smooth term
   * declares its Hessian's (`SmoothTerm.hessianStructure`) and their sums keep one: per slot the
   * terms' sum, block-diagonal over slots. Null otherwise, and for flows with manifold slots.
   */
  hessianStructure(): LinearStructure | null;
  /**
   * The core operator in intrinsic tangent coordinates at `at`, for flows with manifold slots:
   * each manifold slot contributes its `dim` coordinates (toAlgebra/fromAlgebra, an orthonormal
   * basis of T_xM), Euclidean slots their own; normal directions — structural zeros of the ambient
   * form — are not part of it. Null for Euclidean flows (use `L_apply`).
   */
  tangentOperator(at: RealArray): { n: number; apply(c: RealArray, out: RealArray): void } | null;
}

/** L, the Lipschitz constant of ∇f (lipschitz.ts). */
export interface FlowLipschitz {
  /** Lipschitz constant of ∇f. */
  readonly lipschitz: number;
  /** How L was obtained: analytic op norms (exact), power iteration (an estimate), none (no smooth terms). */
  readonly lipschitzMethod: LipschitzMethod;
}

/** What the flow holds in kernel memory (resources.ts, inputs.ts). */
export interface FlowKernelResources {
  readonly kernel: Kernel;
  readonly data: Readonly<Record<string, RealBuf>>;
  readonly ops: Readonly<Record<string, Op>>;
  readonly cells: CellBank;
  /** Releases every kernel buffer of the flow. */
  dispose(): void;
}

/**
 * A compiled flow: the energy's pieces on the kernel, the state layout, the transform, the core
 * operator for the certificates and the step size — everything the runtime's plan is built from.
 * Arrays given to and returned by the JS-facing functions are flat state vectors (all slots
 * concatenated in layout order) or flat W-space vectors. Its members are grouped by concept in
 * the interfaces it extends, each built by one file of the compiler.
 */
export interface CompiledFlow extends FlowIdentity, FlowLayout, FlowEnergy, FlowLinearisation, FlowLipschitz, FlowKernelResources {}
