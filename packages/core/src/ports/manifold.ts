import type { Dtype, RealArray, Shape } from "../dtype.js";
import type { RngKey } from "../rng.js";

/**
 * A Riemannian manifold a state slot may live on. Points and tangent vectors are flat arrays in
 * the slot's ambient coordinates (row-major for matrices) of the run's dtype; every method
 * returns `out` when given one, else a new array. Tangent vectors at x are ambient arrays lying
 * in T_xM (for matrix Lie groups: ambient, not Lie-algebra, coordinates — `toAlgebra`/`fromAlgebra`
 * convert where F_Multi needs linear coordinates).
 */
export interface Manifold {
  readonly name: string;
  /** Ambient shape of one point (e.g. [n] for the sphere in R^n, [3, 3] for SO(3)). */
  readonly shape: Shape;
  /** Intrinsic dimension. */
  readonly dim: number;
  readonly dtype: Dtype;
  exp(x: RealArray, v: RealArray, out?: RealArray): RealArray;
  log(x: RealArray, y: RealArray, out?: RealArray): RealArray;
  /** A cheap first-order approximation of exp (may be exp itself). */
  retract(x: RealArray, v: RealArray, out?: RealArray): RealArray;
  /** Orthogonal projection of an ambient vector onto T_xM. */
  projTangent(x: RealArray, u: RealArray, out?: RealArray): RealArray;
  /** Riemannian gradient from the Euclidean gradient of the ambient extension of f. */
  egradToRgrad(x: RealArray, egrad: RealArray, out?: RealArray): RealArray;
  /** Inner product ⟨u, v⟩_x of tangent vectors at x. */
  metric(x: RealArray, u: RealArray, v: RealArray): number;
  /** Moves a tangent vector at x to one at y, preserving the metric (isometric transport). */
  transport(x: RealArray, y: RealArray, v: RealArray, out?: RealArray): RealArray;
  /** Geodesic distance. */
  dist(x: RealArray, y: RealArray): number;
  /** The nearest point of the manifold to an ambient point (used to project an `init`). */
  project(x: RealArray, out?: RealArray): RealArray;
  /** How far an ambient point is from the manifold (constraint residual; 0 on it). */
  residual(x: RealArray): number;
  /** A random point, deterministic in the key. */
  random(key: RngKey, out?: RealArray): RealArray;
  /** Tangent vector at x → its `dim` intrinsic coordinates (orthonormal basis of T_xM). */
  toAlgebra?(x: RealArray, v: RealArray, out?: RealArray): RealArray;
  fromAlgebra?(x: RealArray, c: RealArray, out?: RealArray): RealArray;
}

/**
 * A registered manifold: how to create it for a slot of a given shape and dtype, and a small
 * shape used to validate it when it is registered (exp/log, retraction and transport probes).
 */
export interface ManifoldFactory {
  create(options: { shape: Shape; dtype: Dtype }): Manifold;
  probe: { shape: Shape };
  description?: string;
}
