// applyStructure on a circulant (1D and 2D grids): equal to the dense circulant matrix times v
// (independent truth, to rounding), and bit for bit the sum its rounding bounds describe — each
// output one sum of the stencil's products in stencil order, from +0 — at every output, the ones
// whose sources wrap at either end of a row included, on grids shorter than the stencil too.
import { describe, expect, it } from "vitest";
import { applyStructure, circulantStructure, gridCoordinates } from "../src/ops/structure.js";

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

/** Offsets and their negatives with one value each (the symmetric stencil of a KᵀK). */
function symmetric(offsets: number[][], rand: () => number): { offset: number[]; value: number }[] {
  return offsets.flatMap((o) => {
    const value = rand();
    return o.every((c) => c === 0) ? [{ offset: o, value }] : [{ offset: o, value }, { offset: o.map((c) => -c), value }];
  });
}

const cases: { shape: number[]; offsets: number[][] }[] = [
  { shape: [64], offsets: [[0], [1], [2], [3], [7]] },
  { shape: [5], offsets: [[0], [1], [2]] },
  { shape: [3], offsets: [[0], [1]] },
  { shape: [6, 16], offsets: [[0, 0], [0, 1], [1, 0], [1, 2], [2, -3], [0, 6]] },
  { shape: [3, 3], offsets: [[0, 0], [1, 1], [0, 1]] },
  // rows long enough for the kernel's interior sweeps (four outputs, then single ones) between the wrapped ends
  { shape: [1031], offsets: [[0], [1], [2], [5], [11], [12]] },
  { shape: [7, 130], offsets: [[0, 0], [0, 1], [1, 3], [2, -9], [3, 4]] },
];

describe("applyStructure: a circulant", () => {
  for (const { shape, offsets } of cases) {
    it(`shape [${shape.join(", ")}]: dense truth to rounding, and the per-entry sums bit for bit`, () => {
      const rand = lcg(shape.reduce((a, b) => a * b, 7));
      const taps = symmetric(offsets, rand);
      const s = circulantStructure(shape, taps);
      if (s.kind !== "circulant") throw new Error(`expected a circulant, found ${s.kind}`);
      const n = shape.reduce((a, b) => a * b, 1);
      const v = Float64Array.from({ length: n }, rand);
      v[1] = 0;
      v[n - 1] = -0;
      const out = applyStructure(s, v, new Float64Array(n).fill(Number.NaN));
      const { offsets: held, values } = s.stencil;
      const wrap = (c: number[], d: number[]) => c.reduce((k, ci, a) => k * shape[a] + ((((ci - d[a]) % shape[a]) + shape[a]) % shape[a]), 0);
      for (let i = 0; i < n; i++) {
        const ci = gridCoordinates(shape, i);
        // the definition: (Cv)_i = Σ_k c_k v[i − s_k], summed in the stencil's order from +0
        let sum = 0;
        for (let k = 0; k < values.length; k++) sum += values[k] * v[wrap(ci, gridCoordinates(shape, held[k]))];
        // the matrix: C[i][j] = Σ of the taps whose offset ≡ i − j per axis
        let matrix = 0;
        for (let j = 0; j < n; j++) {
          let c = 0;
          for (const t of taps) if (wrap(ci, t.offset) === j) c += t.value;
          matrix += c * v[j];
        }
        expect(Math.abs(out[i] - matrix)).toBeLessThanOrEqual(1e-14 * (1 + Math.abs(matrix)));
        expect(Object.is(out[i], sum), `output ${i}: ${out[i]} against ${sum}`).toBe(true);
      }
    });
  }
});
