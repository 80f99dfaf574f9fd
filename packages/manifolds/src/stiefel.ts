import { CflowError, type ManifoldFactory, type RngKey, ShapeError, normal } from "@cflow/core";
import { cholesky, solveLower, solveLowerT } from "./linalg/cholesky.js";
import { matmul, matmulTN, norm, orthonormalityError, skewPart } from "./linalg/dense.js";
import { expm } from "./linalg/expm.js";
import { HouseholderQR } from "./linalg/householder.js";
import { polar } from "./linalg/polar.js";
import { Float64Manifold } from "./float64-manifold.js";
import { type ManifoldOptions, checkOptions } from "./options.js";

const LOG_MAX_REFRESHES = 20;
/** log fails (throws) when exp(x, log(x, y)) misses y by more than this (Frobenius). */
export const STIEFEL_LOG_TOLERANCE = 1e-11;

/**
 * The Stiefel manifold St(n, p) = {X ∈ R^{n×p} : XᵀX = I_p} (row-major n×p points) with the
 * embedded (Euclidean) metric ⟨U, V⟩ = tr(UᵀV). Tangent vectors at X are V with XᵀV skew.
 *
 * - exp: the closed-form geodesic of Edelman, Arias & Smith (1998, eq. 2.45),
 *   Y = [X, V] Exp([[A, −S], [I, A]]) [I; 0] Exp(−A), A = XᵀV, S = VᵀV.
 * - log: no closed form exists for this metric. Y lies in span[X, Q] with Q an orthonormal basis
 *   of the part of span(Y) orthogonal to X, and St(p + k, p) sits totally geodesically inside
 *   St(n, p) through [X, Q]; so the geodesic is found on that small manifold (k = min(p, n − p))
 *   by Gauss–Newton shooting on exp, then mapped back. It converges for points within the
 *   injectivity radius in a few iterations, to ‖exp(x, log(x, y)) − y‖ ≈ 1e-15, and throws
 *   (STIEFEL_LOG_NO_CONVERGENCE) when the residual stays above STIEFEL_LOG_TOLERANCE. Cost per
 *   iteration ≈ 2d exponentials of 2p×2p matrices, d = p(p − 1)/2 + kp. Inputs off the manifold
 *   by more than float64 rounding (float32 points) are first replaced by their nearest points.
 * - retract: the polar retraction (X + V)(I + VᵀV)^{-½}, computed as the polar factor of X + V
 *   (also `project`, the nearest point).
 * - transport: no closed-form parallel transport exists either. V is moved by the orthogonal map
 *   Q = R_p⋯R_1 of Rⁿ that rotates each column of X onto the matching column of Y within one
 *   plane (R_i the rotation taking R_{i−1}⋯R_1 xᵢ to yᵢ, the identity off that plane). Q X = Y,
 *   so QV is tangent at Y, and Q is orthogonal, so the transport is a linear isometry; it is the
 *   identity when Y = X and, for p = 1, the sphere's parallel transport.
 * - Intrinsic coordinates: [√2·Ω_ij (i < j), K] for V = XΩ + X⊥K, with X⊥ the orthonormal
 *   complement of X from its Householder QR.
 */
export class Stiefel extends Float64Manifold {
  readonly name = "stiefel";
  readonly n: number;
  readonly p: number;

  constructor(options: ManifoldOptions) {
    const { shape, dtype } = checkOptions("stiefel.create", options);
    if (shape.length !== 2 || shape[0] < shape[1]) throw new ShapeError("stiefel.create", "[n, p] with n ≥ p ≥ 1", shape);
    const [n, p] = shape;
    super(shape, n * p - (p * (p + 1)) / 2, dtype);
    this.n = n;
    this.p = p;
  }

  protected exp64(x: Float64Array, v: Float64Array): Float64Array {
    return stiefelExp(x, v, this.n, this.p);
  }

  protected log64(x0: Float64Array, y0: Float64Array): Float64Array {
    const { n, p } = this;
    // Points off the manifold by more than float64 rounding (float32 points carry ~1e-7) are
    // joined by no geodesic at all; shooting works between their nearest points instead.
    const x = orthonormalityError(x0, n, p) > 1e-14 ? polar(x0, n, p, "stiefel.log") : x0;
    const y = orthonormalityError(y0, n, p) > 1e-14 ? polar(y0, n, p, "stiefel.log") : y0;
    const hx = new HouseholderQR(x, n, p);
    const m = matmulTN(x, y, n, p, p);
    const rest = n - p;
    const k = Math.min(p, rest);
    // B = X⊥ᵀY, then its QR: span(Y) ⊆ span[X, X⊥G₁] with G₁ the first k columns of G.
    const yt = hx.applyQT(Float64Array.from(y), p);
    const b = yt.slice(p * p);
    const hb = new HouseholderQR(b, rest, p);
    const nk = hb.r.slice(0, k * p);
    const { a, c } = reducedLog(m, nk, p, k);
    const z = new Float64Array(rest * p);
    z.set(c);
    hb.applyQ(z, p);
    const full = new Float64Array(n * p);
    full.set(z, p * p);
    hx.applyQ(full, p);
    const xa = matmul(x, a, n, p, p);
    for (let i = 0; i < n * p; i++) full[i] += xa[i];
    return full;
  }

  protected retract64(x: Float64Array, v: Float64Array): Float64Array {
    const a = new Float64Array(x.length);
    for (let i = 0; i < a.length; i++) a[i] = x[i] + v[i];
    return polar(a, this.n, this.p, "stiefel.retract");
  }

  /** U − X sym(XᵀU). */
  protected projTangent64(x: Float64Array, u: Float64Array): Float64Array {
    const { n, p } = this;
    const g = matmulTN(x, u, n, p, p);
    for (let i = 0; i < p; i++) {
      for (let j = i + 1; j < p; j++) {
        const s = 0.5 * (g[i * p + j] + g[j * p + i]);
        g[i * p + j] = s;
        g[j * p + i] = s;
      }
    }
    const xs = matmul(x, g, n, p, p);
    const out = new Float64Array(n * p);
    for (let i = 0; i < out.length; i++) out[i] = u[i] - xs[i];
    return out;
  }

  protected egradToRgrad64(x: Float64Array, g: Float64Array): Float64Array {
    return this.projTangent64(x, g);
  }

  protected metric64(_x: Float64Array, u: Float64Array, v: Float64Array): number {
    let s = 0;
    for (let i = 0; i < u.length; i++) s += u[i] * v[i];
    return s;
  }

  protected transport64(x: Float64Array, y: Float64Array, v: Float64Array): Float64Array {
    const { n, p } = this;
    const xc = Float64Array.from(x);
    const out = Float64Array.from(v);
    const a = new Float64Array(n);
    const b = new Float64Array(n);
    for (let i = 0; i < p; i++) {
      let c = 0;
      for (let r = 0; r < n; r++) {
        a[r] = xc[r * p + i];
        b[r] = y[r * p + i];
        c += a[r] * b[r];
      }
      if (!(1 + c > 1e-12)) {
        throw new CflowError("STIEFEL_TRANSPORT_UNDEFINED", `stiefel.transport: column ${i} of y is opposite to that of the transported x (cosine ${c}); the rotation taking one to the other is not unique`, {
          path: "stiefel.transport",
          expected: "columns at an angle < π",
          found: c,
        });
      }
      planeRotate(a, b, c, xc, n, p);
      planeRotate(a, b, c, out, n, p);
    }
    return out;
  }

  protected dist64(x: Float64Array, y: Float64Array): number {
    return norm(this.log64(x, y));
  }

  protected project64(a: Float64Array): Float64Array {
    return polar(a, this.n, this.p, "stiefel.project");
  }

  protected residual64(x: Float64Array): number {
    return orthonormalityError(x, this.n, this.p);
  }

  /** Haar-distributed: the polar factor of a Gaussian n×p matrix. */
  protected random64(key: RngKey): Float64Array {
    return polar(Float64Array.from(normal(key, this.n * this.p, "float64")), this.n, this.p, "stiefel.random");
  }

  protected toAlgebra64(x: Float64Array, v: Float64Array): Float64Array {
    const { n, p } = this;
    const omega = skewPart(matmulTN(x, v, n, p, p), p);
    const k = new HouseholderQR(x, n, p).applyQT(Float64Array.from(v), p);
    const c = new Float64Array(this.dim);
    let l = 0;
    for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) c[l++] = Math.SQRT2 * omega[i * p + j];
    c.set(k.subarray(p * p), l);
    return c;
  }

  protected fromAlgebra64(x: Float64Array, c: Float64Array): Float64Array {
    const { n, p } = this;
    const omega = new Float64Array(p * p);
    let l = 0;
    for (let i = 0; i < p; i++) {
      for (let j = i + 1; j < p; j++) {
        omega[i * p + j] = c[l] / Math.SQRT2;
        omega[j * p + i] = -c[l] / Math.SQRT2;
        l++;
      }
    }
    const full = new Float64Array(n * p);
    full.set(c.subarray(l), p * p);
    new HouseholderQR(x, n, p).applyQ(full, p);
    const xo = matmul(x, omega, n, p, p);
    for (let i = 0; i < full.length; i++) full[i] += xo[i];
    return full;
  }
}

/** The Euclidean-metric geodesic Y = [X, V] Exp([[A, −S], [I, A]]) [I; 0] Exp(−A) at t = 1. */
export function stiefelExp(x: Float64Array, v: Float64Array, n: number, p: number): Float64Array {
  const a = matmulTN(x, v, n, p, p);
  const s = matmulTN(v, v, n, p, p);
  const q = 2 * p;
  const big = new Float64Array(q * q);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      big[i * q + j] = a[i * p + j];
      big[i * q + p + j] = -s[i * p + j];
      big[(p + i) * q + p + j] = a[i * p + j];
    }
    big[(p + i) * q + i] = 1;
  }
  const e = expm(big, q);
  const minusA = a.map((t) => -t);
  const g = expm(minusA, p);
  const top = new Float64Array(p * p);
  const bottom = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      top[i * p + j] = e[i * q + j];
      bottom[i * p + j] = e[(p + i) * q + j];
    }
  }
  const y = matmul(x, top, n, p, p);
  const vb = matmul(v, bottom, n, p, p);
  for (let i = 0; i < y.length; i++) y[i] += vb[i];
  return matmul(y, g, n, p, p);
}

/**
 * The tangent vector [A; C] at E = [I_p; 0] of St(p + k, p) whose geodesic reaches Z = [M; N],
 * by Gauss–Newton on r(c) = exp_E(V(c)) − Z over orthonormal coordinates c of T_E: a
 * finite-difference Jacobian reused for chord steps while they contract by 4× or more, step
 * halving when a step does not reduce ‖r‖, stopping at the rounding floor of exp.
 */
function reducedLog(m: Float64Array, nk: Float64Array, p: number, k: number): { a: Float64Array; c: Float64Array } {
  const rows = p + k;
  const dA = (p * (p - 1)) / 2;
  const d = dA + k * p;
  const e = new Float64Array(rows * p);
  for (let i = 0; i < p; i++) e[i * p + i] = 1;
  const z = new Float64Array(rows * p);
  z.set(m);
  z.set(nk, p * p);

  const toTangent = (c: Float64Array): Float64Array => {
    const v = new Float64Array(rows * p);
    let l = 0;
    for (let i = 0; i < p; i++) {
      for (let j = i + 1; j < p; j++) {
        v[i * p + j] = c[l] / Math.SQRT2;
        v[j * p + i] = -c[l] / Math.SQRT2;
        l++;
      }
    }
    for (let i = 0; i < k * p; i++) v[p * p + i] = c[dA + i];
    return v;
  };
  const residual = (c: Float64Array): Float64Array => {
    const y = stiefelExp(e, toTangent(c), rows, p);
    for (let i = 0; i < y.length; i++) y[i] -= z[i];
    return y;
  };

  // Forward differences: the Jacobian's O(√ε) error only slows the chord iterations slightly;
  // the residual itself is exact, so it does not bias the solution.
  const jacobian = (c0: Float64Array, r0: Float64Array): Float64Array => {
    const h = 1.5e-8 * Math.max(1, norm(c0));
    const jac = new Float64Array(r0.length * d);
    for (let l = 0; l < d; l++) {
      const cp = Float64Array.from(c0);
      cp[l] += h;
      const rp = residual(cp);
      for (let i = 0; i < r0.length; i++) jac[i * d + l] = (rp[i] - r0[i]) / h;
    }
    return jac;
  };

  // Start from the tangent projection of Z − E: exact to first order in the distance.
  let c = new Float64Array(d);
  {
    let l = 0;
    for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) c[l++] = Math.SQRT2 * 0.5 * (m[i * p + j] - m[j * p + i]);
    c.set(nk, dA);
  }
  let r = residual(c);
  let rn = norm(r);
  // Target: the rounding floor of evaluating exp (‖r‖ cannot go much below it).
  const target = 2e-16 * Math.sqrt(rows * p);
  let fresh = false;
  let floor = false;
  for (let refresh = 0; refresh < LOG_MAX_REFRESHES && rn > target && d > 0; refresh++) {
    const jac = jacobian(c, r);
    let l: Float64Array;
    try {
      l = cholesky(matmulTN(jac, jac, r.length, d, d), d, "stiefel.log");
    } catch {
      break;
    }
    fresh = true;
    // Chord iterations on this Jacobian while they contract fast; a fresh one when they slow down.
    for (let it = 0; it < 30 && rn > target; it++) {
      const step = solveLowerT(l, solveLower(l, matmulTN(jac, r, r.length, d, 1), d, 1), d, 1);
      let accepted = false;
      let rate = 1;
      for (let t = 1, half = 0; half < 8; half++, t *= 0.5) {
        const ct = new Float64Array(d);
        for (let i = 0; i < d; i++) ct[i] = c[i] - t * step[i];
        const rt = residual(ct);
        const rtn = norm(rt);
        if (rtn < rn) {
          rate = rtn / rn;
          c = ct;
          r = rt;
          rn = rtn;
          accepted = true;
          break;
        }
      }
      if (!accepted) break;
      fresh = false;
      if (rate > 0.25) {
        floor = rn < 1e3 * target; // slow only because rounding dominates: done
        break;
      }
    }
    if (fresh || floor) break; // no progress even with a fresh Jacobian (stuck), or at the floor
  }
  if (!(rn <= STIEFEL_LOG_TOLERANCE)) {
    throw new CflowError(
      "STIEFEL_LOG_NO_CONVERGENCE",
      `stiefel.log: shooting did not reach y (‖exp(x, v) − y‖ = ${rn.toExponential(3)} > ${STIEFEL_LOG_TOLERANCE}); y is probably beyond the injectivity radius of x`,
      { path: "stiefel.log", expected: `residual ≤ ${STIEFEL_LOG_TOLERANCE}`, found: rn },
    );
  }
  const v = toTangent(c);
  return { a: v.slice(0, p * p), c: v.slice(p * p) };
}

/**
 * Applies to every column w of an n×p matrix the rotation of the plane span(a, b) taking the
 * unit vector a to the unit vector b (cosine c): w − ⟨a + b, w⟩/(1 + c)(a + b) + 2⟨a, w⟩b.
 */
function planeRotate(a: Float64Array, b: Float64Array, c: number, w: Float64Array, n: number, p: number): void {
  for (let j = 0; j < p; j++) {
    let sw = 0;
    let aw = 0;
    for (let r = 0; r < n; r++) {
      const wr = w[r * p + j];
      sw += (a[r] + b[r]) * wr;
      aw += a[r] * wr;
    }
    const f = sw / (1 + c);
    for (let r = 0; r < n; r++) w[r * p + j] += 2 * aw * b[r] - f * (a[r] + b[r]);
  }
}

export const stiefelFactory: ManifoldFactory = {
  create: (options) => new Stiefel(options),
  probe: { shape: [6, 3] },
  description: "orthonormal n×p frames St(n, p) (embedded metric; polar retraction; shooting log)",
};
