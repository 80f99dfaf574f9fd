import { describe, expect, it } from "vitest";
import type { AtomContext, SmoothTerm } from "../src/atoms/atom.js";
import { smoothAtoms } from "../src/atoms/smooth/index.js";
import { DTYPES, type Dtype, type RealArray } from "../src/dtype.js";
import { CellBank, Kernel, PlanBuilder } from "../src/kernel/index.js";
import { denseOp } from "../src/ops/dense.js";
import { mulberry32, randn } from "@cflow/test-kit";

const atom = (name: string) => smoothAtoms.find((a) => a.name === name)!;

/** Every smooth atom on the same little least-squares geometry: A is 7×5, x has 5 entries. */
describe.each(DTYPES)("smooth atoms (%s)", (dtype: Dtype) => {
  const k = Kernel.get(dtype);
  const cells = new CellBank(k);
  const rand = mulberry32(99);
  const real = (a: ArrayLike<number>): RealArray => (dtype === "float64" ? Float64Array.from(a) : Float32Array.from(a));
  const gen = (len: number, f: (i: number) => number): RealArray => real(Array.from({ length: len }, (_, i) => f(i)));
  const m = 7;
  const n = 5;
  const Am = gen(m * n, () => randn(rand));
  const A = denseOp(Am, { rows: m, cols: n, dtype });
  const Q = (() => {
    // a symmetric PSD 5×5: BᵀB
    const B = Array.from({ length: n * n }, () => randn(rand));
    const q = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let l = 0; l < n; l++) q[i * n + j] += B[l * n + i] * B[l * n + j];
    return denseOp(real(q), { rows: n, cols: n, dtype });
  })();
  const b = k.from(gen(m, () => randn(rand)));
  const labels = k.from(gen(m, (i) => (i % 3 === 0 ? -1 : 1)));
  const weights = k.from(gen(m, () => 0.2 + rand()));
  const data = { b, labels, weights };
  // finite differences in the dtype: step and tolerance sized to its precision
  const h = dtype === "float64" ? 1e-6 : 3e-3;
  const tol = dtype === "float64" ? 1e-6 : 2e-2;

  const cases: [string, Partial<AtomContext>][] = [
    ["leastSquares", { op: A, target: b, weight: 0.7 }],
    ["leastSquares", { target: k.from(gen(n, () => randn(rand))), weight: 1.3 }],
    ["weightedLeastSquares", { op: A, target: b, weight: 0.5, params: { weights: "weights" } }],
    ["huber", { op: A, target: b, weight: 2, params: { delta: 0.4 } }],
    ["tikhonov", { op: A, weight: 0.3 }],
    ["tikhonov", { weight: 0.3 }],
    ["quadraticForm", { op: Q, weight: 0.9 }],
    ["logistic", { op: A, target: labels, weight: 1.1 }],
  ];

  const make = (name: string, extra: Partial<AtomContext>): SmoothTerm =>
    atom(name).create({ path: "terms[0]", kernel: k, dtype, slotShape: [n], weight: 1, params: {}, data, cells, ...extra }) as SmoothTerm;

  const valueAt = (t: SmoothTerm, x: ArrayLike<number>) => {
    const xb = k.from(real(x));
    const v = t.value(xb);
    xb.free();
    return v;
  };

  it.each(cases)("%s: gradient and Hessian against finite differences", (name, extra) => {
    const t = make(name, extra);
    const x = gen(n, () => 0.5 * randn(rand));
    const xb = k.from(x);
    const g = k.alloc(n);
    const f = t.addGradient(xb, g);
    expect(f).toBeCloseTo(valueAt(t, x), dtype === "float64" ? 12 : 4);
    const scale = Math.max(1, ...Array.from(g.view, Math.abs));
    for (let i = 0; i < n; i++) {
      const xp = Array.from(x);
      const xm = Array.from(x);
      xp[i] += h;
      xm[i] -= h;
      const fd = (valueAt(t, xp) - valueAt(t, xm)) / (2 * h);
      expect(Math.abs(fd - g.view[i]) / scale).toBeLessThan(tol);
    }
    // Hessian-vector product against the difference of gradients along v
    const v = gen(n, () => randn(rand));
    const hv = k.alloc(n);
    t.addHessian(xb, k.from(v), hv);
    const gp = k.alloc(n);
    const gm = k.alloc(n);
    t.addGradient(k.from(real(Array.from(x, (xi: number, i: number) => xi + h * v[i]))), gp);
    t.addGradient(k.from(real(Array.from(x, (xi: number, i: number) => xi - h * v[i]))), gm);
    const hs = Math.max(1, ...Array.from(hv.view, Math.abs));
    for (let i = 0; i < n; i++) expect(Math.abs((gp.view[i] - gm.view[i]) / (2 * h) - hv.view[i]) / hs).toBeLessThan(name === "huber" ? 5 * tol : tol);
    t.dispose();
  });

  it.each(cases)("%s: the plan's gradient at the momentum point equals the direct gradient there", (name, extra) => {
    const t = make(name, extra);
    const x1 = gen(n, () => randn(rand));
    const x0 = gen(n, () => randn(rand));
    const beta = 0.37;
    const y = real(Array.from(x1, (v: number, i: number) => v + beta * (v - x0[i])));
    const [b1, b0, by] = [x1, x0, y].map((a) => k.from(a as RealArray));
    const g = k.alloc(n);
    const cs = new CellBank(k);
    const [v1, v0, vy, betaCell] = [cs.cell(), cs.cell(), cs.cell(), cs.cell(beta)];
    const p = new PlanBuilder(k);
    t.emitObserve(p, b0, 2, v0);
    t.emitObserve(p, b1, 0, v1);
    t.emitGradient(p, by, 0, 2, betaCell, g, vy);
    const prog = p.build();
    prog.run();
    const gd = k.alloc(n);
    const fy = t.addGradient(by, gd);
    expect(v1.value).toBeCloseTo(valueAt(t, x1), dtype === "float64" ? 10 : 3);
    expect(v0.value).toBeCloseTo(valueAt(t, x0), dtype === "float64" ? 10 : 3);
    expect(Math.abs(vy.value - fy) / Math.max(1, Math.abs(fy))).toBeLessThan(dtype === "float64" ? 1e-12 : 1e-5);
    const gs = Math.max(1, ...Array.from(gd.view, Math.abs));
    for (let i = 0; i < n; i++) expect(Math.abs(g.view[i] - gd.view[i]) / gs).toBeLessThan(dtype === "float64" ? 1e-12 : 1e-5);
    prog.dispose();
    cs.dispose();
    t.dispose();
  });

  it("least squares reports its Lipschitz constant as w‖A‖², quadratic forms as w‖Q‖", () => {
    expect(make("leastSquares", { op: A, target: b, weight: 0.7 }).lipschitz).toMatchObject({ scale: 0.7, normOp: A });
    expect(make("quadraticForm", { op: Q, weight: 0.9 }).lipschitz).toMatchObject({ scale: 0.9, normOp: Q, power: 1 });
    expect(make("logistic", { op: A, target: labels, weight: 2 }).lipschitz.scale).toBeCloseTo(0.5, 12);
  });

  it("refuses a non-symmetric quadratic form and labels outside ±1, naming the term", () => {
    expect(() => make("quadraticForm", { op: A })).toThrow(/terms\[0\]\.op/);
    const bad = denseOp(gen(n * n, (i) => i), { rows: n, cols: n, dtype });
    expect(() => make("quadraticForm", { op: bad })).toThrow(/symmetric/);
    expect(() => make("logistic", { op: A, target: b })).toThrow(/labels must be −1 or \+1/);
  });
});
