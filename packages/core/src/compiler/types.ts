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
  /** Lipschitz constant of ∇f. */
  lipschitz: number;
  lipschitzMethod: "analytic" | "power-iteration" | "none";
  /** The flow family's initial step size on `lipschitz` (`FlowFamily.stepSize`). */
  alpha: number;
  flowFamily: string;
  warnings: string[];
}

/**
 * A compiled flow: the energy's pieces on the kernel, the state layout, the transform, the core
 * operator for the certificates and the step size — everything the runtime's plan is built from.
 * Arrays given to and returned by the JS-facing functions are flat state vectors (all slots
 * concatenated in layout order) or flat W-space vectors.
 */
export interface CompiledFlow {
  readonly spec: FlowSpec;
  readonly dtype: Dtype;
  readonly kernel: Kernel;
  readonly seed: number;
  readonly key: RngKey;
  /** Length of the flat state vector. */
  readonly n: number;
  readonly slots: readonly SlotLayout[];
  /** Length of the flat W-space vector. */
  readonly coeffSize: number;
  readonly smooth: readonly CompiledSmoothTerm[];
  readonly prox: readonly CompiledProxTerm[];
  /** The flow's transform: the slot's own for single-slot flows, block-diagonal otherwise; null for the identity. */
  readonly W: TransformOp | null;
  /** The lens probe's ranking when the spec named candidate transforms (the controller emits LENS_SELECTED). */
  readonly lens: LensResult | null;
  /** Lipschitz constant L of ∇f. */
  readonly lipschitz: number;
  /** How L was obtained: analytic op norms (exact), power iteration (an estimate), none (no smooth terms). */
  readonly lipschitzMethod: "analytic" | "power-iteration" | "none";
  /** The registry the flow was compiled against (flow families and policies resolve through it). */
  readonly registry: Registry;
  readonly policies: ResolvedPolicies;
  readonly invariants: readonly InvariantSpec[];
  /** The initial state. */
  readonly x0: RealArray;
  readonly data: Readonly<Record<string, RealBuf>>;
  readonly ops: Readonly<Record<string, Op>>;
  readonly cells: CellBank;
  fValue(x: RealArray): number;
  fGrad(x: RealArray, out?: RealArray): RealArray;
  /** g(x): the non-smooth terms at x (W-space terms at W x). */
  gValue(x: RealArray): number;
  /** prox_{t·g}(u) on a flat W-space vector (slots without a transform: their x-space prox). */
  gProx(u: RealArray, t: number, out?: RealArray): RealArray;
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
  /** Splits a flat state vector into named slot views. */
  unflatten(x: RealArray): Record<string, RealArray>;
  flatten(state: Record<string, RealArray>): RealArray;
  /** Releases every kernel buffer of the flow. */
  dispose(): void;
  /** JSON summary of the layout for manifests. */
  describe(): Json;
}
