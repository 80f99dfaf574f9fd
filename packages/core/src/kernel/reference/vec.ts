// Plain-TypeScript references for assembly/vec.ts: the obvious loops, for parity tests and benches.
import type { RealArray } from "../../dtype.js";

export function fill(n: number, a: number, x: RealArray): void {
  for (let i = 0; i < n; i++) x[i] = a;
}

export function copy(n: number, x: RealArray, y: RealArray): void {
  for (let i = 0; i < n; i++) y[i] = x[i];
}

export function scale(n: number, a: number, x: RealArray): void {
  for (let i = 0; i < n; i++) x[i] = a * x[i];
}

export function axpy(n: number, a: number, x: RealArray, y: RealArray): void {
  for (let i = 0; i < n; i++) y[i] += a * x[i];
}

export function axpby(n: number, a: number, x: RealArray, b: number, y: RealArray): void {
  for (let i = 0; i < n; i++) y[i] = a * x[i] + b * y[i];
}

export function dot(n: number, x: RealArray, y: RealArray): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i] * y[i];
  return s;
}

export function mul(n: number, x: RealArray, y: RealArray, out: RealArray): void {
  for (let i = 0; i < n; i++) out[i] = x[i] * y[i];
}

export function sub(n: number, x: RealArray, y: RealArray, out: RealArray): void {
  for (let i = 0; i < n; i++) out[i] = x[i] - y[i];
}

export function axpbyz(n: number, a: number, x: RealArray, b: number, y: RealArray, z: RealArray): void {
  for (let i = 0; i < n; i++) z[i] = a * x[i] + b * y[i];
}

/** z ← x − a·g in float64, stored in z's dtype. */
export function forwardInput(n: number, a: number, x: RealArray, g: RealArray, z: RealArray): void {
  for (let i = 0; i < n; i++) z[i] = x[i] - a * g[i];
}

export function momentum(n: number, beta: number, x: RealArray, xPrev: RealArray, y: RealArray): void {
  for (let i = 0; i < n; i++) y[i] = x[i] + beta * (x[i] - xPrev[i]);
}

export function norm2sq(n: number, x: RealArray): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i] * x[i];
  return s;
}

export function norm1(n: number, x: RealArray): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(x[i]);
  return s;
}

export function maxAbs(n: number, x: RealArray): number {
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}
