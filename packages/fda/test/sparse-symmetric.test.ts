// The CSR symmetric storage (upper triangle) against dense products; the builders' contracts.
import { describe, expect, it } from "vitest";
import { CooBuilder, csrFromDense, csrMultiply, csrNonzeros, csrRowSums, csrToDense, UpperRowsBuilder } from "../src/index.js";
import { bandedMatrix } from "./helpers.js";
import { mulberry32, randn } from "@cflow/test-kit";

describe("symmetric CSR", () => {
  it("multiplies, sums rows and round-trips like the dense matrix", () => {
    const n = 40;
    const m = bandedMatrix(n, 5, 2, mulberry32(1), true);
    const a = csrFromDense(m.a, n);
    expect(csrToDense(a)).toEqual(m.a);
    const rand = mulberry32(2);
    const x = Float64Array.from({ length: n }, () => randn(rand));
    const y = new Float64Array(n);
    csrMultiply(a, x, y);
    const w = Float64Array.from({ length: n }, () => rand() + 0.1);
    const sums = csrRowSums(a, w);
    let nz = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      let off = 0;
      for (let j = 0; j < n; j++) {
        s += m.a[i * n + j] * x[j];
        if (j !== i) off += Math.abs(m.a[i * n + j]) * w[j];
        if (m.a[i * n + j] !== 0) nz++;
      }
      expect(y[i]).toBeCloseTo(s, 12);
      expect(sums.off[i]).toBeCloseTo(off, 12);
      expect(sums.diag[i]).toBe(m.a[i * n + i]);
    }
    expect(csrNonzeros(a)).toBe(nz);
  });

  it("CooBuilder sums duplicates into the upper triangle; UpperRowsBuilder wants rows in order", () => {
    const b = new CooBuilder(3, 1);
    b.push(2, 0, 1);
    b.push(0, 2, 0.5);
    b.push(1, 1, 3);
    const a = b.toCsr();
    expect(Array.from(csrToDense(a))).toEqual([0, 0, 1.5, 0, 3, 0, 1.5, 0, 0]);
    const u = new UpperRowsBuilder(3, 1);
    u.push(0, 0, 1);
    u.push(0, 2, 2);
    u.push(2, 2, 5);
    expect(Array.from(csrToDense(u.toCsr()))).toEqual([1, 0, 2, 0, 0, 0, 2, 0, 5]);
    expect(() => u.push(1, 1, 1)).toThrow(/rows must come in order/);
  });
});
