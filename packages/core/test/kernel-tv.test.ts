import { describe, expect, it } from "vitest";
import { DTYPES } from "../src/dtype.js";
import { Kernel, reference } from "../src/kernel/index.js";
import { parityTol } from "./helpers.js";
import { expectArrayClose, expectScalarClose, mulberry32, randomArray } from "@cflow/test-kit";

const ref = reference.tv;

describe.each(DTYPES)("TV prox kernels match their FGP reference (%s)", (dtype) => {
  const k = Kernel.get(dtype);
  const e = k.exports;
  const tol = parityTol(dtype);
  const rand = mulberry32(33);
  const stats = k.allocF64(2);

  it.each([2, 3, 5, 8, 17, 100, 1001])("1D, n = %i", (n) => {
    const ua = randomArray(dtype, n, rand);
    const u = k.from(ua);
    const out = k.alloc(n);
    const scratch = k.alloc(e.tvScratchSize(1, n));
    const sa = scratch.view.slice();
    const ra = ua.slice();
    const t = 0.5 + rand();
    const lam = 0.2 + 0.5 * rand();
    const steps = e.tvProx1D(n, t, lam, 40, 0, u.ptr, out.ptr, scratch.ptr, 0, stats.ptr, stats.ptr + 8);
    const r = ref.tvProx1D(n, t, lam, 40, 0, ua, ra, sa, 0);
    expect(steps).toBe(40);
    expect(r.steps).toBe(40);
    expectArrayClose(out.view, ra, tol);
    expect(stats.view[0]).toBeNaN();
    expectScalarClose(stats.view[1], ref.tvValue1D(n, lam, out.view), 1e-12, 1e-300);
    expectScalarClose(e.tvValue1D(n, lam, u.ptr), ref.tvValue1D(n, lam, ua), parityTol(dtype), 1e-300);
    // warm start continues from the dual left in scratch
    e.tvProx1D(n, t, lam, 15, 0, u.ptr, out.ptr, scratch.ptr, 1, stats.ptr, stats.ptr + 8);
    ref.tvProx1D(n, t, lam, 15, 0, ua, ra, sa, 1);
    expectArrayClose(out.view, ra, tol);
    for (const b of [u, out, scratch]) b.free();
  });

  it.each([
    [1, 9],
    [9, 1],
    [2, 2],
    [5, 7],
    [16, 16],
    [31, 45],
  ])("2D, %i × %i, anisotropic and isotropic", (rows, cols) => {
    const n = rows * cols;
    const ua = randomArray(dtype, n, rand);
    const u = k.from(ua);
    const out = k.alloc(n);
    const scratch = k.alloc(e.tvScratchSize(2, n));
    for (const iso of [0, 1]) {
      const ra = ua.slice();
      const sa = scratch.view.slice();
      const t = 0.5 + rand();
      const lam = 0.1 + 0.3 * rand();
      const steps = e.tvProx2D(rows, cols, t, lam, 30, 0, iso, u.ptr, out.ptr, scratch.ptr, 0, stats.ptr, stats.ptr + 8);
      ref.tvProx2D(rows, cols, t, lam, 30, 0, iso, ua, ra, sa, 0);
      expect(steps).toBe(30);
      expectArrayClose(out.view, ra, tol);
      expect(stats.view[0]).toBeNaN();
      expectScalarClose(stats.view[1], ref.tvValue2D(rows, cols, lam, iso, out.view), 1e-12, 1e-300);
      expectScalarClose(e.tvValue2D(rows, cols, lam, iso, u.ptr), ref.tvValue2D(rows, cols, lam, iso, ua), parityTol(dtype), 1e-300);
    }
    for (const b of [u, out, scratch]) b.free();
  });

  it("stops at the tolerance, in place, and passes through when tλ = 0", () => {
    const rows = 20;
    const cols = 24;
    const n = rows * cols;
    const ua = randomArray(dtype, n, rand);
    const scratch = k.alloc(e.tvScratchSize(2, n));
    const u = k.from(ua);
    const steps = e.tvProx2D(rows, cols, 1, 0.2, 5000, 1e-4, 1, u.ptr, u.ptr, scratch.ptr, 0, stats.ptr, stats.ptr + 8);
    expect(steps).toBeGreaterThan(1);
    expect(steps).toBeLessThan(5000);
    const ra = ua.slice();
    const r = ref.tvProx2D(rows, cols, 1, 0.2, 5000, 1e-4, 1, ua, ra, scratch.view.slice(), 0);
    expect(Math.abs(r.steps - steps)).toBeLessThanOrEqual(1);
    expectArrayClose(u.view, ra, dtype === "float64" ? 1e-6 : 1e-4);
    u.set(ua);
    expect(e.tvProx2D(rows, cols, 0, 0.2, 100, 0, 0, u.ptr, u.ptr, scratch.ptr, 0, stats.ptr, stats.ptr + 8)).toBe(0);
    expect(Array.from(u.view)).toEqual(Array.from(ua));
    for (const b of [u, scratch]) b.free();
  });
});
