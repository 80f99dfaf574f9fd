/**
 * Counter-based, splittable randomness (Threefry-2x32, 20 rounds — the generator of Random123
 * and JAX). A key is two uint32 words and a plain value: it serialises into a checkpoint, and the
 * same key always yields the same draws. All randomness in cflow (probes, Lanczos starts, tuner)
 * derives from a run's key with `split` and `foldIn`.
 */
import type { Dtype, RealArray } from "./dtype.js";
import { CflowError } from "./errors.js";

export type RngKey = readonly [number, number];

// Domain separation: the second counter word tells apart the streams derived from one key.
const STREAM_BITS = 0;
const STREAM_SPLIT = 0x53504c54; // "SPLT"
const STREAM_FOLD = 0x464f4c44; // "FOLD"

const scratch = new Uint32Array(2);

/** Threefry-2x32 with 20 rounds: the block cipher of key `k` applied to counter (c0, c1). */
export function threefry2x32(k: RngKey, c0: number, c1: number): [number, number] {
  block(k[0] >>> 0, k[1] >>> 0, c0, c1, scratch, 0);
  return [scratch[0], scratch[1]];
}

/**
 * Writes the two output words of counter (c0, c1) under key (k0, k1) to out[at], out[at + 1]: five
 * groups of four rounds, the rotation constants 13 15 26 6 and 17 29 16 24 alternating, written out
 * (the hot loop of every draw: no table loads), and a key injection after each group.
 */
function block(k0: number, k1: number, c0: number, c1: number, out: Uint32Array, at: number): void {
  const k2 = (0x1bd11bda ^ k0 ^ k1) >>> 0;
  let x0 = ((c0 >>> 0) + k0) | 0;
  let x1 = ((c1 >>> 0) + k1) | 0;
  for (let s = 1; s <= 5; s++) {
    if (s & 1) {
      x0 = (x0 + x1) | 0;
      x1 = ((x1 << 13) | (x1 >>> 19)) ^ x0;
      x0 = (x0 + x1) | 0;
      x1 = ((x1 << 15) | (x1 >>> 17)) ^ x0;
      x0 = (x0 + x1) | 0;
      x1 = ((x1 << 26) | (x1 >>> 6)) ^ x0;
      x0 = (x0 + x1) | 0;
      x1 = ((x1 << 6) | (x1 >>> 26)) ^ x0;
    } else {
      x0 = (x0 + x1) | 0;
      x1 = ((x1 << 17) | (x1 >>> 15)) ^ x0;
      x0 = (x0 + x1) | 0;
      x1 = ((x1 << 29) | (x1 >>> 3)) ^ x0;
      x0 = (x0 + x1) | 0;
      x1 = ((x1 << 16) | (x1 >>> 16)) ^ x0;
      x0 = (x0 + x1) | 0;
      x1 = ((x1 << 24) | (x1 >>> 8)) ^ x0;
    }
    // key injection s: words ks[s mod 3], ks[(s + 1) mod 3] + s
    const m = s % 3;
    x0 = (x0 + (m === 0 ? k0 : m === 1 ? k1 : k2)) | 0;
    x1 = (x1 + (m === 0 ? k1 : m === 1 ? k2 : k0) + s) | 0;
  }
  out[at] = x0;
  out[at + 1] = x1;
}

/** A key from an integer seed (0 ≤ seed < 2^53). */
export function rngKey(seed: number): RngKey {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new CflowError("BAD_SEED", `rngKey: expected a non-negative safe integer seed, found ${seed}`, { expected: "integer in [0, 2^53)", found: seed });
  }
  return [Math.floor(seed / 4294967296) >>> 0, seed >>> 0];
}

/** `n` independent child keys. */
export function split(k: RngKey, n = 2): RngKey[] {
  const out: RngKey[] = [];
  for (let i = 0; i < n; i++) out.push(threefry2x32(k, i, STREAM_SPLIT));
  return out;
}

/** A key derived from `k` and an integer (an iteration number, a trial id, a stream name's hash). */
export function foldIn(k: RngKey, data: number): RngKey {
  return threefry2x32(k, data >>> 0, STREAM_FOLD ^ (Math.floor(data / 4294967296) >>> 0));
}

/** `n` random 32-bit words. */
export function randomBits(k: RngKey, n: number): Uint32Array {
  const out = new Uint32Array(n + (n % 2));
  for (let i = 0; i < n; i += 2) block(k[0] >>> 0, k[1] >>> 0, i >>> 1, STREAM_BITS, out, i);
  return n % 2 ? out.subarray(0, n) : out;
}

/** Fills `out` with ±1, one random bit each (the bits of `randomBits(k, ⌈n/32⌉)`, lowest first). */
export function rademacher<T extends RealArray>(k: RngKey, out: T): T {
  const n = out.length;
  const bits = randomBits(k, Math.ceil(n / 32));
  // word by word in a function of its own: run once per call, a loop over every entry ran mostly
  // before V8 had compiled it
  for (let w = 0; w < bits.length; w++) signs(out, w << 5, Math.min(n, (w + 1) << 5), bits[w]);
  return out;
}

/** out[i] ← ±1 for i in [from, to): bit i − from of `word` set gives +1. */
function signs(out: RealArray, from: number, to: number, word: number): void {
  for (let i = from; i < to; i++) out[i] = (word >>> (i - from)) & 1 ? 1 : -1;
}

/** `n` uniform draws in [0, 1), each from 53 random bits. */
export function uniform(k: RngKey, n: number, dtype: Dtype = "float64"): RealArray {
  const out = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  const w = new Uint32Array(2);
  for (let i = 0; i < n; i++) {
    block(k[0] >>> 0, k[1] >>> 0, i, STREAM_BITS, w, 0);
    out[i] = ((w[0] >>> 5) * 67108864 + (w[1] >>> 6)) / 9007199254740992;
  }
  if (dtype === "float32") for (let i = 0; i < n; i++) if (out[i] >= 1) out[i] = 0.99999994; // rounding up to 1
  return out;
}

/** `n` standard normal draws (Box–Muller on pairs of uniforms). */
export function normal(k: RngKey, n: number, dtype: Dtype = "float64"): RealArray {
  const u = uniform(k, n + (n % 2), "float64");
  // float64 of even length: each pair of draws replaces the pair of uniforms it was computed from
  const out = dtype === "float32" ? new Float32Array(n) : n % 2 === 0 ? u : new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u[i])); // 1 − u ∈ (0, 1]
    const t = 2 * Math.PI * u[i + 1];
    out[i] = r * Math.cos(t);
    if (i + 1 < n) out[i + 1] = r * Math.sin(t);
  }
  return out;
}

/** Whether a value is a well-formed key (two uint32 words), e.g. when read back from a checkpoint. */
export function isRngKey(v: unknown): v is RngKey {
  return Array.isArray(v) && v.length === 2 && v.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff);
}
