import { describe, expect, it } from "vitest";
import { DTYPES, type Dtype, type RealArray } from "../src/dtype.js";
import { Kernel, reference } from "../src/kernel/index.js";
import { parityTol, paritySizes } from "./helpers.js";
import { expectArrayClose, expectScalarClose, mulberry32, randomArray } from "@cflow/test-kit";

const ref = reference.fidelity;

/** Poisson-like counts: non-negative, some zero. */
function counts(dtype: Dtype, n: number, rand: () => number): RealArray {
  const a = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rand() < 0.2 ? 0 : Math.floor(20 * rand() * rand());
  return a;
}

describe.each(DTYPES)("fidelity kernels match their references (%s)", (dtype) => {
  const k = Kernel.get(dtype);
  const e = k.exports;
  const tol = parityTol(dtype);
  const rand = mulberry32(2718);
  const stats = k.allocF64(2);
  const [nnzOut, valOut] = [stats.ptr, stats.ptr + 8];
  const got = () => ({ nnz: stats.view[0], value: stats.view[1] });

  /** The fused value against the reference's, relative to the sum of the magnitudes it adds up. */
  function expectValue(s: number, r: number, scale: number): void {
    if (!Number.isFinite(r)) expect(s).toBe(r);
    else expectScalarClose(s, r, 0, tol * scale + 1e-300);
  }

  it.each(paritySizes(rand))("Kullback–Leibler prox and conjugate prox, n = %i", (n) => {
    const ya = counts(dtype, n, rand);
    const ua = randomArray(dtype, n, rand).map((x) => 3 * x);
    const y = k.from(ya);
    const u = k.from(ua);
    const out = k.alloc(n);
    const ra = ua.slice();
    const t = 0.2 + rand();
    const lam = 0.3 + rand();
    e.proxKL(n, t, lam, y.ptr, u.ptr, out.ptr, nnzOut, valOut);
    let r = ref.proxKL(n, t, lam, ya, ua, ra);
    expectArrayClose(out.view, ra, tol);
    expect(got().nnz).toBe(r.nnz);
    const scale = lam * Array.from(ra).reduce((s, x, i) => s + Math.abs(x) + ya[i] * (1 + Math.abs(Math.log(Math.max(x, 1e-300)))), 0);
    expectValue(got().value, r.value, scale);
    expectValue(e.klValue(n, lam, y.ptr, out.ptr), ref.klValue(n, lam, ya, ra), scale);
    // off the domain: a zero mean where a count was observed is infinitely unlikely
    if (ya.some((c, i) => c > 0 && ua[i] <= 0)) expect(e.klValue(n, lam, y.ptr, u.ptr)).toBe(Infinity);

    const sigma = 0.2 + 2 * rand();
    e.proxKLConj(n, sigma, lam, y.ptr, u.ptr, out.ptr, nnzOut, valOut);
    r = ref.proxKLConj(n, sigma, lam, ya, ua, ra);
    expectArrayClose(out.view, ra, tol);
    expect(got().nnz).toBe(r.nnz);
    for (let i = 0; i < n; i++) expect(out.view[i]).toBeLessThanOrEqual(dtype === "float64" ? lam : Math.fround(lam));
    expectValue(got().value, r.value, lam * Array.from(ya).reduce((s, c, i) => s + c * Math.abs(Math.log(Math.max(1 - ra[i] / lam, 1e-300))), 0) + 1e-12);
    for (const b of [y, u, out]) b.free();
  });

  it.each(paritySizes(rand))("ℓ1 data prox and conjugate prox, n = %i", (n) => {
    const ya = randomArray(dtype, n, rand);
    const ua = randomArray(dtype, n, rand);
    const y = k.from(ya);
    const u = k.from(ua);
    const out = k.alloc(n);
    const ra = ua.slice();
    const t = 0.2 + rand();
    const lam = 0.3 + rand();
    e.proxL1Data(n, t, lam, y.ptr, u.ptr, out.ptr, nnzOut, valOut);
    let r = ref.proxL1Data(n, t, lam, ya, ua, ra);
    expectArrayClose(out.view, ra, tol);
    expect(got().nnz).toBe(r.nnz);
    const scale = lam * Array.from(ua).reduce((s, x, i) => s + Math.abs(x) + Math.abs(ya[i]), 0);
    expectValue(got().value, r.value, scale);
    expectValue(e.l1DataValue(n, lam, y.ptr, u.ptr), ref.l1DataValue(n, lam, ya, ua), scale);

    const sigma = 0.2 + 2 * rand();
    e.proxL1DataConj(n, sigma, lam, y.ptr, u.ptr, out.ptr, nnzOut, valOut);
    r = ref.proxL1DataConj(n, sigma, lam, ya, ua, ra);
    expectArrayClose(out.view, ra, tol);
    expect(got().nnz).toBe(r.nnz);
    expectValue(got().value, r.value, lam * Array.from(ya).reduce((s, c) => s + Math.abs(c), 0));
    // in place, out aliasing the input
    e.proxL1DataConj(n, sigma, lam, y.ptr, u.ptr, u.ptr, nnzOut, valOut);
    expectArrayClose(u.view, ra, tol);
    for (const b of [y, u, out]) b.free();
  });

  it.each(paritySizes(rand))("ℓ2 ball around y: projection, indicator and conjugate prox, n = %i", (n) => {
    const ya = randomArray(dtype, n, rand);
    const ua = randomArray(dtype, n, rand);
    const y = k.from(ya);
    const u = k.from(ua);
    const out = k.alloc(n);
    const ra = ua.slice();
    const dist = Math.sqrt(Array.from(ua).reduce((s, x, i) => s + (x - ya[i]) ** 2, 0));
    for (const radius of [0.5 * dist + 0.1, 2 * dist + 0.1]) {
      e.projL2BallAt(n, radius, y.ptr, u.ptr, out.ptr, nnzOut, valOut);
      let r = ref.projL2BallAt(n, radius, ya, ua, ra);
      expectArrayClose(out.view, ra, tol);
      expect(got()).toEqual({ nnz: r.nnz, value: 0 });
      expect(e.l2BallAtIndicator(n, radius, y.ptr, out.ptr)).toBe(0);
      expect(e.l2BallAtIndicator(n, radius, y.ptr, u.ptr)).toBe(ref.l2BallAtIndicator(n, radius, ya, ua));

      const sigma = 0.2 + rand();
      e.proxL2BallAtConj(n, sigma, radius, y.ptr, u.ptr, out.ptr, nnzOut, valOut);
      r = ref.proxL2BallAtConj(n, sigma, radius, ya, ua, ra);
      expectArrayClose(out.view, ra, tol);
      expect(got().nnz).toBe(r.nnz);
      const scale = Array.from(ra).reduce((s, x, i) => s + Math.abs(x * ya[i]), 0) + radius * Math.sqrt(Array.from(ra).reduce((s, x) => s + x * x, 0));
      expectValue(got().value, r.value, scale);
    }
    for (const b of [y, u, out]) b.free();
  });
});
