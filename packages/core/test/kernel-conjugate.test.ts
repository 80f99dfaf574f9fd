import { describe, expect, it } from "vitest";
import { DTYPES } from "../src/dtype.js";
import { Kernel, reference } from "../src/kernel/index.js";
import { parityTol, paritySizes } from "./helpers.js";
import { expectArrayClose, expectScalarClose, mulberry32, randomArray } from "@cflow/test-kit";

const ref = reference.conjugate;

describe.each(DTYPES)("conjugate kernels match their references (%s)", (dtype) => {
  const k = Kernel.get(dtype);
  const e = k.exports;
  const tol = parityTol(dtype);
  const rand = mulberry32(1414);
  const cells = k.allocF64(4);
  const [nnzOut, valOut, invOut, gxIn] = [0, 1, 2, 3].map((i) => cells.ptr + 8 * i);

  it.each(paritySizes(rand))("Moreau halves and the ∞-ball projection, n = %i", (n) => {
    const va = randomArray(dtype, n, rand);
    const xa = randomArray(dtype, n, rand);
    const v = k.from(va);
    const x = k.from(xa);
    const out = k.alloc(n);
    const sigma = 0.3 + 2 * rand();

    e.moreauScale(n, sigma, v.ptr, out.ptr, invOut);
    const wa = va.slice();
    expect(ref.moreauScale(n, sigma, va, wa)).toBe(cells.view[2]);
    expectArrayClose(out.view, wa, tol);

    const gx = rand();
    cells.view[3] = gx;
    e.moreauCombine(n, sigma, v.ptr, x.ptr, out.ptr, gxIn, nnzOut, valOut);
    const oa = va.slice();
    const r = ref.moreauCombine(n, sigma, va, xa, oa, gx);
    expectArrayClose(out.view, oa, tol);
    expect(cells.view[0]).toBe(r.nnz);
    // ⟨x, out⟩ − g(x): a sum of n products, compared on the scale of its terms
    let scale = Math.abs(gx);
    for (let i = 0; i < n; i++) scale += Math.abs(xa[i] * oa[i]);
    expectScalarClose(cells.view[1], r.value, 0, tol * scale + 1e-300);
    // in place, out aliasing v
    e.moreauCombine(n, sigma, v.ptr, x.ptr, v.ptr, gxIn, nnzOut, valOut);
    expectArrayClose(v.view, oa, tol);

    const radius = 0.2 + rand();
    e.projLinfBall(n, radius, x.ptr, out.ptr, nnzOut, valOut);
    const pr = ref.projLinfBall(n, radius, xa, oa);
    expectArrayClose(out.view, oa, 0);
    expect(cells.view[0]).toBe(pr.nnz);
    expect(cells.view[1]).toBe(0);
    for (let i = 0; i < n; i++) expect(Math.abs(out.view[i])).toBeLessThanOrEqual(dtype === "float64" ? radius : Math.fround(radius));
    for (const b of [v, x, out]) b.free();
  });

  it.each(paritySizes(rand))("pairwise 2-ball projection (isotropic TV's dual ball), n = %i pairs", (n) => {
    const ua = randomArray(dtype, 2 * n, rand);
    const u = k.from(ua);
    const out = k.alloc(2 * n);
    const oa = ua.slice();
    const radius = 0.3 + 0.5 * rand();
    e.projL2PairBall(n, radius, u.ptr, out.ptr, nnzOut, valOut);
    const r = ref.projL2PairBall(n, radius, ua, oa);
    expectArrayClose(out.view, oa, tol);
    expect(cells.view[0]).toBe(r.nnz);
    expect(cells.view[1]).toBe(0);
    for (let i = 0; i < n; i++) expect(Math.hypot(out.view[i], out.view[n + i])).toBeLessThanOrEqual(radius * (1 + tol));
    // in place
    e.projL2PairBall(n, radius, u.ptr, u.ptr, nnzOut, valOut);
    expectArrayClose(u.view, oa, tol);
    for (const b of [u, out]) b.free();
  });
});
