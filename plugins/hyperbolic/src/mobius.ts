// Gyrovector operations of the Poincaré ball of curvature −c (Ungar), in float64 on plain arrays.

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** The conformal factor λ_x = 2 / (1 − c‖x‖²): the metric at x is λ_x² times the Euclidean one. */
export function conformalFactor(x: ArrayLike<number>, c: number): number {
  return 2 / (1 - c * dot(x, x));
}

/** Möbius addition x ⊕ y = ((1 + 2c⟨x,y⟩ + c‖y‖²)x + (1 − c‖x‖²)y) / (1 + 2c⟨x,y⟩ + c²‖x‖²‖y‖²). */
export function mobiusAdd(x: ArrayLike<number>, y: ArrayLike<number>, c: number): Float64Array {
  const xy = dot(x, y);
  const x2 = dot(x, x);
  const y2 = dot(y, y);
  const a = 1 + 2 * c * xy + c * y2;
  const b = 1 - c * x2;
  const d = 1 + 2 * c * xy + c * c * x2 * y2;
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = (a * x[i] + b * y[i]) / d;
  return out;
}

/**
 * (−x) ⊕ y, the gyrovector from x to y, from the difference d = y − x: the numerator simplifies to
 * (1 − c‖x‖²)d − c‖d‖²x, so nearby points do not cancel to rounding noise.
 */
export function mobiusDifference(x: ArrayLike<number>, y: ArrayLike<number>, c: number): Float64Array {
  const n = x.length;
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = y[i] - x[i];
  const x2 = dot(x, x);
  const d2 = dot(d, d);
  const den = 1 - 2 * c * dot(x, y) + c * c * x2 * dot(y, y);
  const a = 1 - c * x2;
  for (let i = 0; i < n; i++) d[i] = (a * d[i] - c * d2 * x[i]) / den;
  return d;
}

/**
 * The gyration gyr[u, v]w = ⊖(u ⊕ v) ⊕ (u ⊕ (v ⊕ w)), in closed form (linear in w, so w need not
 * lie in the ball): w + 2(a·u + b·v)/d with a = −c²⟨u,w⟩‖v‖² + c⟨v,w⟩ + 2c²⟨u,v⟩⟨v,w⟩,
 * b = −c²⟨v,w⟩‖u‖² − c⟨u,w⟩, d = 1 + 2c⟨u,v⟩ + c²‖u‖²‖v‖². An isometry of the Euclidean norm.
 */
export function gyration(u: ArrayLike<number>, v: ArrayLike<number>, w: ArrayLike<number>, c: number): Float64Array {
  const u2 = dot(u, u);
  const v2 = dot(v, v);
  const uv = dot(u, v);
  const uw = dot(u, w);
  const vw = dot(v, w);
  const c2 = c * c;
  const a = -c2 * uw * v2 + c * vw + 2 * c2 * uv * vw;
  const b = -c2 * vw * u2 - c * uw;
  const d = 1 + 2 * c * uv + c2 * u2 * v2;
  const out = new Float64Array(w.length);
  for (let i = 0; i < w.length; i++) out[i] = w[i] + (2 * (a * u[i] + b * v[i])) / d;
  return out;
}
