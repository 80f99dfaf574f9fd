// The operator a declared 1D circulant stands for (structureOperator) against the direct circular
// convolution Σ_k c_k v[(i − o_k) mod N], summed tap by tap in the stencil's order: bit for bit on
// dense vectors and on sparse probes (a few atoms, some near the wrap-around).
import { circulantStructure } from "@cflow/core";
import { mulberry32 } from "@cflow/test-kit";
import { describe, expect, it } from "vitest";
import { structureOperator } from "../src/index.js";

function direct(offsets: Int32Array, values: Float64Array, v: Float64Array): Float64Array {
  const N = v.length;
  const out = new Float64Array(N);
  for (let k = 0; k < values.length; k++) {
    for (let i = 0; i < N; i++) out[i] += values[k] * v[(((i - offsets[k]) % N) + N) % N];
  }
  return out;
}

describe("structureOperator: 1D circulant", () => {
  const N = 512;
  const rand = mulberry32(11);
  const entries: { offset: number[]; value: number }[] = [];
  for (let o = 0; o <= 7; o++) {
    const value = rand() - 0.3;
    entries.push({ offset: [o], value });
    if (o > 0) entries.push({ offset: [-o], value });
  }
  const s = circulantStructure([N], entries);
  if (s.kind !== "circulant") throw new Error("expected a circulant");
  const op = structureOperator(s, [N])!;
  const offsets = s.stencil.offsets;
  const values = s.stencil.values;

  const vectors: [string, Float64Array][] = [
    ["dense", Float64Array.from({ length: N }, () => rand() - 0.5)],
    ["sparse, atoms at both ends and in the middle", Float64Array.from({ length: N }, (_, i) => (i < 3 || i > N - 4 || (i > 200 && i < 230) ? rand() - 0.5 : 0))],
    ["one non-zero at 0", Float64Array.from({ length: N }, (_, i) => (i === 0 ? 1 : 0))],
    ["zero (with −0 entries)", Float64Array.from({ length: N }, (_, i) => (i % 3 === 0 ? -0 : 0))],
    ["a NaN", Float64Array.from({ length: N }, (_, i) => (i === 300 ? Number.NaN : 0))],
  ];
  it.each(vectors)("%s: equal to the direct sum bit for bit", (_, v) => {
    const out = new Float64Array(N).fill(7);
    op.apply(v, out);
    const ref = direct(offsets, values, v);
    for (let i = 0; i < N; i++) expect(Object.is(out[i], ref[i]), `output ${i}: ${out[i]} vs ${ref[i]}`).toBe(true);
  });
});
