// The CSR symmetric storage (upper triangle) against dense products; the builders' contracts.
import { describe, expect, it } from "vitest";
import { dropNegligibleReference } from "./drop-negligible-reference.js";
import { CooBuilder, csrFromDense, csrMultiply, csrNonzeros, csrRowSums, csrToDense, dropNegligible, type SplitCsr, splitMultiply } from "../src/index.js";
import { bandedMatrix, jacobiEigenvalues } from "./helpers.js";
import { mulberry32, randn } from "@cflow/test-kit";

/** A `SplitCsr` (diagonal + strict upper rows) as a dense row-major array. */
function splitToDense(m: SplitCsr): Float64Array {
  const n = m.n;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    out[i * n + i] = m.diag[i];
    const seen = new Set<number>();
    for (let p = m.rowPtr[i]; p < m.rowPtr[i + 1]; p++) {
      expect(m.col[p]).toBeGreaterThan(i);
      expect(seen.has(m.col[p])).toBe(false); // each entry once (in any order)
      seen.add(m.col[p]);
      out[i * n + m.col[p]] = out[m.col[p] * n + i] = m.val[p];
    }
  }
  return out;
}

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
    // the unweighted sums are kept per matrix: the same object again, equal to a fresh pass over a copy
    const plain = csrRowSums(a);
    expect(csrRowSums(a)).toBe(plain);
    const fresh = csrRowSums({ ...a });
    expect(fresh).not.toBe(plain);
    expect(Array.from(fresh.off)).toEqual(Array.from(plain.off));
    expect(Array.from(fresh.diag)).toEqual(Array.from(plain.diag));
    expect(fresh.nonzeros).toBe(nz);
  });

  it("CooBuilder sums duplicates into the upper triangle", () => {
    const b = new CooBuilder(3, 1);
    b.push(2, 0, 1);
    b.push(0, 2, 0.5);
    b.push(1, 1, 3);
    const a = b.toCsr();
    expect(Array.from(csrToDense(a))).toEqual([0, 0, 1.5, 0, 3, 0, 1.5, 0, 0]);
  });

  it("dropNegligible in the kernel gives the JS loops' matrix, bound and threshold bit for bit", () => {
    for (const [n, seed] of [
      [1, 1],
      [2, 2],
      [37, 3],
      [200, 4],
    ] as const) {
      const rand = mulberry32(seed);
      const a = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        a[i * n + i] = rand() < 0.1 ? 0 : 1 + rand(); // a missing diagonal now and then
        for (let j = i + 1; j < n; j++) {
          if (rand() < 0.5) continue;
          const v = rand() < 0.05 ? 0 : (rand() < 0.5 ? -1 : 1) * 10 ** (-14 * rand());
          a[i * n + j] = a[j * n + i] = v;
        }
      }
      if (n > 5) a[1 * n + 4] = a[4 * n + 1] = Number.NaN;
      const A = csrFromDense(a, n);
      const perm = Int32Array.from({ length: n }, (_, i) => (i * 13 + 5) % n);
      for (const budget of [0, 1e-12, 1e-6, 1e-2, 10]) {
        for (const p of [null, n % 13 === 0 ? null : perm]) {
          const got = dropNegligible(A, budget, p);
          const want = dropNegligibleReference(A, budget, p);
          expect(got).toEqual(want);
        }
      }
    }
  });

  it("dropNegligible leaves out small entries by decades and bounds ‖A − Ã‖₂ (dense eigenvalues)", () => {
    const n = 60;
    const rand = mulberry32(7);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      a[i * n + i] = 1 + rand();
      for (let j = i + 1; j < n; j++) {
        // entries spread over twelve decades, both signs, some exact zeros
        const v = rand() < 0.1 ? 0 : (rand() < 0.5 ? -1 : 1) * 10 ** (-12 * rand());
        a[i * n + j] = v;
        a[j * n + i] = v;
      }
    }
    a[3 * n + 7] = a[7 * n + 3] = Number.NaN; // never dropped
    const A = csrFromDense(a, n);
    for (const budget of [1e-9, 1e-6, 1e-3]) {
      const d = dropNegligible(A, budget);
      expect(d.threshold).toBeGreaterThan(0);
      expect(d.kept).toBeLessThan(1);
      expect(d.dropped).toBeLessThanOrEqual(budget);
      const kept = splitToDense(d.matrix);
      expect(Number.isNaN(kept[3 * n + 7])).toBe(true);
      const diff = { rows: n, cols: n, a: new Float64Array(n * n) };
      let below = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          if (i === 3 && j === 7) continue;
          if (i === 7 && j === 3) continue;
          const e = a[i * n + j] - kept[i * n + j];
          diff.a[i * n + j] = e;
          if (e !== 0) expect(Math.abs(a[i * n + j])).toBeLessThanOrEqual(d.threshold);
          else if (i !== j && a[i * n + j] !== 0) expect(Math.abs(a[i * n + j])).toBeGreaterThan(d.threshold);
          if (e !== 0) below++;
        }
      }
      expect(below).toBeGreaterThan(0);
      // permuted: the same entries at P Ã Pᵀ's places (perm[new] = old)
      const perm = Int32Array.from({ length: n }, (_, i) => (i * 37 + 11) % n);
      const split = dropNegligible(A, budget, perm).matrix;
      const permuted = splitToDense(split);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(Object.is(permuted[i * n + j], kept[perm[i] * n + perm[j]])).toBe(true);
      // the product over the split rows is the dense one (the two rows holding the NaN aside)
      const x = Float64Array.from({ length: n }, () => rand() - 0.5);
      const y = new Float64Array(n);
      splitMultiply(split, x, y);
      const nanAt = [perm.indexOf(3), perm.indexOf(7)];
      for (let i = 0; i < n; i++) {
        if (nanAt.includes(i)) continue;
        let ref = 0;
        let abs = 0;
        for (let j = 0; j < n; j++) {
          ref += permuted[i * n + j] * x[j];
          abs += Math.abs(permuted[i * n + j] * x[j]);
        }
        expect(Math.abs(y[i] - ref)).toBeLessThanOrEqual(4 * n * 2 ** -53 * abs);
      }
      const eig = jacobiEigenvalues(diff);
      expect(Math.max(Math.abs(eig[0]), Math.abs(eig[n - 1]))).toBeLessThanOrEqual(d.dropped);
    }
    // a budget below every entry drops nothing
    const none = dropNegligible(csrFromDense([2, 0.5, 0.5, 2], 2), 1e-3);
    expect(none.kept).toBe(1);
    expect(none.dropped).toBe(0);
  });
});
