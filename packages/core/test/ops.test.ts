import { describe, expect, it } from "vitest";
import { type Dtype, DTYPES, type RealArray, shapeSize } from "../src/dtype.js";
import { Kernel, PlanBuilder } from "../src/kernel/index.js";
import {
  type Op,
  compose,
  csrOp,
  denseOp,
  diagonalOp,
  identityOp,
  maskOp,
  scalingOp,
  subsampleOp,
  sumOp,
  vstack,
} from "../src/ops/index.js";
import { type Dense, matmul, spectralNorm } from "./dense-eig.js";
import { parityTol } from "./helpers.js";
import { expectArrayClose, mulberry32, randomArray } from "@cflow/test-kit";

interface Case {
  op: Op;
  /** The matrix the op should be, built independently from the same data. */
  expected: Dense;
  /** Whether normHint is exact (otherwise an upper bound). */
  hintExact?: boolean;
  /** Children to dispose after the composite. */
  parts?: Op[];
}

type Builder = (dtype: Dtype, rand: () => number, size: number) => Case;

const toDense = (a: RealArray, rows: number, cols: number): Dense => Array.from({ length: rows }, (_, i) => Array.from(a.subarray(i * cols, (i + 1) * cols)));
const eye = (n: number, s = 1): Dense => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? s : 0)));
const diag = (d: ArrayLike<number>): Dense => Array.from({ length: d.length }, (_, i) => Array.from({ length: d.length }, (_, j) => (i === j ? d[i] : 0)));
const add = (A: Dense, B: Dense): Dense => A.map((r, i) => r.map((x, j) => x + B[i][j]));

function randomDense(dtype: Dtype, rand: () => number, rows: number, cols: number): { op: Op; M: Dense } {
  const a = randomArray(dtype, rows * cols, rand);
  return { op: denseOp(a, { rows, cols, dtype }), M: toDense(a, rows, cols) };
}

function randomCsr(dtype: Dtype, rand: () => number, rows: number, cols: number): { op: Op; M: Dense } {
  const indptr = [0];
  const indices: number[] = [];
  const M: Dense = Array.from({ length: rows }, () => new Array(cols).fill(0));
  const values = randomArray(dtype, rows * 4, rand);
  for (let i = 0; i < rows; i++) {
    const nnz = i % 5 === 2 ? 0 : 1 + Math.floor(rand() * 3);
    for (let k = 0; k < nnz; k++) {
      const j = Math.floor(rand() * cols);
      M[i][j] += values[indices.length]; // a repeated column adds up, as in scipy
      indices.push(j);
    }
    indptr.push(indices.length);
  }
  const vals = values.slice(0, indices.length);
  return { op: csrOp({ indptr, indices, values: vals }, { rows, cols, dtype }), M };
}

const CASES: Record<string, Builder> = {
  identity: (dtype, _r, s) => ({ op: identityOp([2, 2 * s], { dtype }), expected: eye(4 * s), hintExact: true }),
  scaling: (dtype, _r, s) => ({ op: scalingOp(-1.75, 3 * s + 2, { dtype }), expected: eye(3 * s + 2, -1.75), hintExact: true }),
  diagonal: (dtype, rand, s) => {
    const d = randomArray(dtype, 4 * s + 1, rand);
    return { op: diagonalOp(d, { dtype }), expected: diag(d), hintExact: true };
  },
  "diagonal on a 2D shape": (dtype, rand, s) => {
    const d = randomArray(dtype, 6 * s, rand);
    return { op: diagonalOp(d, { dtype, shape: [2, 3 * s] }), expected: diag(d), hintExact: true };
  },
  "dense (wide)": (dtype, rand, s) => {
    const { op, M } = randomDense(dtype, rand, 5 * s, 7 * s + 2);
    return { op, expected: M };
  },
  "dense (tall)": (dtype, rand, s) => {
    const { op, M } = randomDense(dtype, rand, 9 * s + 1, 3 * s);
    return { op, expected: M };
  },
  csr: (dtype, rand, s) => {
    const { op, M } = randomCsr(dtype, rand, 6 * s, 9 * s + 1);
    return { op, expected: M };
  },
  mask: (dtype, rand, s) => {
    const m = Array.from({ length: 10 * s }, (_, i) => (i === 0 || rand() < 0.5 ? 1 : 0));
    return { op: maskOp(m, { dtype }), expected: diag(m), hintExact: true };
  },
  subsample: (dtype, rand, s) => {
    const n = 12 * s;
    const idx = [n - 1, 0, 5, 5, 7, ...Array.from({ length: 3 * s }, () => Math.floor(rand() * n))];
    const S = idx.map((i) => Array.from({ length: n }, (_, j) => (j === i ? 1 : 0)));
    return { op: subsampleOp(idx, { inShape: [3, 4 * s], dtype }), expected: S, hintExact: true };
  },
  "compose(dense, diagonal)": (dtype, rand, s) => {
    const A = randomDense(dtype, rand, 4 * s, 6 * s);
    const d = randomArray(dtype, 6 * s, rand);
    const D = diagonalOp(d, { dtype });
    return { op: compose(A.op, D), expected: matmul(A.M, diag(d)), parts: [A.op, D] };
  },
  "compose(subsample, compose(dense, csr))": (dtype, rand, s) => {
    const C = randomCsr(dtype, rand, 5 * s, 7 * s);
    const A = randomDense(dtype, rand, 8 * s, 5 * s);
    const idx = [0, 3, 3, 8 * s - 1];
    const S = subsampleOp(idx, { inShape: 8 * s, dtype });
    const inner = compose(A.op, C.op);
    const Sm = idx.map((i) => Array.from({ length: 8 * s }, (_, j) => (j === i ? 1 : 0)));
    return { op: compose(S, inner), expected: matmul(Sm, matmul(A.M, C.M)), parts: [inner, A.op, C.op, S] };
  },
  "sum(dense, csr, scaling)": (dtype, rand, s) => {
    const A = randomDense(dtype, rand, 5 * s, 5 * s);
    const C = randomCsr(dtype, rand, 5 * s, 5 * s);
    const a = scalingOp(0.5, 5 * s, { dtype });
    return { op: sumOp(A.op, C.op, a), expected: add(add(A.M, C.M), eye(5 * s, 0.5)), parts: [A.op, C.op, a] };
  },
  "sum(identity, scaling)": (dtype, _r, s) => {
    const I = identityOp(3 * s, { dtype });
    const a = scalingOp(-3, 3 * s, { dtype });
    return { op: sumOp(I, a), expected: eye(3 * s, -2), parts: [I, a] };
  },
  "vstack(dense, identity, mask)": (dtype, rand, s) => {
    const A = randomDense(dtype, rand, 4 * s, 6 * s);
    const I = identityOp(6 * s, { dtype });
    const m = Array.from({ length: 6 * s }, (_, i) => i % 2);
    const M = maskOp(m, { dtype });
    return { op: vstack(A.op, I, M), expected: [...A.M, ...eye(6 * s), ...diag(m)], parts: [A.op, I, M] };
  },
  "vstack(compose(dense, dense), csr)": (dtype, rand, s) => {
    const A = randomDense(dtype, rand, 3 * s, 4 * s);
    const B = randomDense(dtype, rand, 4 * s, 5 * s);
    const C = randomCsr(dtype, rand, 7 * s, 5 * s);
    const AB = compose(A.op, B.op);
    return { op: vstack(AB, C.op), expected: [...matmul(A.M, B.M), ...C.M], parts: [AB, A.op, B.op, C.op] };
  },
};

function dispose(c: Case): void {
  c.op.dispose();
  for (const p of c.parts ?? []) p.dispose();
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

function unit(dtype: Dtype, n: number, j: number): RealArray {
  const e = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  e[j] = 1;
  return e;
}

describe.each(DTYPES)("operators (%s)", (dtype) => {
  const tol = parityTol(dtype);
  const rand = mulberry32(dtype === "float64" ? 101 : 202);

  describe.each(Object.keys(CASES))("%s", (name) => {
    it("has the expected dense matrix, and its adjoint the transpose", () => {
      const c = CASES[name](dtype, rand, 1);
      const { op, expected } = c;
      const n = shapeSize(op.inShape);
      const m = shapeSize(op.outShape);
      expect(expected.length).toBe(m);
      expect(op.dtype).toBe(dtype);
      // column by column from unit vectors
      for (let j = 0; j < n; j++) expectArrayClose(op.apply(unit(dtype, n, j)), expected.map((r) => r[j]), tol);
      for (let i = 0; i < m; i++) expectArrayClose(op.adjoint(unit(dtype, m, i)), expected[i], tol);
      dispose(c);
    });

    it("satisfies ⟨Ax, y⟩ = ⟨x, Aᵀy⟩ on random vectors", () => {
      const c = CASES[name](dtype, rand, 7);
      const { op } = c;
      for (let trial = 0; trial < 3; trial++) {
        const x = randomArray(dtype, shapeSize(op.inShape), rand);
        const y = randomArray(dtype, shapeSize(op.outShape), rand);
        const Ax = op.apply(x);
        const Aty = op.adjoint(y);
        const lhs = dot(Ax, y);
        const rhs = dot(x, Aty);
        expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(tol * 10 * Math.max(norm(Ax) * norm(y), norm(x) * norm(Aty)));
      }
      dispose(c);
    });

    it("has a norm hint that is exact, an upper bound, or absent", () => {
      const c = CASES[name](dtype, rand, 1);
      const hint = c.op.normHint;
      const truth = spectralNorm(c.expected, shapeSize(c.op.inShape));
      if (c.hintExact) expect(Math.abs((hint ?? Number.NaN) - truth)).toBeLessThanOrEqual(tol * truth);
      else if (hint !== undefined) expect(hint).toBeGreaterThanOrEqual(truth * (1 - tol));
      dispose(c);
    });
  });

  it("records a composite of built-ins as one kernel call", () => {
    const c = CASES["vstack(compose(dense, dense), csr)"](dtype, rand, 2);
    const k = Kernel.get(dtype);
    const x = k.from(randomArray(dtype, shapeSize(c.op.inShape), rand));
    const y = k.alloc(shapeSize(c.op.outShape));
    const p = new PlanBuilder(k);
    c.op.emitApply(p, x, y);
    const prog = p.build();
    expect(prog.kernelCalls).toBe(1);
    expect(prog.jsSteps).toBe(0);
    prog.run();
    expectArrayClose(y.view, c.op.apply(x.toArray()), 0);
    prog.dispose();
    x.free();
    y.free();
    dispose(c);
  });

  it("writes into a given out array and leaves the input alone", () => {
    const c = CASES["sum(dense, csr, scaling)"](dtype, rand, 3);
    const x = randomArray(dtype, shapeSize(c.op.inShape), rand);
    const before = x.slice();
    const out = randomArray(dtype, shapeSize(c.op.outShape), rand);
    const r = c.op.apply(x, out);
    expect(r).toBe(out);
    expect(Array.from(x)).toEqual(Array.from(before));
    const expected = c.expected.map((row) => dot(row, x));
    expectArrayClose(out, expected, tol);
    // a second apply reuses the cached plan and gives the same answer
    expectArrayClose(c.op.apply(x), out, 0);
    dispose(c);
  });

  it("frees every buffer it owns on dispose", () => {
    const k = Kernel.get(dtype);
    const before = k.stats().blocksInUse;
    const c = CASES["compose(subsample, compose(dense, csr))"](dtype, rand, 2);
    c.op.apply(randomArray(dtype, shapeSize(c.op.inShape), rand));
    c.op.adjoint(randomArray(dtype, shapeSize(c.op.outShape), rand));
    dispose(c);
    expect(k.stats().blocksInUse).toBe(before);
  });
});
