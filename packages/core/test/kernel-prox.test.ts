import { describe, expect, it } from "vitest";
import { DTYPES, type RealArray } from "../src/dtype.js";
import { Kernel, reference } from "../src/kernel/index.js";
import { parityTol, paritySizes } from "./helpers.js";
import { expectArrayClose, expectScalarClose, mulberry32, randomArray } from "@cflow/test-kit";

const ref = reference.prox;

/** Non-zeros of an array and Σ|a| (a recount of the fused statistics). */
function recount(a: ArrayLike<number>): { nnz: number; abs: number; sq: number } {
  let nnz = 0;
  let abs = 0;
  let sq = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== 0) nnz++;
    abs += Math.abs(a[i]);
    sq += a[i] * a[i];
  }
  return { nnz, abs, sq };
}

describe.each(DTYPES)("prox kernels match their references and fuse exact statistics (%s)", (dtype) => {
  const k = Kernel.get(dtype);
  const e = k.exports;
  const tol = parityTol(dtype);
  const rand = mulberry32(21);
  const stats = k.allocF64(2);
  const nnzOut = stats.ptr;
  const valOut = stats.ptr + 8;
  const got = () => ({ nnz: stats.view[0], value: stats.view[1] });

  function expectStats(s: { nnz: number; value: number }, r: { nnz: number; value: number }, out: ArrayLike<number>, value: number): void {
    expect(s.nnz).toBe(r.nnz);
    expect(s.nnz).toBe(recount(out).nnz);
    expectScalarClose(s.value, r.value, tol, 1e-300);
    expectScalarClose(s.value, value, 1e-12, 1e-300);
  }

  it.each(paritySizes(rand))("element-wise proxes, n = %i", (n) => {
    const ua = randomArray(dtype, n, rand);
    const u = k.from(ua);
    const out = k.alloc(n);
    const ra = ua.slice();
    const t = 0.5 + rand();
    const lam = 0.2 + rand();

    e.softThreshold(n, t, lam, u.ptr, out.ptr, nnzOut, valOut);
    let r = ref.softThreshold(n, t, lam, ua, ra);
    expectArrayClose(out.view, ra, tol);
    expectStats(got(), r, out.view, lam * recount(out.view).abs);
    expectScalarClose(e.l1Value(n, lam, out.ptr), ref.l1Value(n, lam, ra), tol, 1e-300);

    const lo = -0.3 - rand();
    const hi = 0.2 + rand();
    e.projBox(n, lo, hi, u.ptr, out.ptr, nnzOut, valOut);
    r = ref.projBox(n, lo, hi, ua, ra);
    expectArrayClose(out.view, ra, 0);
    expectStats(got(), r, out.view, 0);
    expect(e.boxIndicator(n, lo, hi, out.ptr)).toBe(0);
    if (n > 0) expect(e.boxIndicator(n, lo, 0.5 * hi, out.ptr)).toBe(ref.boxIndicator(n, lo, 0.5 * hi, ra));

    e.projNonneg(n, u.ptr, out.ptr, nnzOut, valOut);
    r = ref.projNonneg(n, ua, ra);
    expectArrayClose(out.view, ra, 0);
    expectStats(got(), r, out.view, 0);
    expect(e.boxIndicator(n, 0, Infinity, out.ptr)).toBe(0);

    e.proxL1Nonneg(n, t, lam, u.ptr, out.ptr, nnzOut, valOut);
    r = ref.proxL1Nonneg(n, t, lam, ua, ra);
    expectArrayClose(out.view, ra, tol);
    expectStats(got(), r, out.view, lam * recount(out.view).abs);

    e.proxL1Box(n, t, lam, lo, hi, u.ptr, out.ptr, nnzOut, valOut);
    r = ref.proxL1Box(n, t, lam, lo, hi, ua, ra);
    expectArrayClose(out.view, ra, tol);
    expectStats(got(), r, out.view, lam * recount(out.view).abs);
    expectScalarClose(e.l1BoxValue(n, lam, lo, hi, out.ptr), ref.l1BoxValue(n, lam, lo, hi, ra), tol, 1e-300);
    if (n > 0) expect(e.l1BoxValue(n, lam, lo, hi, u.ptr)).toBe(ref.l1BoxValue(n, lam, lo, hi, ua));

    for (const alpha of [0, 0.3, 1]) {
      e.proxElasticNet(n, t, lam, alpha, u.ptr, out.ptr, nnzOut, valOut);
      r = ref.proxElasticNet(n, t, lam, alpha, ua, ra);
      expectArrayClose(out.view, ra, tol);
      const c = recount(out.view);
      expectStats(got(), r, out.view, lam * (alpha * c.abs + 0.5 * (1 - alpha) * c.sq));
      expectScalarClose(e.elasticNetValue(n, lam, alpha, u.ptr), ref.elasticNetValue(n, lam, alpha, ua), tol, 1e-300);
    }

    const radius = 0.5 + rand() * Math.sqrt(n);
    e.projL2Ball(n, radius, u.ptr, out.ptr, nnzOut, valOut);
    r = ref.projL2Ball(n, radius, ua, ra);
    expectArrayClose(out.view, ra, tol);
    expectStats(got(), r, out.view, 0);
    expect(e.l2BallIndicator(n, radius, out.ptr)).toBe(0);
    expect(e.l2BallIndicator(n, radius, u.ptr)).toBe(ref.l2BallIndicator(n, radius, ua));

    for (const b of [u, out]) b.free();
  });

  it.each(paritySizes(rand).filter((n) => n > 0))("per-band soft-threshold, n = %i", (n) => {
    const ua = randomArray(dtype, n, rand);
    const u = k.from(ua);
    const out = k.alloc(n);
    const ra = ua.slice();
    // a random partition into bands (some empty), one weight each (some zero)
    const cuts = [0, n];
    for (let j = 0; j < 4; j++) cuts.push(Math.floor(rand() * (n + 1)));
    cuts.sort((a, b) => a - b);
    const nb = cuts.length - 1;
    const offsets = k.allocI32(nb + 1);
    offsets.view.set(cuts);
    const weights = k.allocF64(nb);
    for (let j = 0; j < nb; j++) weights.view[j] = j === 2 ? 0 : 0.25 + 2 * rand();
    const t = 0.3 + rand();
    const lam = 0.2 + rand();
    for (const skip of [0, 1]) {
      e.softThresholdBands(nb, offsets.ptr, weights.ptr, t, lam, skip, u.ptr, out.ptr, nnzOut, valOut);
      const r = ref.softThresholdBands(nb, offsets.view, weights.view, t, lam, skip, ua, ra);
      expectArrayClose(out.view, ra, tol);
      let v = 0;
      for (let j = skip; j < nb; j++) v += lam * weights.view[j] * recount(out.view.subarray(cuts[j], cuts[j + 1])).abs;
      expectStats(got(), r, out.view, v);
      expectScalarClose(e.l1BandsValue(nb, offsets.ptr, weights.ptr, lam, skip, out.ptr), v, 1e-12, 1e-300);
      if (skip) expect(Array.from(out.view.subarray(0, cuts[1]))).toEqual(Array.from(ua.subarray(0, cuts[1])));
    }
    // an infinite weight locks its band at zero (and adds nothing to g); ∞ on a non-zero band is g = ∞
    weights.view[1] = Infinity;
    e.softThresholdBands(nb, offsets.ptr, weights.ptr, t, lam, 1, u.ptr, out.ptr, nnzOut, valOut);
    const rl = ref.softThresholdBands(nb, offsets.view, weights.view, t, lam, 1, ua, ra);
    expectArrayClose(out.view, ra, tol);
    expect(Array.from(out.view.subarray(cuts[1], cuts[2])).every((v) => v === 0)).toBe(true);
    let vl = 0;
    for (let j = 2; j < nb; j++) vl += lam * weights.view[j] * recount(out.view.subarray(cuts[j], cuts[j + 1])).abs;
    expectStats(got(), rl, out.view, vl);
    expectScalarClose(e.l1BandsValue(nb, offsets.ptr, weights.ptr, lam, 1, out.ptr), vl, 1e-12, 1e-300);
    if (cuts[2] > cuts[1] && ua.subarray(cuts[1], cuts[2]).some((v) => v !== 0)) {
      expect(e.l1BandsValue(nb, offsets.ptr, weights.ptr, lam, 1, u.ptr)).toBe(Infinity);
      expect(ref.l1BandsValue(nb, offsets.view, weights.view, lam, 1, ua)).toBe(Infinity);
    }
    // in place, as the flow step calls it
    e.softThresholdBands(nb, offsets.ptr, weights.ptr, t, lam, 1, u.ptr, u.ptr, nnzOut, valOut);
    expectArrayClose(u.view, ra, tol);
    for (const b of [u, out, offsets, weights]) b.free();
  });

  it.each(paritySizes(rand).filter((n) => n > 0))("group soft-threshold, n = %i", (n) => {
    const ua = randomArray(dtype, n, rand);
    const u = k.from(ua);
    const out = k.alloc(n);
    const ra = ua.slice();
    for (const size of [1, 2, 3, 8]) {
      const t = 0.5 + rand();
      const lam = 0.5 + rand();
      e.proxGroupL1(n, size, t, lam, u.ptr, out.ptr, nnzOut, valOut);
      const r = ref.proxGroupL1(n, size, t, lam, ua, ra);
      expectArrayClose(out.view, ra, tol);
      expectStats(got(), r, out.view, ref.groupL1Value(n, size, lam, out.view));
      expectScalarClose(e.groupL1Value(n, size, lam, u.ptr), ref.groupL1Value(n, size, lam, ua), tol, 1e-300);
    }
    for (const b of [u, out]) b.free();
  });

  it.each(paritySizes(rand))("ℓ1-ball and simplex projections, n = %i", (n) => {
    const ua = randomArray(dtype, n, rand);
    const u = k.from(ua);
    const out = k.alloc(n);
    const scratch = k.alloc(n);
    const ra = ua.slice();
    const sa = ua.slice();
    const l1 = recount(ua).abs;
    for (const radius of [0.3, 0.5 * l1 + 0.1, 2 * l1 + 1]) {
      e.projL1Ball(n, radius, u.ptr, out.ptr, scratch.ptr, nnzOut, valOut);
      let r = ref.projL1Ball(n, radius, ua, ra, sa);
      expectArrayClose(out.view, ra, tol);
      expectStats(got(), r, out.view, 0);
      expect(e.l1BallIndicator(n, radius, out.ptr)).toBe(0);
      expect(e.l1BallIndicator(n, radius, u.ptr)).toBe(ref.l1BallIndicator(n, radius, ua));

      e.projSimplex(n, radius, u.ptr, out.ptr, scratch.ptr, nnzOut, valOut);
      r = ref.projSimplex(n, radius, ua, ra, sa);
      expectArrayClose(out.view, ra, tol);
      expectStats(got(), r, out.view, 0);
      if (n > 0) {
        expect(e.simplexIndicator(n, radius, out.ptr)).toBe(0);
        expect(ref.simplexIndicator(n, radius, ra)).toBe(0);
        expect(e.simplexIndicator(n, radius, u.ptr)).toBe(ref.simplexIndicator(n, radius, ua));
      }
    }
    for (const b of [u, out, scratch]) b.free();
  });

  it("projections work in place (out aliasing u)", () => {
    const n = 37;
    const ua = randomArray(dtype, n, rand);
    const scratch = k.alloc(n);
    const cases: [string, (p: number) => void, (o: RealArray) => void][] = [
      ["softThreshold", (p) => e.softThreshold(n, 1, 0.7, p, p, nnzOut, valOut), (o) => ref.softThreshold(n, 1, 0.7, ua, o)],
      ["projL1Ball", (p) => e.projL1Ball(n, 3, p, p, scratch.ptr, nnzOut, valOut), (o) => ref.projL1Ball(n, 3, ua, o, ua.slice())],
      ["projSimplex", (p) => e.projSimplex(n, 2, p, p, scratch.ptr, nnzOut, valOut), (o) => ref.projSimplex(n, 2, ua, o, ua.slice())],
      ["proxGroupL1", (p) => e.proxGroupL1(n, 4, 1, 0.9, p, p, nnzOut, valOut), (o) => ref.proxGroupL1(n, 4, 1, 0.9, ua, o)],
      ["projL2Ball", (p) => e.projL2Ball(n, 1.5, p, p, nnzOut, valOut), (o) => ref.projL2Ball(n, 1.5, ua, o)],
    ];
    for (const [, run, expected] of cases) {
      const u = k.from(ua);
      run(u.ptr);
      const ra = ua.slice();
      expected(ra);
      expectArrayClose(u.view, ra, tol);
      u.free();
    }
    scratch.free();
  });
});
