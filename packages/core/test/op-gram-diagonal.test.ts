// Op.gramDiagonal (diag AᵀA, the squared column norms) against the columns A e_j each op
// actually produces, and its absence where the diagonal is position-dependent.
import { describe, expect, it } from "vitest";
import { DTYPES, type Dtype } from "../src/dtype.js";
import { conv1d, conv2d } from "../src/ops/conv.js";
import { denseOp } from "../src/ops/dense.js";
import { diagonalOp } from "../src/ops/diagonal.js";
import { identityOp } from "../src/ops/identity.js";
import { maskOp } from "../src/ops/mask.js";
import type { Op } from "../src/ops/op.js";
import { scalingOp } from "../src/ops/scaling.js";
import { mulberry32, randomArray } from "@cflow/test-kit";

/** ‖A e_j‖² for every j, by applying the op to unit vectors. */
function columnNorms(op: Op): number[] {
  const n = op.inShape.reduce((a, b) => a * b, 1);
  const e = op.dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  return Array.from({ length: n }, (_, j) => {
    e.fill(0);
    e[j] = 1;
    const col = op.apply(e);
    let s = 0;
    for (const v of col) s += v * v;
    return s;
  });
}

describe.each(DTYPES)("gramDiagonal (%s)", (dtype: Dtype) => {
  const rand = mulberry32(9);
  const tol = dtype === "float64" ? 1e-12 : 1e-5;
  const cases: [string, () => Op][] = [
    ["dense 7×5", () => denseOp(randomArray(dtype, 35, rand), { rows: 7, cols: 5, dtype })],
    ["diagonal", () => diagonalOp(randomArray(dtype, 9, rand), { dtype })],
    ["mask", () => maskOp([1, 0, 1, 1, 0, 0, 1], { dtype })],
    ["identity", () => identityOp([3, 4], { dtype })],
    ["scaling −2.5", () => scalingOp(-2.5, [6], { dtype })],
    ["circular conv1d, 5 taps on 16", () => conv1d(randomArray(dtype, 5, rand), { shape: [16], boundary: "circular", dtype })],
    // 7 taps on 4 samples: the kernel wraps onto itself, columns are folded sums
    ["circular conv1d wrapping, 7 taps on 4", () => conv1d(randomArray(dtype, 7, rand), { shape: [4], boundary: "circular", dtype })],
    ["circular conv2d by FFT, 3×3 on 8×8", () => conv2d(randomArray(dtype, 9, rand), { shape: [8, 8], boundary: "circular", method: "fft", dtype })],
    ["circular conv2d separable, on 6×5", () => conv2d({ row: randomArray(dtype, 3, rand), col: randomArray(dtype, 5, rand) }, { shape: [6, 5], boundary: "circular", dtype })],
  ];

  it.each(cases)("%s: equals the squared column norms", (_name, make) => {
    const op = make();
    const d = op.gramDiagonal!();
    const want = columnNorms(op);
    expect(d).toBeInstanceOf(Float64Array);
    expect(d.length).toBe(want.length);
    const scale = Math.max(...want, 1e-300);
    for (let j = 0; j < want.length; j++) expect(Math.abs(d[j] - want[j])).toBeLessThanOrEqual(tol * scale);
    op.dispose();
  });

  it("zero-boundary convolutions do not offer it (their column norms depend on the position)", () => {
    const op = conv1d(randomArray(dtype, 5, rand), { shape: [16], boundary: "zero", dtype });
    expect(op.gramDiagonal).toBeUndefined();
    op.dispose();
  });
});
