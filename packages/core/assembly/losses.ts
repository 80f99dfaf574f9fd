// Element-wise data losses of the smooth atoms: value (f64-accumulated) and gradient in one pass.

/**
 * Huber loss Σ h_δ(r_i), h_δ(r) = ½r² for |r| ≤ δ, δ(|r| − ½δ) beyond; grad_i = clip(r_i, −δ, δ).
 * grad may alias r.
 */
export function huber(n: i32, delta: f64, r: usize, grad: usize): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const p = r + (<usize>i << alignof<Real>());
    const ri = <f64>load<Real>(p);
    const a = Math.abs(ri);
    if (a <= delta) {
      s += 0.5 * ri * ri;
      store<Real>(grad + (<usize>i << alignof<Real>()), <Real>ri);
    } else {
      s += delta * (a - 0.5 * delta);
      store<Real>(grad + (<usize>i << alignof<Real>()), <Real>(ri > 0 ? delta : -delta));
    }
  }
  return s;
}

/** Second derivative of the Huber loss: w_i = 1 where |r_i| ≤ δ, else 0. */
export function huberCurvature(n: i32, delta: f64, r: usize, w: usize): void {
  for (let i = 0; i < n; i++) {
    const off = <usize>i << alignof<Real>();
    store<Real>(w + off, Math.abs(<f64>load<Real>(r + off)) <= delta ? <Real>1 : <Real>0);
  }
}

/**
 * Logistic loss Σ log(1 + exp(−y_i z_i)) for labels y_i ∈ {−1, +1}, computed stably as
 * max(−t, 0) + log1p(exp(−|t|)) with t = y_i z_i; grad_i = −y_i σ(−t). grad may alias z.
 */
export function logistic(n: i32, z: usize, y: usize, grad: usize): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const off = <usize>i << alignof<Real>();
    const yi = <f64>load<Real>(y + off);
    const t = yi * <f64>load<Real>(z + off);
    const e = Math.exp(-Math.abs(t));
    s += (t < 0 ? -t : 0) + Math.log1p(e);
    // σ(−t) = 1/(1 + e^t), written to avoid overflow for either sign of t
    const sig = t >= 0 ? e / (1 + e) : 1 / (1 + e);
    store<Real>(grad + off, <Real>(-yi * sig));
  }
  return s;
}

/** Logistic curvature w_i = σ(z_i)(1 − σ(z_i)) (independent of the label sign). */
export function logisticCurvature(n: i32, z: usize, w: usize): void {
  for (let i = 0; i < n; i++) {
    const off = <usize>i << alignof<Real>();
    const e = Math.exp(-Math.abs(<f64>load<Real>(z + off)));
    store<Real>(w + off, <Real>(e / ((1 + e) * (1 + e))));
  }
}
