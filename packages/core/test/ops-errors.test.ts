import { afterAll, describe, expect, it } from "vitest";
import { CflowError, DtypeError, ShapeError } from "../src/errors.js";
import { Kernel } from "../src/kernel/index.js";
import {
  compose,
  csrOp,
  denseOp,
  diagonalOp,
  estimateOpNorm,
  identityOp,
  maskOp,
  scalingOp,
  subsampleOp,
  sumOp,
  vstack,
} from "../src/ops/index.js";

/** Runs fn, expects it to throw an instance of `cls`, and returns the error for more checks. */
function thrown<E extends Error>(cls: new (...a: never[]) => E, fn: () => unknown): E {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(cls);
    return err as E;
  }
  return expect.fail(`expected a ${cls.name}`);
}

describe("operator construction errors", () => {
  const A64 = denseOp(new Float64Array(12), { rows: 3, cols: 4 });
  const B32 = denseOp(new Float32Array(20), { rows: 4, cols: 5 });
  const B64 = denseOp(new Float64Array(20), { rows: 4, cols: 5 });
  const C64 = denseOp(new Float64Array(20), { rows: 5, cols: 4 });
  afterAll(() => {
    for (const op of [A64, B32, B64, C64]) op.dispose();
  });

  it("composites refuse mixed dtypes, naming both dtypes and the operation", () => {
    for (const [name, fn] of [
      ["compose(dense, dense)", () => compose(A64, B32)],
      ["sumOp(dense + dense)", () => sumOp(B64, B32)],
      ["vstack(dense; dense)", () => vstack(B64, B32)],
    ] as const) {
      const e = thrown(DtypeError, fn);
      expect(e.message).toContain(name);
      expect(e.message).toMatch(/expected float64, found float32/);
      expect(e.details).toMatchObject({ expected: "float64", found: "float32" });
    }
  });

  it("composites refuse mismatched shapes with expected vs found", () => {
    let e = thrown(ShapeError, () => compose(A64, C64)); // A64 takes [4], C64 gives [5]
    expect(e.message).toMatch(/compose\(dense, dense\): shape mismatch — expected \[4\], found \[5\]/);
    e = thrown(ShapeError, () => sumOp(B64, C64));
    expect(e.message).toMatch(/sumOp\(dense \+ dense\) term 1 input: shape mismatch — expected \[5\], found \[4\]/);
    e = thrown(ShapeError, () => vstack(A64, B64));
    expect(e.message).toMatch(/vstack\(dense; dense\) block 1 input: shape mismatch — expected \[4\], found \[5\]/);
    expect(thrown(CflowError, () => sumOp(A64)).message).toMatch(/sumOp: expected at least two operators, found 1/);
    expect(thrown(CflowError, () => vstack()).message).toMatch(/vstack: expected at least one operator/);
    expect(thrown(CflowError, () => compose(A64, { apply() {} } as never)).message).toMatch(/compose: b \(inner\) is not an operator with emitApply\/emitAdjoint/);
  });

  it("leaf constructors check sizes, dtypes and values", () => {
    let e: Error = thrown(ShapeError, () => denseOp(new Float64Array(11), { rows: 3, cols: 4 }));
    expect(e.message).toMatch(/denseOp: shape mismatch — expected 3×4 = 12 elements \(row-major\), found 11 elements/);
    e = thrown(DtypeError, () => denseOp(new Float32Array(12), { rows: 3, cols: 4, dtype: "float64" }));
    expect(e.message).toMatch(/denseOp: dtype mismatch — expected float64, found float32 data/);
    e = thrown(ShapeError, () => denseOp([1, 2], { rows: 1.5, cols: 2 }));
    expect(e.message).toMatch(/denseOp \(rows\): shape mismatch — expected a non-negative integer, found 1\.5/);
    e = thrown(CflowError, () => denseOp([1, NaN], { rows: 1, cols: 2 }));
    expect(e.message).toMatch(/denseOp: matrix\[1\] is NaN/);
    e = thrown(DtypeError, () => identityOp(3, { dtype: "float16" as never }));
    expect(e.message).toMatch(/identityOp: dtype mismatch — expected float32 \| float64, found "float16"/);
    e = thrown(ShapeError, () => identityOp([2, -1]));
    expect(e.message).toMatch(/identityOp \(shape\): shape mismatch — expected an array of non-negative integers/);
    e = thrown(CflowError, () => scalingOp(Infinity, 3));
    expect(e.message).toMatch(/scalingOp: the scale must be a finite number, found Infinity/);
    e = thrown(ShapeError, () => diagonalOp([1, 2, 3], { shape: [2, 2] }));
    expect(e.message).toMatch(/diagonalOp: shape mismatch — expected \[2, 2\], found length 3/);
    for (const [m, count] of [[Uint8Array.from([1, 0, 1]), 2], [[true, false, false], 1]] as const) {
      const M = maskOp(m);
      expect(M.count).toBe(count);
      M.dispose();
    }
    e = thrown(CflowError, () => maskOp(["1", 0] as never));
    expect(e.message).toMatch(/maskOp: mask must be a Float64Array, Float32Array or number\[\]/);
    e = thrown(CflowError, () => maskOp([1, 0, 0.5]));
    expect(e.message).toMatch(/maskOp: mask\[2\] = 0\.5; a mask holds only 0 and 1/);
    e = thrown(CflowError, () => subsampleOp([0, 4], { inShape: [2, 2] }));
    expect(e.message).toMatch(/subsampleOp: indices\[1\] = 4 is not an index in \[0, 4\)/);
  });

  it("CSR matrices are validated", () => {
    const ok = { indptr: [0, 1, 3], indices: [2, 0, 1], values: [1, 2, 3] };
    const C = csrOp(ok, { rows: 2, cols: 3 });
    expect(C.nnz).toBe(3);
    C.dispose();
    let e: Error = thrown(ShapeError, () => csrOp(ok, { rows: 3, cols: 3 }));
    expect(e.message).toMatch(/csrOp \(indptr\): shape mismatch — expected rows \+ 1 = 4 offsets, found 3/);
    e = thrown(CflowError, () => csrOp({ ...ok, indptr: [0, 2, 1] }, { rows: 2, cols: 3 }));
    expect(e.message).toMatch(/indptr must be non-decreasing, found indptr\[1\] = 2 > indptr\[2\] = 1/);
    e = thrown(CflowError, () => csrOp({ ...ok, indptr: [0, 1, 2] }, { rows: 2, cols: 3 }));
    expect(e.message).toMatch(/indptr must run from 0 to nnz = 3, found 0 … 2/);
    e = thrown(CflowError, () => csrOp({ ...ok, indices: [2, 0, 3] }, { rows: 2, cols: 3 }));
    expect(e.message).toMatch(/csrOp: indices\[2\] = 3 is not an index in \[0, 3\)/);
    e = thrown(ShapeError, () => csrOp({ ...ok, indices: [2, 0] }, { rows: 2, cols: 3 }));
    expect(e.message).toMatch(/csrOp \(indices\): shape mismatch — expected one column index per value \(3\), found 2/);
  });

  it("apply and adjoint check the arrays and buffers they are given", () => {
    let e: Error = thrown(DtypeError, () => A64.apply(new Float32Array(4)));
    expect(e.message).toMatch(/dense\.apply: dtype mismatch — expected float64, found float32/);
    e = thrown(ShapeError, () => A64.apply(new Float64Array(3)));
    expect(e.message).toMatch(/dense\.apply: shape mismatch — expected \[4\], found length 3/);
    e = thrown(ShapeError, () => A64.adjoint(new Float64Array(3), new Float64Array(5)));
    expect(e.message).toMatch(/dense\.adjoint \(out\): shape mismatch — expected \[4\], found length 5/);
    const other = Kernel.get("float32").alloc(4);
    const out = Kernel.get("float64").alloc(3);
    e = thrown(DtypeError, () => A64.applyBuf(other as never, out));
    expect(e.message).toMatch(/dense\.apply: dtype mismatch — expected float64, found float32/);
    other.free();
    out.free();
    expect(thrown(CflowError, () => estimateOpNorm({} as never)).message).toMatch(/estimateOpNorm: op is not an operator/);
  });
});
