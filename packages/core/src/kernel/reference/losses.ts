// Plain-TypeScript references for assembly/losses.ts (the textbook formulas).
import type { RealArray } from "../../dtype.js";

export function huber(n: number, delta: number, r: RealArray, grad: RealArray): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const a = Math.abs(r[i]);
    s += a <= delta ? 0.5 * r[i] * r[i] : delta * (a - 0.5 * delta);
    grad[i] = Math.max(-delta, Math.min(delta, r[i]));
  }
  return s;
}

export function huberCurvature(n: number, delta: number, r: RealArray, w: RealArray): void {
  for (let i = 0; i < n; i++) w[i] = Math.abs(r[i]) <= delta ? 1 : 0;
}

export function logistic(n: number, z: RealArray, y: RealArray, grad: RealArray): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const t = y[i] * z[i];
    s += Math.log(1 + Math.exp(-t));
    grad[i] = -y[i] / (1 + Math.exp(t));
  }
  return s;
}

export function logisticCurvature(n: number, z: RealArray, w: RealArray): void {
  for (let i = 0; i < n; i++) {
    const p = 1 / (1 + Math.exp(-z[i]));
    w[i] = p * (1 - p);
  }
}
