import type { Band } from "@cflow/core";
import type { Block } from "./shift-class-probes.js";

/** Index arithmetic of periodised wavelet bands shared by the class-row probes and restrictions. */

/** Index of the band holding coefficient j (bands sorted by offset). */
export function bandIndexOf(bands: readonly Band[], j: number): number {
  let lo = 0;
  let hi = bands.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (bands[mid].offset <= j) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function mod(a: number, n: number): number {
  const r = a % n;
  return r < 0 ? r + n : r;
}

export function unflat(c: number, ext: readonly number[]): number[] {
  const out = new Array<number>(ext.length);
  for (let d = ext.length - 1; d >= 0; d--) {
    out[d] = c % ext[d];
    c = (c - out[d]) / ext[d];
  }
  return out;
}

export function flatIndex(k: readonly number[], shape: readonly number[]): number {
  let f = 0;
  for (let d = 0; d < shape.length; d++) f = f * shape[d] + k[d];
  return f;
}

/** Marks the box start + [0, len] (mod shape) along every axis. */
export function markAtom(mark: Uint8Array, shape: readonly number[], start: readonly number[], len: number): void {
  if (shape.length === 1) {
    const N = shape[0];
    for (let t = 0; t <= Math.min(len, N - 1); t++) mark[mod(start[0] + t, N)] = 1;
    return;
  }
  const [h, w] = shape;
  for (let a = 0; a <= Math.min(len, h - 1); a++) {
    const r = mod(start[0] + a, h) * w;
    for (let c = 0; c <= Math.min(len, w - 1); c++) mark[r + mod(start[1] + c, w)] = 1;
  }
}

/** Whether window entry t of a block is the representative's own coefficient (never dropped). */
export function isCentre(t: number, blk: Block, k: readonly number[], shape: readonly number[]): boolean {
  let rem = t;
  for (let d = blk.ext.length - 1; d >= 0; d--) {
    const td = rem % blk.ext[d];
    rem = (rem - td) / blk.ext[d];
    if (mod(blk.k0[d] + td, shape[d]) !== k[d]) return false;
  }
  return true;
}
