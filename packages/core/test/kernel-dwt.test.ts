import { describe, it } from "vitest";
import { DTYPES, type Dtype, type RealArray } from "../src/dtype.js";
import { Kernel, reference } from "../src/kernel/index.js";
import { filterBank, waveletFilters } from "../src/transforms/filters.js";
import { parityTol } from "./helpers.js";
import { expectArrayNear, maxAbs, mulberry32, randomArray } from "@cflow/test-kit";

const ref = reference.dwt;
// short and long filters, both parities of F/2 (the synthesis alignment depends on it)
const WAVELETS = ["haar", "db2", "db3", "db4", "db8", "sym5"];

function bankFor(dtype: Dtype, name: string): RealArray {
  return filterBank(waveletFilters(name), 1, dtype);
}

/** Even row lengths: shorter than the filter, not multiples of the SIMD width, and long ones. */
function rowLengths(rand: () => number): number[] {
  const s = [2, 4, 6, 8, 10, 12, 14, 18, 22, 30, 34, 64, 130];
  for (let i = 0; i < 3; i++) s.push(2 * (1 + Math.floor(rand() * 1500)));
  return s;
}

// Outputs are compared on the scale of the inputs: a detail band of a constant or periodic
// signal cancels to ~0, where a relative error would only measure rounding noise.
describe.each(DTYPES)("dwt kernels match their references (%s)", (dtype) => {
  const k = Kernel.get(dtype);
  const tol = parityTol(dtype);
  const rand = mulberry32(21);

  describe.each(WAVELETS)("%s", (name) => {
    const bankArr = bankFor(dtype, name);
    const F = bankArr.length / 4;

    it.each(rowLengths(rand))("rows, n = %i", (n) => {
      for (const rows of [1, 3]) {
        const h = n / 2;
        const xa = randomArray(dtype, rows * n, rand);
        const [x, bank, a, d, y] = [k.from(xa), k.from(bankArr), k.alloc(rows * h), k.alloc(rows * h), k.alloc(rows * n)];
        k.exports.dwtRows(rows, n, x.ptr, bank.ptr, F, a.ptr, d.ptr);
        const [ar, dr] = [xa.slice(0, rows * h), xa.slice(0, rows * h)];
        ref.dwtRows(rows, n, xa, bankArr, F, ar, dr);
        expectArrayNear(a.view, ar, tol * maxAbs(xa));
        expectArrayNear(d.view, dr, tol * maxAbs(xa));

        // synthesis from independent random coefficients
        const [ca, cd] = [randomArray(dtype, rows * h, rand), randomArray(dtype, rows * h, rand)];
        a.set(ca);
        d.set(cd);
        k.exports.idwtRows(rows, n, a.ptr, d.ptr, bank.ptr, F, y.ptr);
        const yr = xa.slice();
        ref.idwtRows(rows, n, ca, cd, bankArr, F, yr);
        expectArrayNear(y.view, yr, tol * Math.max(maxAbs(ca), maxAbs(cd)));
        for (const b of [x, bank, a, d, y]) b.free();
      }
    });

    it.each([2, 4, 6, 10, 18, 34, 66])("columns, rows = %i", (rows) => {
      for (const cols of [1, 3, 5, 8, 9, 17, 33]) {
        const h = rows / 2;
        const xa = randomArray(dtype, rows * cols, rand);
        const [x, bank, a, d, y] = [k.from(xa), k.from(bankArr), k.alloc(h * cols), k.alloc(h * cols), k.alloc(rows * cols)];
        k.exports.dwtCols(rows, cols, x.ptr, bank.ptr, F, a.ptr, d.ptr);
        const [ar, dr] = [xa.slice(0, h * cols), xa.slice(0, h * cols)];
        ref.dwtCols(rows, cols, xa, bankArr, F, ar, dr);
        expectArrayNear(a.view, ar, tol * maxAbs(xa));
        expectArrayNear(d.view, dr, tol * maxAbs(xa));

        const [ca, cd] = [randomArray(dtype, h * cols, rand), randomArray(dtype, h * cols, rand)];
        a.set(ca);
        d.set(cd);
        k.exports.idwtCols(rows, cols, a.ptr, d.ptr, bank.ptr, F, y.ptr);
        const yr = xa.slice();
        ref.idwtCols(rows, cols, ca, cd, bankArr, F, yr);
        expectArrayNear(y.view, yr, tol * Math.max(maxAbs(ca), maxAbs(cd)));
        for (const b of [x, bank, a, d, y]) b.free();
      }
    });
  });
});
