import { type ManifoldFactory, type RngKey, ShapeError, normal } from "@cflow/core";
import { matmul } from "./linalg/dense.js";
import { Float64Manifold } from "./float64-manifold.js";
import { type ManifoldOptions, checkOptions } from "./options.js";
import {
  bodyVector,
  hat,
  nearestRotation,
  quaternionToRotation,
  rotationAngle,
  rotationExp,
  rotationLog,
  rotationProjTangent,
  rotationResidual,
  rotationTransport,
} from "./rotation.js";

const SQRT2 = Math.SQRT2;

/**
 * The rotation group SO(3) = {R ∈ R^{3×3} : RᵀR = I, det R = 1}, points as row-major 3×3 arrays,
 * with the metric of the ambient R^{3×3} (Frobenius, ⟨U, V⟩ = tr(UᵀV)). That metric is
 * bi-invariant, so geodesics are R·Exp(tΩ) and the Riemannian gradient is the tangent projection
 * of the Euclidean gradient — the same step-size rule as for Euclidean slots. It makes
 * dist(R, S) = √2·(rotation angle of RᵀS).
 *
 * Tangent vectors at R are ambient 3×3 arrays V = R ω̂ (ω̂ skew). exp/log use Rodrigues' formula
 * on the body rotation vector ω; `retract` is exp followed by one Newton–Schulz correction, so
 * long runs of steps stay orthogonal to machine precision. Transport is the parallel transport of
 * the bi-invariant metric, R ω̂ ↦ S·(Exp(−ξ/2) ω)^ with ξ = Log(RᵀS). Intrinsic coordinates are
 * √2·ω (orthonormal for the metric).
 */
export class SO3 extends Float64Manifold {
  readonly name = "so3";

  constructor(options: ManifoldOptions) {
    const { shape, dtype } = checkOptions("so3.create", options);
    if (shape.length !== 2 || shape[0] !== 3 || shape[1] !== 3) throw new ShapeError("so3.create", [3, 3], shape);
    super(shape, 3, dtype);
  }

  protected exp64(r: Float64Array, v: Float64Array): Float64Array {
    return rotationExp(r, v);
  }

  protected log64(r: Float64Array, s: Float64Array): Float64Array {
    return rotationLog(r, s);
  }

  protected retract64(r: Float64Array, v: Float64Array): Float64Array {
    return rotationExp(r, v);
  }

  protected projTangent64(r: Float64Array, u: Float64Array): Float64Array {
    return rotationProjTangent(r, u);
  }

  protected egradToRgrad64(r: Float64Array, g: Float64Array): Float64Array {
    return rotationProjTangent(r, g);
  }

  protected metric64(_r: Float64Array, u: Float64Array, v: Float64Array): number {
    let s = 0;
    for (let i = 0; i < 9; i++) s += u[i] * v[i];
    return s;
  }

  protected transport64(r: Float64Array, s: Float64Array, v: Float64Array): Float64Array {
    return rotationTransport(r, s, v);
  }

  protected dist64(r: Float64Array, s: Float64Array): number {
    return SQRT2 * rotationAngle(r, s);
  }

  /** The nearest rotation in the Frobenius norm (defined for any 3×3 matrix, singular ones included). */
  protected project64(a: Float64Array): Float64Array {
    return nearestRotation(a);
  }

  protected residual64(r: Float64Array): number {
    return rotationResidual(r);
  }

  /** Uniform (Haar) rotation: a normalised Gaussian quaternion. */
  protected random64(key: RngKey): Float64Array {
    return quaternionToRotation(normal(key, 4, "float64"));
  }

  protected toAlgebra64(r: Float64Array, v: Float64Array): Float64Array {
    const w = bodyVector(r, v);
    return Float64Array.of(SQRT2 * w[0], SQRT2 * w[1], SQRT2 * w[2]);
  }

  protected fromAlgebra64(r: Float64Array, c: Float64Array): Float64Array {
    return matmul(r, hat([c[0] / SQRT2, c[1] / SQRT2, c[2] / SQRT2]), 3, 3, 3);
  }
}

export const so3Factory: ManifoldFactory = {
  create: (options) => new SO3(options),
  probe: { shape: [3, 3] },
  description: "rotations SO(3) as 3×3 matrices (bi-invariant Frobenius metric; Rodrigues exp/log)",
};
