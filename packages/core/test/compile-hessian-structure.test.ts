// CompiledFlow.hessianStructure: the smooth terms' declared Hessian structures summed per slot
// and stacked over slots, checked against L_apply (what the certificates apply) on random vectors.
import { describe, expect, it } from "vitest";
import { compileFlow } from "../src/compiler/compile.js";
import { DTYPES, type Dtype } from "../src/dtype.js";
import { applyStructure } from "../src/ops/structure.js";
import { defineFlow } from "../src/spec/define.js";
import type { CompiledFlow } from "../src/compiler/types.js";
import { mulberry32, randomArray } from "@cflow/test-kit";

function expectMatchesLApply(c: CompiledFlow, seed: number): void {
  const s = c.hessianStructure();
  expect(s).not.toBeNull();
  const rand = mulberry32(seed);
  const v = randomArray(c.dtype, c.n, rand);
  const out = c.dtype === "float64" ? new Float64Array(c.n) : new Float32Array(c.n);
  c.L_apply(v, out);
  const ref = applyStructure(s!, v, new Float64Array(c.n));
  let err = 0;
  let scale = 0;
  for (let i = 0; i < c.n; i++) {
    err = Math.max(err, Math.abs(out[i] - ref[i]));
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  expect(err).toBeLessThanOrEqual((c.dtype === "float64" ? 1e-12 : 1e-5) * scale);
}

describe.each(DTYPES)("hessianStructure (%s)", (dtype: Dtype) => {
  const rand = mulberry32(23);
  const arr = (n: number) => randomArray(dtype, n, rand);

  it("least squares through a circular blur plus Tikhonov is one circulant", () => {
    const spec = defineFlow({
      dtype,
      state: { x: { shape: [16, 16] } },
      data: { y: arr(256), psf: arr(9) },
      ops: { K: { type: "conv2d", kernel: "psf", shape: [16, 16], boundary: "circular" } },
      terms: [
        { kind: "data", atom: "leastSquares", op: "K", target: "y" },
        { kind: "regularizer", atom: "tikhonov", weight: 0.3 },
      ],
    });
    const { compiled } = compileFlow(spec, { dtype });
    expect(compiled.hessianStructure()?.kind).toBe("circulant");
    expectMatchesLApply(compiled, 1);
    compiled.dispose();
  });

  it("identity least squares is a scaled identity; slots stack into a block diagonal", () => {
    const w = Float64Array.from({ length: 7 }, () => 0.5 + rand());
    const spec = defineFlow({
      dtype,
      state: { a: { shape: [5] }, b: { shape: [7] }, c: { shape: [3] } },
      data: { ya: arr(5), yb: arr(7), w: dtype === "float64" ? w : Float32Array.from(w) },
      terms: [
        { kind: "data", atom: "leastSquares", target: "ya", slot: "a", weight: 2 },
        { kind: "data", atom: "weightedLeastSquares", target: "yb", slot: "b", params: { weights: "w" } },
        { kind: "regularizer", atom: "tikhonov", slot: "b", weight: 0.1 },
      ],
    });
    const { compiled } = compileFlow(spec, { dtype });
    const s = compiled.hessianStructure()!;
    expect(s.kind).toBe("blockDiagonal");
    if (s.kind !== "blockDiagonal") return;
    // slot c has no smooth term: a zero block
    expect(s.blocks.map((b) => [b.offset, b.structure.kind])).toEqual([
      [0, "scaledIdentity"],
      [5, "diagonal"],
      [12, "scaledIdentity"],
    ]);
    expect(s.blocks[0].structure).toMatchObject({ scale: 2 });
    expect(s.blocks[2].structure).toMatchObject({ scale: 0 });
    expectMatchesLApply(compiled, 2);
    compiled.dispose();
  });

  it("is null when a term's Hessian has no declared structure (dense op, Huber)", () => {
    const dense = defineFlow({
      dtype,
      state: { x: { shape: [6] } },
      data: { y: arr(6), A: arr(36) },
      ops: { A: { type: "dense", matrix: "A", rows: 6, cols: 6 } },
      terms: [
        { kind: "data", atom: "leastSquares", op: "A", target: "y" },
        { kind: "regularizer", atom: "tikhonov", weight: 0.3 },
      ],
    });
    const huber = defineFlow({
      dtype,
      state: { x: { shape: [6] } },
      data: { y: arr(6) },
      terms: [{ kind: "data", atom: "huber", target: "y", params: { delta: 0.5 } }],
    });
    for (const spec of [dense, huber]) {
      const { compiled } = compileFlow(spec, { dtype });
      expect(compiled.hessianStructure()).toBeNull();
      compiled.dispose();
    }
  });
});
