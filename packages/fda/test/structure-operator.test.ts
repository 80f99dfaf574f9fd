// The operator a declared 1D circulant stands for (structureOperator), applied by direct summation:
// equal to the dense circulant matrix times v (independent truth, to rounding), and bit for bit the
// sum its rounding bound describes — each output one sum of its taps' products in stencil order —
// at every output, the wrapped ones at both ends included, on grids shorter than the stencil too.
import { circulantStructure } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { structureOperator } from "../src/index.js";

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

describe("structureOperator: a 1D circulant", () => {
  for (const [N, offsets] of [
    [64, [0, 1, 2, 3, 7]],
    [5, [0, 1, 2]],
    [3, [0, 1]],
  ] as const) {
    it(`N = ${N}, offsets ±[${offsets.join(", ")}]: dense truth to rounding, and the per-tap sums bit for bit`, () => {
      const rand = lcg(N);
      // symmetric (the structure of KᵀK): the same value at +o and −o
      const taps = offsets.flatMap((o) => {
        const value = rand();
        return o === 0 ? [{ offset: [0], value }] : [{ offset: [o], value }, { offset: [-o], value }];
      });
      const structure = circulantStructure([N], taps);
      if (structure.kind !== "circulant") throw new Error(`expected a circulant, found ${structure.kind}`);
      const op = structureOperator(structure, [N]);
      expect(op).not.toBeNull();
      const v = Float64Array.from({ length: N }, rand);
      v[1] = 0;
      v[N - 1] = -0;
      const out = new Float64Array(N).fill(Number.NaN);
      op!.apply(v, out);
      // the structure as it holds the taps (its order), each output summed tap by tap from +0
      const { offsets: held, values } = structure.stencil;
      for (let i = 0; i < N; i++) {
        let dense = 0;
        let sum = 0;
        for (let k = 0; k < values.length; k++) {
          const j = (((i - held[k]) % N) + N) % N;
          sum += values[k] * v[j];
          dense += values[k] * v[j];
        }
        // the matrix: C[i][j] = Σ of the taps whose offset ≡ i − j (mod N)
        let matrix = 0;
        for (let j = 0; j < N; j++) {
          let c = 0;
          for (const t of taps) if ((((i - j - t.offset[0]) % N) + N) % N === 0) c += t.value;
          matrix += c * v[j];
        }
        expect(Math.abs(out[i] - matrix)).toBeLessThanOrEqual(1e-14 * (1 + Math.abs(matrix)));
        expect(Object.is(out[i], sum), `output ${i}: ${out[i]} against ${sum}`).toBe(true);
        expect(dense).toBe(sum);
      }
    });
  }
});
