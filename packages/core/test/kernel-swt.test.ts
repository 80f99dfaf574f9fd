import { describe, it } from "vitest";
import { DTYPES, type Dtype, type RealArray } from "../src/dtype.js";
import { Kernel, reference } from "../src/kernel/index.js";
import { filterBank, waveletFilters } from "../src/transforms/filters.js";
import { parityTol } from "./helpers.js";
import { expectArrayNear, maxAbs, mulberry32, randomArray } from "@cflow/test-kit";

const ref = reference.swt;
const WAVELETS = ["haar", "db3", "db4", "sym8"];

function bankFor(dtype: Dtype, name: string): RealArray {
  return filterBank(waveletFilters(name), Math.SQRT1_2, dtype);
}

// Outputs are compared on the scale of the inputs: a detail band of a constant or periodic
// signal cancels to ~0, where a relative error would only measure rounding noise.
describe.each(DTYPES)("swt kernels match their references (%s)", (dtype) => {
  const k = Kernel.get(dtype);
  const tol = parityTol(dtype);
  const rand = mulberry32(33);
  // lengths below the dilated filter (taps wrap several times), odd lengths, long rows
  const lengths = [1, 2, 3, 5, 8, 12, 17, 31, 64, 100, 1 + Math.floor(rand() * 2000)];

  describe.each(WAVELETS)("%s", (name) => {
    const bankArr = bankFor(dtype, name);
    const F = bankArr.length / 4;

    it.each(lengths)("rows, n = %i", (n) => {
      for (const [rows, dil] of [[1, 1], [2, 2], [1, 4], [3, 8]]) {
        const xa = randomArray(dtype, rows * n, rand);
        const [x, bank, a, d, y] = [k.from(xa), k.from(bankArr), k.alloc(rows * n), k.alloc(rows * n), k.alloc(rows * n)];
        k.exports.swtRows(rows, n, dil, x.ptr, bank.ptr, F, a.ptr, d.ptr);
        const [ar, dr] = [xa.slice(), xa.slice()];
        ref.swtRows(rows, n, dil, xa, bankArr, F, ar, dr);
        expectArrayNear(a.view, ar, tol * maxAbs(xa));
        expectArrayNear(d.view, dr, tol * maxAbs(xa));

        const [ca, cd] = [randomArray(dtype, rows * n, rand), randomArray(dtype, rows * n, rand)];
        a.set(ca);
        d.set(cd);
        k.exports.swtRowsAdjoint(rows, n, dil, a.ptr, d.ptr, bank.ptr, F, y.ptr);
        const yr = xa.slice();
        ref.swtRowsAdjoint(rows, n, dil, ca, cd, bankArr, F, yr);
        expectArrayNear(y.view, yr, tol * Math.max(maxAbs(ca), maxAbs(cd)));
        for (const b of [x, bank, a, d, y]) b.free();
      }
    });

    it.each([1, 2, 5, 8, 20, 33])("columns, rows = %i", (rows) => {
      for (const [cols, dil] of [[1, 1], [3, 2], [8, 1], [9, 4], [33, 8]]) {
        const xa = randomArray(dtype, rows * cols, rand);
        const [x, bank, a, d, y] = [k.from(xa), k.from(bankArr), k.alloc(rows * cols), k.alloc(rows * cols), k.alloc(rows * cols)];
        k.exports.swtCols(rows, cols, dil, x.ptr, bank.ptr, F, a.ptr, d.ptr);
        const [ar, dr] = [xa.slice(), xa.slice()];
        ref.swtCols(rows, cols, dil, xa, bankArr, F, ar, dr);
        expectArrayNear(a.view, ar, tol * maxAbs(xa));
        expectArrayNear(d.view, dr, tol * maxAbs(xa));

        const [ca, cd] = [randomArray(dtype, rows * cols, rand), randomArray(dtype, rows * cols, rand)];
        a.set(ca);
        d.set(cd);
        k.exports.swtColsAdjoint(rows, cols, dil, a.ptr, d.ptr, bank.ptr, F, y.ptr);
        const yr = xa.slice();
        ref.swtColsAdjoint(rows, cols, dil, ca, cd, bankArr, F, yr);
        expectArrayNear(y.view, yr, tol * Math.max(maxAbs(ca), maxAbs(cd)));
        for (const b of [x, bank, a, d, y]) b.free();
      }
    });
  });
});
