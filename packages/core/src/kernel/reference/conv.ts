// Plain-TypeScript references for assembly/conv.ts: the convolution sums as defined, one output
// at a time, with the boundary rule applied to every tap.
import type { RealArray } from "../../dtype.js";

/** Index t of an axis of length n under the boundary rule, or −1 for a zero tap. */
function tap(t: number, n: number, circular: number): number {
  if (t >= 0 && t < n) return t;
  return circular ? ((t % n) + n) % n : -1;
}

export function conv1d(n: number, x: RealArray, m: number, k: RealArray, c: number, y: RealArray, circular: number): void {
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < m; j++) {
      const t = tap(i - j + c, n, circular);
      if (t >= 0) s += k[j] * x[t];
    }
    y[i] = s;
  }
}

export function convRows(h: number, w: number, x: RealArray, m: number, k: RealArray, c: number, y: RealArray, circular: number): void {
  for (let r = 0; r < h; r++) conv1d(w, x.subarray(r * w, (r + 1) * w), m, k, c, y.subarray(r * w, (r + 1) * w), circular);
}

export function convCols(h: number, w: number, x: RealArray, m: number, k: RealArray, c: number, y: RealArray, circular: number): void {
  for (let r = 0; r < h; r++) {
    for (let s = 0; s < w; s++) {
      let acc = 0;
      for (let a = 0; a < m; a++) {
        const t = tap(r - a + c, h, circular);
        if (t >= 0) acc += k[a] * x[t * w + s];
      }
      y[r * w + s] = acc;
    }
  }
}

export function conv2d(h: number, w: number, x: RealArray, mh: number, mw: number, k: RealArray, ch: number, cw: number, y: RealArray, circular: number): void {
  for (let r = 0; r < h; r++) {
    for (let s = 0; s < w; s++) {
      let acc = 0;
      for (let a = 0; a < mh; a++) {
        const t = tap(r - a + ch, h, circular);
        if (t < 0) continue;
        for (let b = 0; b < mw; b++) {
          const u = tap(s - b + cw, w, circular);
          if (u >= 0) acc += k[a * mw + b] * x[t * w + u];
        }
      }
      y[r * w + s] = acc;
    }
  }
}

export function convPad2d(h: number, w: number, x: RealArray, H: number, W: number, xp: RealArray): void {
  xp.fill(0, 0, H * W);
  for (let r = 0; r < h; r++) for (let s = 0; s < w; s++) xp[r * W + s] = x[r * w + s];
}

export function convCrop2d(_H: number, W: number, xp: RealArray, h: number, w: number, y: RealArray): void {
  for (let r = 0; r < h; r++) for (let s = 0; s < w; s++) y[r * w + s] = xp[r * W + s];
}
