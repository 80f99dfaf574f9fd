import { type ManifoldFactory, type RngKey, ShapeError, normal, split } from "@cflow/core";
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
 * Rigid motions SE(3) as homogeneous 4×4 matrices [[R, t], [0, 0, 0, 1]] (row-major), with the
 * product metric of SO(3) × R³: ⟨U, V⟩ = tr(U_Rᵀ V_R) + U_t·V_t — the Frobenius inner product of
 * the ambient 4×4 tangent arrays [[R ω̂, v], [0, 0]].
 *
 * Why the product metric and not the group's: SE(3) has no bi-invariant metric, so its group
 * exponential (screw motions) is not the exponential map of any Riemannian metric, and exp, log,
 * transport and dist built on it would not agree with each other. Under the product metric the
 * rotation and the translation move independently: exp/log/transport are those of SO(3) (see
 * `SO3`) on R and Euclidean on t, which makes them mutually consistent and the Riemannian gradient
 * the tangent projection of the Euclidean one. dist² = 2θ² + ‖Δt‖² (θ the relative rotation angle).
 * Intrinsic coordinates: [√2·ω (body rotation vector), v (translation)].
 */
export class SE3 extends Float64Manifold {
  readonly name = "se3";

  constructor(options: ManifoldOptions) {
    const { shape, dtype } = checkOptions("se3.create", options);
    if (shape.length !== 2 || shape[0] !== 4 || shape[1] !== 4) throw new ShapeError("se3.create", [4, 4], shape);
    super(shape, 6, dtype);
  }

  protected exp64(x: Float64Array, v: Float64Array): Float64Array {
    return assemble(rotationExp(rotationOf(x), rotationOf(v)), (i) => x[4 * i + 3] + v[4 * i + 3], 1);
  }

  protected log64(x: Float64Array, y: Float64Array): Float64Array {
    return assemble(rotationLog(rotationOf(x), rotationOf(y)), (i) => y[4 * i + 3] - x[4 * i + 3], 0);
  }

  protected retract64(x: Float64Array, v: Float64Array): Float64Array {
    return this.exp64(x, v);
  }

  protected projTangent64(x: Float64Array, u: Float64Array): Float64Array {
    return assemble(rotationProjTangent(rotationOf(x), rotationOf(u)), (i) => u[4 * i + 3], 0);
  }

  protected egradToRgrad64(x: Float64Array, g: Float64Array): Float64Array {
    return this.projTangent64(x, g);
  }

  /** Over the top three rows (the bottom row of a tangent vector is zero). */
  protected metric64(_x: Float64Array, u: Float64Array, v: Float64Array): number {
    let s = 0;
    for (let i = 0; i < 12; i++) s += u[i] * v[i];
    return s;
  }

  protected transport64(x: Float64Array, y: Float64Array, v: Float64Array): Float64Array {
    return assemble(rotationTransport(rotationOf(x), rotationOf(y), rotationOf(v)), (i) => v[4 * i + 3], 0);
  }

  protected dist64(x: Float64Array, y: Float64Array): number {
    const theta = rotationAngle(rotationOf(x), rotationOf(y));
    let s = 2 * theta * theta;
    for (let i = 0; i < 3; i++) s += (y[4 * i + 3] - x[4 * i + 3]) ** 2;
    return Math.sqrt(s);
  }

  /** Nearest rotation for the R block, t kept, bottom row reset to [0, 0, 0, 1]. */
  protected project64(a: Float64Array): Float64Array {
    return assemble(nearestRotation(rotationOf(a)), (i) => a[4 * i + 3], 1);
  }

  /** SO(3) residual of the R block plus the distance of the bottom row from [0, 0, 0, 1]. */
  protected residual64(x: Float64Array): number {
    return rotationResidual(rotationOf(x)) + Math.hypot(x[12], x[13], x[14], x[15] - 1);
  }

  /** A Haar rotation and a standard normal translation. */
  protected random64(key: RngKey): Float64Array {
    const [kr, kt] = split(key, 2);
    const t = normal(kt, 3, "float64");
    return assemble(quaternionToRotation(normal(kr, 4, "float64")), (i) => t[i], 1);
  }

  protected toAlgebra64(x: Float64Array, v: Float64Array): Float64Array {
    const w = bodyVector(rotationOf(x), rotationOf(v));
    return Float64Array.of(SQRT2 * w[0], SQRT2 * w[1], SQRT2 * w[2], v[3], v[7], v[11]);
  }

  protected fromAlgebra64(x: Float64Array, c: Float64Array): Float64Array {
    const vr = matmul(rotationOf(x), hat([c[0] / SQRT2, c[1] / SQRT2, c[2] / SQRT2]), 3, 3, 3);
    return assemble(vr, (i) => c[3 + i], 0);
  }
}

function rotationOf(x: Float64Array): Float64Array {
  const r = new Float64Array(9);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) r[3 * i + j] = x[4 * i + j];
  return r;
}

/** [[R, t], [0, 0, 0, last]]: last = 1 for a point, 0 for a tangent vector. */
function assemble(r: Float64Array, t: (i: number) => number, last: 0 | 1): Float64Array {
  const out = new Float64Array(16);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) out[4 * i + j] = r[3 * i + j];
    out[4 * i + 3] = t(i);
  }
  out[15] = last;
  return out;
}

export const se3Factory: ManifoldFactory = {
  create: (options) => new SE3(options),
  probe: { shape: [4, 4] },
  description: "rigid motions SE(3) as 4×4 homogeneous matrices (product metric SO(3) × R³)",
};
