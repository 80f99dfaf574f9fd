// Direct ("same"-size) convolutions. A kernel k of length m is centred at index c:
//   y[i] = Σ_j k[j] · x[i − j + c],
// with x outside [0, n) zero (circular = 0) or wrapped modulo n (circular = 1). In 2D the same
// holds per axis (kernel mh × mw, centre (ch, cw)). The adjoint of a convolution is the
// correlation Σ_j k[j]·y[i + j − c], which is this same convolution with the flipped kernel
// k'[j] = k[m−1−j] centred at m−1−c; the operators pass that. Outputs never alias inputs.
// Sums of m products accumulate in the kernel's dtype (a filter output, not a reduction).
import { ld, st, vst, vsplat } from "./common/real";

@inline function eb(i: i32): usize {
  return <usize>i << alignof<Real>();
}

/** x index t mapped into [0, n) modulo n. */
@inline function wrap(t: i32, n: i32): i32 {
  const r = t % n;
  return r < 0 ? r + n : r;
}

/** One output of a 1D convolution near the boundary (or anywhere): the definition. */
@inline function edgeTap(n: i32, x: usize, m: i32, k: usize, c: i32, i: i32, circular: i32): Real {
  let s: Real = 0;
  for (let j = 0; j < m; j++) {
    let t = i - j + c;
    if (t < 0 || t >= n) {
      if (circular == 0) continue;
      t = wrap(t, n);
    }
    s += ld(k, j) * ld(x, t);
  }
  return s;
}

/** One row: y[0..n) ← k ⊛ x[0..n). SIMD over outputs in the interior, the definition at the edges. */
function convLine(n: i32, x: usize, m: i32, k: usize, c: i32, y: usize, circular: i32): void {
  // interior: every tap i − j + c inside [0, n)
  const lo = max(0, m - 1 - c);
  const hi = min(n, n - c); // exclusive
  let i = 0;
  for (; i < min(lo, n); i++) st(y, i, edgeTap(n, x, m, k, c, i, circular));
  const U = 4 * LANES;
  for (; i + U <= hi; i += U) {
    let a0 = vsplat(0);
    let a1 = vsplat(0);
    let a2 = vsplat(0);
    let a3 = vsplat(0);
    let p = x + eb(i + c); // x[i − j + c] for j = 0
    for (let j = 0; j < m; j++) {
      const kv = v128.splat<Real>(ld(k, j));
      a0 = v128.add<Real>(a0, v128.mul<Real>(kv, v128.load(p)));
      a1 = v128.add<Real>(a1, v128.mul<Real>(kv, v128.load(p, 16)));
      a2 = v128.add<Real>(a2, v128.mul<Real>(kv, v128.load(p, 32)));
      a3 = v128.add<Real>(a3, v128.mul<Real>(kv, v128.load(p, 48)));
      p -= sizeof<Real>();
    }
    vst(y, i, a0);
    vst(y, i + LANES, a1);
    vst(y, i + 2 * LANES, a2);
    vst(y, i + 3 * LANES, a3);
  }
  for (; i + LANES <= hi; i += LANES) {
    let a0 = vsplat(0);
    let p = x + eb(i + c);
    for (let j = 0; j < m; j++) {
      a0 = v128.add<Real>(a0, v128.mul<Real>(v128.splat<Real>(ld(k, j)), v128.load(p)));
      p -= sizeof<Real>();
    }
    vst(y, i, a0);
  }
  for (; i < n; i++) st(y, i, edgeTap(n, x, m, k, c, i, circular));
}

/** y ← k ⊛ x for 1D signals of length n. */
export function conv1d(n: i32, x: usize, m: i32, k: usize, c: i32, y: usize, circular: i32): void {
  convLine(n, x, m, k, c, y, circular);
}

/** Each row of the h × w image x convolved with k (length m, centre c): the row filter. */
export function convRows(h: i32, w: i32, x: usize, m: i32, k: usize, c: i32, y: usize, circular: i32): void {
  for (let r = 0; r < h; r++) convLine(w, x + eb(r * w), m, k, c, y + eb(r * w), circular);
}

/** Each column of the h × w image x convolved with k (length m, centre c): the column filter. */
export function convCols(h: i32, w: i32, x: usize, m: i32, k: usize, c: i32, y: usize, circular: i32): void {
  const U = 4 * LANES;
  for (let r = 0; r < h; r++) {
    const yr = y + eb(r * w);
    let s = 0;
    for (; s + U <= w; s += U) {
      let a0 = vsplat(0);
      let a1 = vsplat(0);
      let a2 = vsplat(0);
      let a3 = vsplat(0);
      for (let a = 0; a < m; a++) {
        let t = r - a + c;
        if (t < 0 || t >= h) {
          if (circular == 0) continue;
          t = wrap(t, h);
        }
        const kv = v128.splat<Real>(ld(k, a));
        const p = x + eb(t * w + s);
        a0 = v128.add<Real>(a0, v128.mul<Real>(kv, v128.load(p)));
        a1 = v128.add<Real>(a1, v128.mul<Real>(kv, v128.load(p, 16)));
        a2 = v128.add<Real>(a2, v128.mul<Real>(kv, v128.load(p, 32)));
        a3 = v128.add<Real>(a3, v128.mul<Real>(kv, v128.load(p, 48)));
      }
      vst(yr, s, a0);
      vst(yr, s + LANES, a1);
      vst(yr, s + 2 * LANES, a2);
      vst(yr, s + 3 * LANES, a3);
    }
    for (; s < w; s++) {
      let acc: Real = 0;
      for (let a = 0; a < m; a++) {
        let t = r - a + c;
        if (t < 0 || t >= h) {
          if (circular == 0) continue;
          t = wrap(t, h);
        }
        acc += ld(k, a) * ld(x, t * w + s);
      }
      st(yr, s, acc);
    }
  }
}

/** One output of the 2D convolution by the definition (edges). */
function edgeTap2(h: i32, w: i32, x: usize, mh: i32, mw: i32, k: usize, ch: i32, cw: i32, r: i32, s: i32, circular: i32): Real {
  let acc: Real = 0;
  for (let a = 0; a < mh; a++) {
    let t = r - a + ch;
    if (t < 0 || t >= h) {
      if (circular == 0) continue;
      t = wrap(t, h);
    }
    for (let b = 0; b < mw; b++) {
      let u = s - b + cw;
      if (u < 0 || u >= w) {
        if (circular == 0) continue;
        u = wrap(u, w);
      }
      acc += ld(k, a * mw + b) * ld(x, t * w + u);
    }
  }
  return acc;
}

/** y ← k ⊛ x for h × w images and an mh × mw kernel centred at (ch, cw) (row-major arrays). */
export function conv2d(h: i32, w: i32, x: usize, mh: i32, mw: i32, k: usize, ch: i32, cw: i32, y: usize, circular: i32): void {
  // columns whose taps all fall inside [0, w): SIMD over 4 vectors of outputs
  const lo = max(0, mw - 1 - cw);
  const hi = min(w, w - cw); // exclusive
  const U = 4 * LANES;
  for (let r = 0; r < h; r++) {
    const yr = y + eb(r * w);
    let s = 0;
    for (; s < min(lo, w); s++) st(yr, s, edgeTap2(h, w, x, mh, mw, k, ch, cw, r, s, circular));
    for (; s + U <= hi; s += U) {
      let a0 = vsplat(0);
      let a1 = vsplat(0);
      let a2 = vsplat(0);
      let a3 = vsplat(0);
      for (let a = 0; a < mh; a++) {
        let t = r - a + ch;
        if (t < 0 || t >= h) {
          if (circular == 0) continue;
          t = wrap(t, h);
        }
        let p = x + eb(t * w + s + cw);
        const kr = k + eb(a * mw);
        for (let b = 0; b < mw; b++) {
          const kv = v128.splat<Real>(ld(kr, b));
          a0 = v128.add<Real>(a0, v128.mul<Real>(kv, v128.load(p)));
          a1 = v128.add<Real>(a1, v128.mul<Real>(kv, v128.load(p, 16)));
          a2 = v128.add<Real>(a2, v128.mul<Real>(kv, v128.load(p, 32)));
          a3 = v128.add<Real>(a3, v128.mul<Real>(kv, v128.load(p, 48)));
          p -= sizeof<Real>();
        }
      }
      vst(yr, s, a0);
      vst(yr, s + LANES, a1);
      vst(yr, s + 2 * LANES, a2);
      vst(yr, s + 3 * LANES, a3);
    }
    for (; s < w; s++) st(yr, s, edgeTap2(h, w, x, mh, mw, k, ch, cw, r, s, circular));
  }
}

/** xp (H × W) ← x (h × w, h ≤ H, w ≤ W) in the top-left corner, zeros elsewhere. */
export function convPad2d(h: i32, w: i32, x: usize, H: i32, W: i32, xp: usize): void {
  for (let r = 0; r < h; r++) {
    memory.copy(xp + eb(r * W), x + eb(r * w), eb(w));
    memory.fill(xp + eb(r * W + w), 0, eb(W - w));
  }
  memory.fill(xp + eb(h * W), 0, eb((H - h) * W));
}

/** y (h × w) ← the top-left h × w corner of xp (H × W). */
export function convCrop2d(H: i32, W: i32, xp: usize, h: i32, w: i32, y: usize): void {
  for (let r = 0; r < h; r++) memory.copy(y + eb(r * w), xp + eb(r * W), eb(w));
}

