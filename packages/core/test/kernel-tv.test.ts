import { describe, expect, it } from "vitest";
import { DTYPES, type RealArray } from "../src/dtype.js";
import { Kernel, reference } from "../src/kernel/index.js";
import { tv2dDual } from "./reference-solvers.js";
import { parityTol } from "./helpers.js";
import { expectArrayClose, expectScalarClose, mulberry32, randomArray } from "@cflow/test-kit";

const ref = reference.tv;

describe.each(DTYPES)("TV prox kernels match their FGP reference (%s)", (dtype) => {
  const k = Kernel.get(dtype);
  const e = k.exports;
  const tol = parityTol(dtype);
  const rand = mulberry32(33);
  const stats = k.allocF64(2);
  /** The kernel's progress cells: [proxes so far, relative gap reached, target ε_k, momentum t_k]. */
  const state = k.allocF64(4);
  const s = [state.ptr, stats.ptr, stats.ptr + 8] as const;

  it.each([2, 3, 5, 8, 17, 100, 1001])("1D, n = %i", (n) => {
    const ua = randomArray(dtype, n, rand);
    const u = k.from(ua);
    const out = k.alloc(n);
    const scratch = k.alloc(e.tvScratchSize(1, n));
    scratch.view.fill(0);
    state.view.fill(0);
    const sa = scratch.view.slice();
    const st = new Float64Array(4);
    const ra = ua.slice();
    const t = 0.5 + rand();
    const lam = 0.2 + 0.5 * rand();
    const steps = e.tvProx1D(n, t, lam, 40, 0, 2, u.ptr, out.ptr, scratch.ptr, 0, ...s);
    const r = ref.tvProx1D(n, t, lam, 40, 0, 2, ua, ra, sa, 0, st);
    // tol = 0: only the dtype's floor (5e-7 in float32: small signals reach it, at a check point
    // that rounding may move) or the step cap stops it
    if (dtype === "float64") {
      expect(steps).toBe(r.steps);
      if (n > 2) expect(steps).toBe(40);
    } else expect(Math.max(steps, r.steps)).toBeLessThanOrEqual(40);
    expectArrayClose(out.view, ra, tol);
    expect(stats.view[0]).toBeNaN();
    expectScalarClose(stats.view[1], ref.tvValue1D(n, lam, out.view), dtype === "float64" ? 1e-12 : 1e-6, 1e-300);
    expectScalarClose(e.tvValue1D(n, lam, u.ptr), ref.tvValue1D(n, lam, ua), parityTol(dtype), 1e-300);
    expect(state.view[0]).toBe(1);
    expect(st[0]).toBe(1);
    expectScalarClose(state.view[1], st[1], dtype === "float64" ? 1e-6 : 1e-2, dtype === "float64" ? 1e-12 : 1e-6);
    expect(state.view[2]).toBe(st[2]);
    // warm start continues from the dual and momentum left in scratch and state
    e.tvProx1D(n, t, lam, 15, 0, 2, u.ptr, out.ptr, scratch.ptr, 1, ...s);
    ref.tvProx1D(n, t, lam, 15, 0, 2, ua, ra, sa, 1, st);
    expectArrayClose(out.view, ra, tol);
    expect(state.view[0]).toBe(2);
    expect(state.view[3]).toBe(st[3]);
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
      const st = new Float64Array(4);
      state.view.fill(0);
      const t = 0.5 + rand();
      const lam = 0.1 + 0.3 * rand();
      const steps = e.tvProx2D(rows, cols, t, lam, 30, 0, 2, iso, u.ptr, out.ptr, scratch.ptr, 0, ...s);
      const r = ref.tvProx2D(rows, cols, t, lam, 30, 0, 2, iso, ua, ra, sa, 0, st);
      if (dtype === "float64") {
        expect(steps).toBe(r.steps);
        if (n > 4) expect(steps).toBe(30);
      } else expect(Math.max(steps, r.steps)).toBeLessThanOrEqual(30);
      expectArrayClose(out.view, ra, tol);
      expect(stats.view[0]).toBeNaN();
      expectScalarClose(stats.view[1], ref.tvValue2D(rows, cols, lam, iso, out.view), dtype === "float64" ? 1e-12 : 1e-6, 1e-300);
      expectScalarClose(e.tvValue2D(rows, cols, lam, iso, u.ptr), ref.tvValue2D(rows, cols, lam, iso, ua), parityTol(dtype), 1e-300);
      expectScalarClose(state.view[1], st[1], dtype === "float64" ? 1e-6 : 1e-2, dtype === "float64" ? 1e-12 : 1e-6);
    }
    for (const b of [u, out, scratch]) b.free();
  });

  it("stops at the tightening gap target, in place, and passes through when tλ = 0", () => {
    const rows = 20;
    const cols = 24;
    const n = rows * cols;
    const ua = randomArray(dtype, n, rand);
    const scratch = k.alloc(e.tvScratchSize(2, n));
    scratch.view.fill(0);
    state.view.fill(0);
    const u = k.from(ua);
    const steps = e.tvProx2D(rows, cols, 1, 0.2, 5000, 1e-4, 2, 1, u.ptr, u.ptr, scratch.ptr, 0, ...s);
    expect(steps).toBeGreaterThan(1);
    expect(steps).toBeLessThan(5000);
    expect(state.view[2]).toBe(1e-4);
    expect(state.view[1]).toBeLessThanOrEqual(1e-4);
    const ra = ua.slice();
    const st = new Float64Array(4);
    const r = ref.tvProx2D(rows, cols, 1, 0.2, 5000, 1e-4, 2, 1, ua, ra, new Float64Array(scratch.length), 0, st);
    expect(r.steps).toBe(steps);
    expectArrayClose(u.view, ra, dtype === "float64" ? 1e-6 : 1e-4);
    // the second prox aims at 1e-4·2^(−2)
    u.set(ua);
    e.tvProx2D(rows, cols, 1, 0.2, 5000, 1e-4, 2, 1, u.ptr, u.ptr, scratch.ptr, 1, ...s);
    expect(state.view[0]).toBe(2);
    expect(state.view[2]).toBeCloseTo(2.5e-5, 15);
    expect(state.view[1]).toBeLessThanOrEqual(2.5e-5);
    u.set(ua);
    expect(e.tvProx2D(rows, cols, 0, 0.2, 100, 0, 2, 0, u.ptr, u.ptr, scratch.ptr, 0, ...s)).toBe(0);
    expect(Array.from(u.view)).toEqual(Array.from(ua));
    for (const b of [u, scratch]) b.free();
  });

  it("the relative gap it reports bounds the true suboptimality and shrinks with the steps", () => {
    const rows = 24;
    const cols = 20;
    const n = rows * cols;
    const ua = randomArray(dtype, n, rand).map((x, i) => 0.2 * x + ((i % cols) < 10 ? 1 : 0));
    const v = Array.from(ua);
    const lam = 0.15;
    const truth = tv2dDual(v, rows, cols, lam, true, { iterations: 20000 });
    const F = (x: RealArray) => {
      let fit = 0;
      for (let i = 0; i < n; i++) fit += 0.5 * (x[i] - v[i]) ** 2;
      return fit + lam * ref.tvValue2D(rows, cols, 1, 1, x);
    };
    const u = k.from(ua);
    const out = k.alloc(n);
    const scratch = k.alloc(e.tvScratchSize(2, n));
    const gaps: number[] = [];
    for (const iters of [1, 4, 16, 64, 256]) {
      scratch.view.fill(0);
      state.view.fill(0);
      e.tvProx2D(rows, cols, 1, lam, iters, 0, 2, 1, u.ptr, out.ptr, scratch.ptr, 0, ...s);
      const rel = state.view[1];
      const fx = F(out.view);
      // relative gap · (½‖x − v‖² + λTV(x)) = G ≥ F(x) − F* ≥ F(x) − P(x_ref)
      const slack = dtype === "float64" ? 1e-12 * fx : 1e-5 * fx;
      expect(fx - truth.primal).toBeLessThanOrEqual(rel * fx + slack);
      gaps.push(rel);
    }
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBeLessThan(gaps[i - 1]);
    expect(gaps[4]).toBeLessThan(1e-3 * gaps[0]);
    for (const b of [u, out, scratch]) b.free();
  });
});
