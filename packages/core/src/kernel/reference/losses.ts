// Plain-TypeScript references for assembly/losses.ts (the textbook formulas).
import type { RealArray } from "../../dtype.js";

export function lossSquared(n: number, w: number, r: RealArray, grad: RealArray): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    s += r[i] * r[i];
    grad[i] = w * r[i];
  }
  return 0.5 * w * s;
}

export function lossSquaredResidual(n: number, w: number, b: RealArray, r: RealArray): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    r[i] -= b[i];
    s += r[i] * r[i];
  }
  return 0.5 * w * s;
}

export function lossSquaredValue(n: number, w: number, r: RealArray): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += r[i] * r[i];
  return 0.5 * w * s;
}

export function lossSquaredMomentum(n: number, w: number, beta: number, c: RealArray, cPrev: RealArray, grad: RealArray): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const z = c[i] + beta * (c[i] - cPrev[i]);
    s += z * z;
    grad[i] = w * z;
  }
  return 0.5 * w * s;
}

export function lossWeightedSquared(n: number, w: number, c: RealArray, r: RealArray, grad: RealArray): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    s += c[i] * r[i] * r[i];
    grad[i] = w * c[i] * r[i];
  }
  return 0.5 * w * s;
}

export function lossHuber(n: number, w: number, delta: number, r: RealArray, grad: RealArray): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const a = Math.abs(r[i]);
    s += a <= delta ? 0.5 * r[i] * r[i] : delta * (a - 0.5 * delta);
    grad[i] = w * Math.max(-delta, Math.min(delta, r[i]));
  }
  return w * s;
}

export function lossHuberCurvature(n: number, w: number, delta: number, r: RealArray, c: RealArray): void {
  for (let i = 0; i < n; i++) c[i] = Math.abs(r[i]) <= delta ? w : 0;
}

export function lossLogistic(n: number, w: number, z: RealArray, y: RealArray, grad: RealArray): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const t = y[i] * z[i];
    s += Math.log(1 + Math.exp(-t));
    grad[i] = (-w * y[i]) / (1 + Math.exp(t));
  }
  return w * s;
}

export function lossLogisticCurvature(n: number, w: number, z: RealArray, c: RealArray): void {
  for (let i = 0; i < n; i++) {
    const p = 1 / (1 + Math.exp(-z[i]));
    c[i] = w * p * (1 - p);
  }
}
