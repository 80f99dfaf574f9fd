import { describe, expect, it } from "vitest";
import { DTYPES, type Dtype, type RealArray } from "../src/dtype.js";
import { CflowError, DtypeError } from "../src/errors.js";
import { createTransform } from "../src/transforms/create.js";
import { lensProbe } from "../src/transforms/lens.js";
import type { TransformOp } from "../src/transforms/transform.js";

function signal(dtype: Dtype, n: number, f: (t: number, i: number) => number): RealArray {
  const a = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = f(i / n, i);
  return a;
}

describe.each(DTYPES)("lensProbe (%s)", (dtype) => {
  const N = 256;
  const make = (...names: string[]): TransformOp[] => names.map((name) => createTransform(name, { shape: [N], levels: name === "identity" ? undefined : 5, dtype }));

  it("scores the identity exactly: energy of the k largest samples, error of keeping them", () => {
    // x_i = i + 1: the 13 (= ⌈0.05·256⌉) largest are 244..256
    const x = signal(dtype, N, (_, i) => i + 1);
    const [I] = make("identity");
    const { scores } = lensProbe([I], x, { keepFraction: 0.05, targetSparsity: 0.05 });
    const sq = (a: number, b: number) => {
      let s = 0;
      for (let v = a; v <= b; v++) s += v * v;
      return s;
    };
    expect(scores[0].compressibility).toBeCloseTo(sq(244, 256) / sq(1, 256), 6);
    expect(scores[0].reconstructionError).toBeCloseTo(Math.sqrt(sq(1, 243) / sq(1, 256)), 6);
    I.dispose();
  });

  it("picks Haar for a piecewise-constant signal, db4 for a smooth one, the identity for spikes", () => {
    const cands = make("db4", "identity", "haar");
    const steps = signal(dtype, N, (t) => (t < 0.25 ? 1 : t < 0.5 ? -2 : t < 0.625 ? 3 : 0.5));
    const smooth = signal(dtype, N, (t) => Math.sin(2 * Math.PI * t) + 0.5 * Math.cos(6 * Math.PI * t));
    const spikes = signal(dtype, N, (_, i) => (i % 37 === 5 ? 1 + (i % 3) : 0));
    expect(lensProbe(cands, steps, { keepFraction: 0.05 }).winner).toBe("haar");
    expect(lensProbe(cands, smooth, { keepFraction: 0.02 }).winner).toBe("db4");
    const r = lensProbe(cands, spikes, { keepFraction: 0.05 });
    expect(r.winner).toBe("identity");
    expect(r.scores[0]).toMatchObject({ name: "identity", compressibility: 1, reconstructionError: 0, rank: 1 });
    expect(r.scores.map((s) => s.rank)).toEqual([1, 2, 3]);
    for (const W of cands) W.dispose();
  });

  it("breaks exact ties by name, whatever the candidates' order", () => {
    const [H] = make("haar");
    // the same transform under another name: identical scores
    const alias = Object.create(H, { name: { value: "a-haar-alias" } }) as TransformOp;
    const x = signal(dtype, N, (t) => t * t - t);
    const one = lensProbe([H, alias], x);
    const two = lensProbe([alias, H], x);
    expect(one.winner).toBe("a-haar-alias");
    expect(two).toEqual(one);
    expect(one.scores[0].compressibility).toBe(one.scores[1].compressibility);
    H.dispose();
  });

  it("refuses bad options and mismatched samples", () => {
    const [H] = make("haar");
    const x = signal(dtype, N, (t) => t);
    expect(() => lensProbe([], x)).toThrow(CflowError);
    expect(() => lensProbe([H], x, { keepFraction: 0 })).toThrow(/keepFraction must be in \(0, 1\]/);
    expect(() => lensProbe([H], x, { targetSparsity: 2 })).toThrow(/targetSparsity/);
    expect(() => lensProbe([H, H], x)).toThrow(/appears twice/);
    expect(() => lensProbe([H], signal(dtype === "float64" ? "float32" : "float64", N, (t) => t))).toThrow(DtypeError);
    expect(() => lensProbe([H], signal(dtype, N + 2, (t) => t))).toThrow(/shape mismatch/);
    H.dispose();
  });
});
