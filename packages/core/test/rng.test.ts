import { describe, expect, it } from "vitest";
import { foldIn, normal, rademacher, randomBits, rngKey, split, threefry2x32, uniform } from "../src/rng.js";

describe("threefry2x32", () => {
  // Known-answer vectors from Random123 (kat_vectors: threefry2x32 20 ctr key → out).
  it.each([
    [[0, 0], [0, 0], [0x6b200159, 0x99ba4efe]],
    [[0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x1cb996fc, 0xbb002be7]],
    [[0x243f6a88, 0x85a308d3], [0x13198a2e, 0x03707344], [0xc4923a9c, 0x483df7a0]],
  ])("ctr %j key %j", (ctr, key, out) => {
    expect(threefry2x32([key[0], key[1]], ctr[0], ctr[1])).toEqual(out);
  });
});

describe("keys", () => {
  it("are deterministic and independent across split/foldIn", () => {
    const k = rngKey(42);
    expect(split(k, 3)).toEqual(split(rngKey(42), 3));
    const [a, b] = split(k);
    expect(a).not.toEqual(b);
    expect(foldIn(k, 1)).not.toEqual(foldIn(k, 2));
    expect(foldIn(k, 1)).not.toEqual(split(k, 2)[1]);
    expect(Array.from(randomBits(a, 5))).not.toEqual(Array.from(randomBits(b, 5)));
  });

  it("reject bad seeds with the value found", () => {
    expect(() => rngKey(-1)).toThrow(/found -1/);
    expect(() => rngKey(1.5)).toThrow(/found 1.5/);
  });

  it("give uniform and normal draws with the right moments", () => {
    const n = 200_000;
    const u = uniform(rngKey(1), n);
    let m = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of u) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      m += v;
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    expect(Math.abs(m / n - 0.5)).toBeLessThan(0.005);
    const z = normal(rngKey(2), n);
    let s = 0;
    let s2 = 0;
    for (const v of z) {
      s += v;
      s2 += v * v;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.01);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.02);
    // Box–Muller of the stream's uniforms, pair by pair, at an even and an odd length
    for (const len of [8, 7]) {
      const un = uniform(rngKey(2), 8);
      const zn = normal(rngKey(2), len);
      expect(zn).toHaveLength(len);
      for (let i = 0; i < len; i++) {
        const r = Math.sqrt(-2 * Math.log(1 - un[i - (i % 2)]));
        const t = 2 * Math.PI * un[i - (i % 2) + 1];
        expect(zn[i]).toBe(i % 2 === 0 ? r * Math.cos(t) : r * Math.sin(t));
      }
    }
    const z32 = normal(rngKey(2), 7, "float32");
    expect(z32).toBeInstanceOf(Float32Array);
    expect(Array.from(z32)).toEqual(Array.from(Float32Array.from(normal(rngKey(2), 7))));
  });

  it("give Rademacher signs from one random word per 32 entries, balanced, in either dtype", () => {
    const n = 100_003;
    const r = rademacher(rngKey(3), new Float64Array(n));
    const words = randomBits(rngKey(3), Math.ceil(n / 32));
    let sum = 0;
    for (let i = 0; i < n; i++) {
      expect(r[i]).toBe((words[i >>> 5] >>> (i & 31)) & 1 ? 1 : -1);
      sum += r[i];
    }
    // a sum of n independent signs: |Σ| ≤ 5√n but for a 6e-7 chance
    expect(Math.abs(sum)).toBeLessThan(5 * Math.sqrt(n));
    expect(Array.from(rademacher(rngKey(3), new Float32Array(40)))).toEqual(Array.from(r.subarray(0, 40)));
    expect(Array.from(rademacher(rngKey(4), new Float64Array(40)))).not.toEqual(Array.from(r.subarray(0, 40)));
  });
});
