// Rotation matrices in 3D (row-major 3×3 Float64Array): the exponential and logarithm maps
// between rotation vectors ω ∈ R³ (axis × angle) and SO(3), the hat/vee isomorphism, and the
// nearest rotation to a 3×3 matrix. Shared by the SO(3) and SE(3) adapters.
import { matmul, matmulTN, newtonSchulz, orthonormalityError, skewPart } from "./linalg/dense.js";
import { symmetricEigen } from "@cflow/core/linalg";

/** ω̂: the skew matrix with ω̂ u = ω × u. */
export function hat(w: ArrayLike<number>, out = new Float64Array(9)): Float64Array {
  out[0] = 0;
  out[1] = -w[2];
  out[2] = w[1];
  out[3] = w[2];
  out[4] = 0;
  out[5] = -w[0];
  out[6] = -w[1];
  out[7] = w[0];
  out[8] = 0;
  return out;
}

/** The vector of the skew part of a 3×3 matrix: vee((M − Mᵀ)/2). */
export function veeSkew(m: ArrayLike<number>, out = new Float64Array(3)): Float64Array {
  out[0] = 0.5 * (m[7] - m[5]);
  out[1] = 0.5 * (m[2] - m[6]);
  out[2] = 0.5 * (m[3] - m[1]);
  return out;
}

/**
 * Rodrigues: Exp(ω) = I + (sin θ/θ) ω̂ + ((1 − cos θ)/θ²) ω̂², θ = ‖ω‖. The coefficients use
 * Taylor series below θ = 1e-3 (where they would lose digits to cancellation) and the
 * half-angle form 2 sin²(θ/2)/θ² above, which never cancels.
 */
export function expRotation(w: ArrayLike<number>, out = new Float64Array(9)): Float64Array {
  const x = w[0];
  const y = w[1];
  const z = w[2];
  const t2 = x * x + y * y + z * z;
  const t = Math.sqrt(t2);
  let a: number;
  let b: number;
  if (t < 1e-3) {
    a = 1 - (t2 / 6) * (1 - t2 / 20);
    b = 0.5 - (t2 / 24) * (1 - t2 / 30);
  } else {
    a = Math.sin(t) / t;
    const h = Math.sin(0.5 * t) / t;
    b = 2 * h * h;
  }
  // ω̂² = ωωᵀ − θ² I.
  out[0] = 1 + b * (x * x - t2);
  out[1] = -a * z + b * x * y;
  out[2] = a * y + b * x * z;
  out[3] = a * z + b * x * y;
  out[4] = 1 + b * (y * y - t2);
  out[5] = -a * x + b * y * z;
  out[6] = -a * y + b * x * z;
  out[7] = a * x + b * y * z;
  out[8] = 1 + b * (z * z - t2);
  return out;
}

/**
 * Log of a rotation matrix: the rotation vector ω with Exp(ω) = R, ‖ω‖ = θ ∈ [0, π]. The angle
 * is atan2(sin θ, cos θ) from the skew part and the trace, accurate over the whole range. The
 * axis comes from the skew part (sin θ · k) while θ ≤ 3π/4; closer to π that part vanishes and the
 * axis is read from the symmetric part (R + Rᵀ)/2 − cos θ I = (1 − cos θ) kkᵀ instead, with the
 * sign taken from the skew part. At θ = π exactly both ±πk are logarithms; one is returned.
 */
export function logRotation(r: ArrayLike<number>, out = new Float64Array(3)): Float64Array {
  const v = veeSkew(r);
  const s = Math.hypot(v[0], v[1], v[2]);
  const c = Math.max(-1, Math.min(1, 0.5 * (r[0] + r[4] + r[8] - 1)));
  const theta = Math.atan2(s, c);
  if (c > -0.7) {
    // θ/sin θ, with its series where sin θ ≈ θ.
    const t2 = theta * theta;
    const f = theta < 1e-3 ? 1 + (t2 / 6) * (1 + (7 * t2) / 60) : theta / s;
    out[0] = f * v[0];
    out[1] = f * v[1];
    out[2] = f * v[2];
    return out;
  }
  const d = 1 - c;
  const b = [
    [r[0] - c, 0.5 * (r[1] + r[3]), 0.5 * (r[2] + r[6])],
    [0.5 * (r[1] + r[3]), r[4] - c, 0.5 * (r[5] + r[7])],
    [0.5 * (r[2] + r[6]), 0.5 * (r[5] + r[7]), r[8] - c],
  ];
  let i = 0;
  if (b[1][1] > b[i][i]) i = 1;
  if (b[2][2] > b[i][i]) i = 2;
  const ki = Math.sqrt(Math.max(b[i][i], 0) / d);
  let k0 = b[i][0] / (d * ki);
  let k1 = b[i][1] / (d * ki);
  let k2 = b[i][2] / (d * ki);
  const kn = Math.hypot(k0, k1, k2);
  k0 /= kn;
  k1 /= kn;
  k2 /= kn;
  const sign = k0 * v[0] + k1 * v[1] + k2 * v[2] < 0 ? -1 : 1;
  out[0] = sign * theta * k0;
  out[1] = sign * theta * k1;
  out[2] = sign * theta * k2;
  return out;
}

/** The rotation of a unit quaternion (w, x, y, z); the quaternion need not be normalised. */
export function quaternionToRotation(q: ArrayLike<number>, out = new Float64Array(9)): Float64Array {
  const n = q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3];
  const s = 2 / n;
  const [w, x, y, z] = [q[0], q[1], q[2], q[3]];
  out[0] = 1 - s * (y * y + z * z);
  out[1] = s * (x * y - w * z);
  out[2] = s * (x * z + w * y);
  out[3] = s * (x * y + w * z);
  out[4] = 1 - s * (x * x + z * z);
  out[5] = s * (y * z - w * x);
  out[6] = s * (x * z - w * y);
  out[7] = s * (y * z + w * x);
  out[8] = 1 - s * (x * x + y * y);
  return out;
}

/**
 * The rotation nearest to a 3×3 matrix A in the Frobenius norm, i.e. maximising tr(RᵀA).
 * Written as a quaternion quadratic form tr(R(q)ᵀA) = qᵀKq on |q| = 1 (Bar-Itzhack), the optimum
 * is K's leading eigenvector — which, unlike an SVD-based polar factor, needs no determinant
 * fix-up and stays defined when A is singular.
 */
export function nearestRotation(a: ArrayLike<number>, out = new Float64Array(9)): Float64Array {
  const [a00, a01, a02, a10, a11, a12, a20, a21, a22] = [a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]];
  // prettier-ignore
  const k = [
    a00 + a11 + a22, a21 - a12, a02 - a20, a10 - a01,
    a21 - a12, a00 - a11 - a22, a01 + a10, a02 + a20,
    a02 - a20, a01 + a10, -a00 + a11 - a22, a12 + a21,
    a10 - a01, a02 + a20, a12 + a21, -a00 - a11 + a22,
  ];
  const e = symmetricEigen(k, 4);
  const q = [e.vectors[3], e.vectors[7], e.vectors[11], e.vectors[15]];
  return quaternionToRotation(q, out);
}

export function det3(m: ArrayLike<number>): number {
  return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
}

// The Riemannian operations of SO(3) with its bi-invariant (Frobenius) metric, on ambient 3×3
// tangent vectors V = R ω̂ — shared by the SO(3) adapter and the rotation block of SE(3).

/** ω with RᵀV ≈ ω̂ (the skew part, so a slightly non-tangent V is read as its projection). */
export function bodyVector(r: Float64Array, v: Float64Array): Float64Array {
  return veeSkew(matmulTN(r, v, 3, 3, 3));
}

/** R·Exp(ω), then one Newton–Schulz step so that long runs of steps never drift off SO(3). */
export function rotationExp(r: Float64Array, v: Float64Array): Float64Array {
  return newtonSchulz(matmul(r, expRotation(bodyVector(r, v)), 3, 3, 3), 3, 3);
}

export function rotationLog(r: Float64Array, s: Float64Array): Float64Array {
  return matmul(r, hat(logRotation(matmulTN(r, s, 3, 3, 3))), 3, 3, 3);
}

/** R skew(RᵀU): the orthogonal projection onto T_R SO(3). */
export function rotationProjTangent(r: Float64Array, u: Float64Array): Float64Array {
  return matmul(r, skewPart(matmulTN(r, u, 3, 3, 3), 3), 3, 3, 3);
}

/**
 * Parallel transport of the bi-invariant metric along the geodesic R Exp(tξ), ξ = Log(RᵀS):
 * R ω̂ ↦ R Exp(ξ/2) ω̂ Exp(ξ/2) = S (Exp(−ξ/2) ω)^.
 */
export function rotationTransport(r: Float64Array, s: Float64Array, v: Float64Array): Float64Array {
  const xi = logRotation(matmulTN(r, s, 3, 3, 3));
  const half = expRotation([-0.5 * xi[0], -0.5 * xi[1], -0.5 * xi[2]]);
  return matmul(s, hat(matmul(half, bodyVector(r, v), 3, 3, 1)), 3, 3, 3);
}

/** The rotation angle of RᵀS, in [0, π]. */
export function rotationAngle(r: Float64Array, s: Float64Array): number {
  const w = logRotation(matmulTN(r, s, 3, 3, 3));
  return Math.hypot(w[0], w[1], w[2]);
}

/** ‖RᵀR − I‖_F + |det R − 1|: zero exactly on SO(3), 2 for a reflection. */
export function rotationResidual(r: Float64Array): number {
  return orthonormalityError(r, 3, 3) + Math.abs(det3(r) - 1);
}
