// Op.gramStructure (the declared structure of AᵀA) against AᵀA formed column by column from the
// op's own apply and adjoint, and the structure algebra (sums, scaling, Kronecker products)
// against dense matrices.
import { describe, expect, it } from "vitest";
import { DTYPES, type Dtype } from "../src/dtype.js";
import { CflowError } from "../src/errors.js";
import { conv1d, conv2d } from "../src/ops/conv.js";
import { denseOp } from "../src/ops/dense.js";
import { diagonalOp } from "../src/ops/diagonal.js";
import { identityOp } from "../src/ops/identity.js";
import { asPlanOp } from "../src/ops/js-op.js";
import { maskOp } from "../src/ops/mask.js";
import type { Op } from "../src/ops/op.js";
import { scalingOp } from "../src/ops/scaling.js";
import {
  type LinearStructure,
  addStructures,
  applyStructure,
  blockDiagonalStructure,
  circulantStructure,
  diagonalStructure,
  kroneckerStructure,
  scaleStructure,
  scaledIdentity,
  structureSize,
} from "../src/ops/structure.js";
import { subsampleOp } from "../src/ops/subsample.js";
import { vstack } from "../src/ops/vstack.js";
import { mulberry32, randomArray } from "@cflow/test-kit";

/** AᵀA as a dense row-major matrix, column j = Aᵀ(A e_j). */
function denseGram(op: Op): Float64Array {
  const n = op.inShape.reduce((a, b) => a * b, 1);
  const e = op.dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  const g = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    const col = op.adjoint(op.apply(e));
    for (let i = 0; i < n; i++) g[i * n + j] = col[i];
  }
  return g;
}

/** A structure as a dense matrix, by applying it to unit vectors. */
function denseOf(s: LinearStructure): Float64Array {
  const n = structureSize(s);
  const e = new Float64Array(n);
  const y = new Float64Array(n);
  const m = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    applyStructure(s, e, y);
    for (let i = 0; i < n; i++) m[i * n + j] = y[i];
  }
  return m;
}

function expectMatrixClose(a: Float64Array, b: Float64Array, tol: number): void {
  expect(a.length).toBe(b.length);
  let scale = 0;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let err = 0;
  for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i] - b[i]));
  expect(err).toBeLessThanOrEqual(tol * Math.max(scale, 1e-300));
}

describe.each(DTYPES)("gramStructure (%s)", (dtype: Dtype) => {
  const rand = mulberry32(17);
  const tol = dtype === "float64" ? 1e-12 : 1e-5;
  const cases: [string, LinearStructure["kind"], () => Op][] = [
    ["identity", "scaledIdentity", () => identityOp([3, 4], { dtype })],
    ["scaling −2.5", "scaledIdentity", () => scalingOp(-2.5, [6], { dtype })],
    ["diagonal", "diagonal", () => diagonalOp(randomArray(dtype, 9, rand), { dtype })],
    ["mask", "diagonal", () => maskOp([1, 0, 1, 1, 0, 0, 1], { dtype })],
    ["subsample with a repeated index", "diagonal", () => subsampleOp([4, 0, 2, 4], { inShape: [6], dtype })],
    ["circular conv1d, 5 taps on 16 (direct)", "circulant", () => conv1d(randomArray(dtype, 5, rand), { shape: [16], boundary: "circular", method: "direct", dtype })],
    ["circular conv1d, 4 taps on 16 (FFT, even length)", "circulant", () => conv1d(randomArray(dtype, 4, rand), { shape: [16], boundary: "circular", method: "fft", dtype })],
    ["circular conv1d wrapping, 7 taps on 4", "circulant", () => conv1d(randomArray(dtype, 7, rand), { shape: [4], boundary: "circular", dtype })],
    ["circular conv2d by FFT, 3×3 on 8×8", "circulant", () => conv2d(randomArray(dtype, 9, rand), { shape: [8, 8], boundary: "circular", method: "fft", dtype })],
    ["circular conv2d, 2×3 on 5×6", "circulant", () => conv2d(randomArray(dtype, 6, rand), { shape: [5, 6], boundary: "circular", kernelShape: [2, 3], dtype })],
    ["circular conv2d separable, on 6×5", "kronecker", () => conv2d({ row: randomArray(dtype, 3, rand), col: randomArray(dtype, 5, rand) }, { shape: [6, 5], boundary: "circular", dtype })],
  ];

  it.each(cases)("%s: declares a %s equal to AᵀA", (_name, kind, make) => {
    const op = make();
    const s = op.gramStructure!();
    expect(s?.kind).toBe(kind);
    expectMatrixClose(denseOf(s!), denseGram(op), tol);
    op.dispose();
  });

  it("[A; B] declares AᵀA + BᵀB when both blocks declare theirs, null otherwise", () => {
    const n = 12;
    const k = conv1d(randomArray(dtype, 3, rand), { shape: [n], boundary: "circular", dtype });
    const s = scalingOp(0.7, [n], { dtype });
    const stacked = vstack(k, s);
    const g = stacked.gramStructure();
    expect(g?.kind).toBe("circulant");
    expectMatrixClose(denseOf(g!), denseGram(stacked), tol);
    const d = denseOp(randomArray(dtype, n * n, rand), { rows: n, cols: n, dtype });
    expect(vstack(k, d).gramStructure()).toBeNull();
    for (const o of [k, s, stacked, d]) o.dispose();
  });

  it("zero-boundary convolutions and dense matrices declare nothing", () => {
    const z = conv1d(randomArray(dtype, 5, rand), { shape: [16], boundary: "zero", dtype });
    expect(z.gramStructure()).toBeNull();
    const d = denseOp(randomArray(dtype, 12, rand), { rows: 3, cols: 4, dtype });
    expect((d as Op).gramStructure).toBeUndefined();
    z.dispose();
    d.dispose();
  });

  it("a user-written op passes its own declaration through", () => {
    const op = asPlanOp({
      dtype,
      inShape: [5],
      outShape: [5],
      apply: (x) => x.map((v) => 3 * v),
      adjoint: (y) => y.map((v) => 3 * v),
      gramStructure: () => scaledIdentity(5, 9),
    });
    expect(op.gramStructure?.()).toEqual(scaledIdentity(5, 9));
  });
});

describe("structure algebra", () => {
  const rand = mulberry32(5);
  const circ = (shape: number[]) => {
    // a random symmetric stencil: c[s] = c[−s]
    const entries: { offset: number[]; value: number }[] = [{ offset: shape.map(() => 0), value: 3 + rand() }];
    for (let k = 0; k < 3; k++) {
      const off = shape.map((d) => Math.floor(rand() * d));
      const v = rand() - 0.5;
      entries.push({ offset: off, value: v }, { offset: off.map((x) => -x), value: v });
    }
    return circulantStructure(shape, entries);
  };
  const add = (a: Float64Array, b: Float64Array) => a.map((v, i) => v + b[i]);

  it("sums keep the structure and equal the dense sums", () => {
    const c1 = circ([4, 5]);
    const c2 = circ([4, 5]);
    const d = diagonalStructure(Array.from({ length: 20 }, () => rand()));
    const cases: [LinearStructure, LinearStructure, LinearStructure["kind"]][] = [
      [scaledIdentity(20, 2), scaledIdentity(20, 0.5), "scaledIdentity"],
      [scaledIdentity(20, 2), d, "diagonal"],
      [d, d, "diagonal"],
      [c1, scaledIdentity(20, 0.25), "circulant"],
      [scaledIdentity(20, 0.25), c1, "circulant"],
      [c1, c2, "circulant"],
      [kroneckerStructure([circ([4]), circ([5])]), scaledIdentity(20, 1), "circulant"],
    ];
    for (const [a, b, kind] of cases) {
      const s = addStructures(a, b)!;
      expect(s.kind).toBe(kind);
      expectMatrixClose(denseOf(s), add(denseOf(a), denseOf(b)), 1e-14);
    }
    expect(addStructures(c1, d)).toBeNull();
    expect(addStructures(kroneckerStructure([d, scaledIdentity(1, 1)]), c1)).toBeNull();
  });

  it("block diagonals add blockwise and scale", () => {
    const a = blockDiagonalStructure([scaledIdentity(3, 1), circ([6])]);
    const b = blockDiagonalStructure([diagonalStructure([1, 2, 3]), scaledIdentity(6, 2)]);
    const s = addStructures(a, b)!;
    expect(s.kind).toBe("blockDiagonal");
    expectMatrixClose(denseOf(s), add(denseOf(a), denseOf(b)), 1e-14);
    expectMatrixClose(denseOf(scaleStructure(s, -1.5)), denseOf(s).map((v) => -1.5 * v), 1e-14);
  });

  it("a Kronecker product applies as the dense one (A on the slow axis)", () => {
    const A = circ([3]);
    const B = diagonalStructure([1, 2, 4, 8]);
    const K = kroneckerStructure([A, B]);
    const a = denseOf(A);
    const b = denseOf(B);
    const want = new Float64Array(144);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) for (let l = 0; l < 4; l++) want[(i * 4 + k) * 12 + (j * 4 + l)] = a[i * 3 + j] * b[k * 4 + l];
    expectMatrixClose(denseOf(K), want, 1e-15);
    expectMatrixClose(denseOf(scaleStructure(K, 2)), want.map((v) => 2 * v), 1e-15);
  });

  it("refuses an asymmetric circulant column, naming the entry", () => {
    expect(() => circulantStructure([8], [{ offset: [0], value: 2 }, { offset: [1], value: 1 }])).toThrow(CflowError);
    expect(() => circulantStructure([8], [{ offset: [0], value: 2 }, { offset: [1], value: 1 }])).toThrow(/not symmetric: c\[1\] = 1 but its mirror is 0/);
  });
});
