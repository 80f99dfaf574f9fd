import { describe, expect, it } from "vitest";
import { type TvTerm, proxAtoms } from "../src/atoms/index.js";
import type { AtomContext, ProxTerm } from "../src/atoms/index.js";
import { DTYPES, type Shape } from "../src/dtype.js";
import { CellBank, Kernel } from "../src/kernel/index.js";
import { mulberry32, randomArray } from "@cflow/test-kit";

/** Forward differences as a dense matrix, written from the definition (Neumann: last difference 0). */
function denseD(shape: number[]): number[][] {
  const rows = shape.length === 1 ? 1 : shape[0];
  const cols = shape.length === 1 ? shape[0] : shape[1];
  const axes = shape.length === 1 ? [[0, 1]] : [[1, 0], [0, 1]];
  const m: number[][] = [];
  for (const [di, dj] of axes) {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const row = new Array<number>(rows * cols).fill(0);
        if (i + di < rows && j + dj < cols) {
          row[(i + di) * cols + j + dj] = 1;
          row[i * cols + j] = -1;
        }
        m.push(row);
      }
    }
  }
  return m;
}

const mul = (D: number[][], x: number[]) => D.map((r) => r.reduce((s, a, j) => s + a * x[j], 0));
const mulT = (D: number[][], y: number[]) => D[0].map((_, j) => D.reduce((s, r, i) => s + r[j] * y[i], 0));

/** TV of x for the dense D: Σ|Dx| (anisotropic) or Σ_pixels ‖(D⁰x, D¹x)‖ (isotropic). */
function tv(D: number[][], x: number[], iso: boolean): number {
  const d = mul(D, x);
  const n = x.length;
  if (!iso || d.length === n) return d.reduce((s, a) => s + Math.abs(a), 0);
  let s = 0;
  for (let k = 0; k < n; k++) s += Math.hypot(d[k], d[n + k]);
  return s;
}

/**
 * A slow, independent solver: plain projected gradient on the dual of min ½‖x − v‖² + μTV(x),
 * many steps; returns the primal point and the dual value G(p) = ½‖v‖² − ½‖v − μDᵀp‖² ≤ min.
 */
function slowTv(D: number[][], v: number[], mu: number, iso: boolean, steps: number): { x: number[]; dual: number } {
  const n = v.length;
  const m = D.length;
  let p = new Array<number>(m).fill(0);
  const step = 1 / (8 * mu);
  const primal = (q: number[]) => {
    const dq = mulT(D, q);
    return v.map((vi, i) => vi - mu * dq[i]);
  };
  for (let s = 0; s < steps; s++) {
    const g = mul(D, primal(p));
    p = p.map((pi, i) => pi + step * g[i]);
    if (iso && m === 2 * n) {
      for (let k = 0; k < n; k++) {
        const f = Math.max(1, Math.hypot(p[k], p[n + k]));
        p[k] /= f;
        p[n + k] /= f;
      }
    } else p = p.map((a) => Math.min(1, Math.max(-1, a)));
  }
  const x = primal(p);
  const vv = v.reduce((s, a) => s + a * a, 0);
  const rr = x.reduce((s, a) => s + a * a, 0);
  return { x, dual: 0.5 * vv - 0.5 * rr };
}

describe.each(DTYPES)("TV atoms against an independent slow dual solver (%s)", (dtype) => {
  const k = Kernel.get(dtype);
  const cells = new CellBank(k);
  const rand = mulberry32(404);
  const atoms = new Map(proxAtoms.map((a) => [a.name, a]));
  const ctx = (slotShape: Shape, weight: number, params: AtomContext["params"]): AtomContext => ({ path: "terms[1]", kernel: k, dtype, slotShape, weight, params, data: {}, cells });

  it.each([
    ["tvAnisotropic", [9]],
    ["tvIsotropic", [12]],
    ["tvAnisotropic", [5, 6]],
    ["tvIsotropic", [5, 6]],
    ["tvIsotropic", [1, 7]],
  ] as [string, number[]][])("%s on %j: objective within the duality gap of the slow solver's certificate", (name, shape) => {
    const iso = name === "tvIsotropic";
    const n = shape.reduce((a, b) => a * b, 1);
    const lam = 0.4;
    const t = 0.75;
    const term = atoms.get(name)!.create(ctx(shape, lam, { iterations: 3000, tol: 0 })) as ProxTerm & TvTerm;
    // a piecewise-constant signal plus noise: TV has real work to do
    const va = randomArray(dtype, n, rand).map((x, i) => 0.3 * x + (i % 4 < 2 ? 1 : -0.5));
    const v = Array.from(va);
    const u = k.from(va);
    const out = k.alloc(n);
    term.prox(u, t, out);
    const x = Array.from(out.view);
    const D = denseD(shape);
    const mu = t * lam;
    const F = (z: number[]) => 0.5 * z.reduce((s, a, i) => s + (a - v[i]) ** 2, 0) + mu * tv(D, z, iso);
    const slow = slowTv(D, v, mu, iso, 20000);
    // F(x_fgp) ≥ min F ≥ G(p_slow): a small F(x_fgp) − G(p_slow) certifies both
    const scale = F(v);
    const gap = F(x) - slow.dual;
    expect(gap).toBeGreaterThan(-1e-12 * scale - (dtype === "float32" ? 1e-5 * scale : 0));
    expect(gap).toBeLessThan((dtype === "float64" ? 1e-10 : 1e-6) * scale);
    expect(Math.abs(F(x) - F(slow.x))).toBeLessThan((dtype === "float64" ? 1e-10 : 1e-6) * scale);
    // strong convexity: ½‖x − x*‖² ≤ F(x) − F* ≤ gap
    const dist = Math.sqrt(x.reduce((s, a, i) => s + (a - slow.x[i]) ** 2, 0));
    expect(dist).toBeLessThan(Math.sqrt(2 * Math.max(gap, 0)) + (dtype === "float64" ? 1e-6 : 1e-3));
    // fused statistics: TV does not track nnz; the value is λ·TV(out)
    expect(term.lastStats.nnz).toBeNaN();
    expect(term.lastStats.value).toBeCloseTo(lam * tv(D, x, iso), dtype === "float64" ? 10 : 4);
    expect(term.value(out)).toBeCloseTo(lam * tv(D, x, iso), dtype === "float64" ? 10 : 4);
    // tol = 0: it runs until the relative gap reaches the dtype's floor (well before 3000 steps)
    expect(term.steps.value).toBeLessThan(3000);
    expect(term.lastGap).toBeLessThanOrEqual(term.lastTarget);
    expect(term.lastTarget).toBe(dtype === "float64" ? 1e-13 : 5e-7);
    // the gap it reports bounds the suboptimality: F(x) − F(x_slow) ≤ F(x) − F* ≤ gap·(½‖x − v‖² + μTV(x))
    expect(F(x) - F(slow.x)).toBeLessThanOrEqual(term.lastGap * F(x) + (dtype === "float64" ? 1e-12 : 1e-6) * scale);
    for (const b of [u, out]) b.free();
    term.dispose();
  });

  it("stops early at the default tolerance and agrees with the converged prox", () => {
    const shape = [24, 20];
    const n = 480;
    const va = randomArray(dtype, n, rand);
    const u = k.from(va);
    const a = k.alloc(n);
    const b = k.alloc(n);
    const quick = atoms.get("tvIsotropic")!.create(ctx(shape, 0.2, {})) as TvTerm;
    const exact = atoms.get("tvIsotropic")!.create(ctx(shape, 0.2, { iterations: 4000, tol: 0 })) as TvTerm;
    quick.prox(u, 1, a);
    exact.prox(u, 1, b);
    // the first prox aims at the default relative gap 1e-3
    expect(quick.lastTarget).toBe(1e-3);
    expect(quick.lastGap).toBeLessThanOrEqual(1e-3);
    expect(quick.steps.value).toBeLessThan(100);
    expect(quick.steps.value).toBeGreaterThan(0);
    // ½‖a − b‖² ≤ F(a) − F* ≤ gap (strong convexity of the subproblem)
    const dist2 = Array.from(a.view).reduce((s, x, i) => s + (x - b.view[i]) ** 2, 0);
    const F0 = 0.5 * Array.from(a.view).reduce((s, x, i) => s + (x - va[i]) ** 2, 0) + quick.lastStats.value;
    expect(0.5 * dist2).toBeLessThanOrEqual(quick.lastGap * F0 * (1 + 1e-6) + (dtype === "float64" ? 1e-12 : 1e-6));
    for (const x of [u, a, b]) x.free();
    for (const x of [quick, exact]) x.dispose();
  });

  it("warm start: a flow's successive proxes reach the same gap targets in fewer dual steps", () => {
    // the inputs of a converging flow: a fixed point plus a shrinking perturbation
    const shape = [32, 28];
    const n = 32 * 28;
    const base = randomArray(dtype, n, rand).map((x, i) => 0.3 * x + ((i % 28) < 14 ? 1 : 0));
    const wiggle = randomArray(dtype, n, rand);
    const params = { iterations: 5000, tol: 1e-3, tolDecay: 2 };
    const warm = atoms.get("tvIsotropic")!.create(ctx(shape, 0.2, { ...params, warmStart: true })) as TvTerm;
    const cold = atoms.get("tvIsotropic")!.create(ctx(shape, 0.2, { ...params, warmStart: false })) as TvTerm;
    const u = k.alloc(n);
    const out = k.alloc(n);
    // dual steps of the first 8 proxes, and of the last 4 (where the inputs have nearly settled)
    const warmSteps = [0, 0];
    const coldSteps = [0, 0];
    for (let j = 1; j <= 12; j++) {
      u.set(base.map((x, i) => x + 0.5 ** j * wiggle[i]));
      for (const [term, add] of [
        [warm, (s: number) => (warmSteps[j > 8 ? 1 : 0] += s)],
        [cold, (s: number) => (coldSteps[j > 8 ? 1 : 0] += s)],
      ] as const) {
        term.prox(u, 1, out);
        // the k-th prox aims at tol·k^(−decay), floored at the dtype's rounding
        expect(term.proxCount).toBe(j);
        expect(term.lastTarget).toBeCloseTo(Math.max(1e-3 * j ** -2, dtype === "float64" ? 1e-13 : 5e-7), 15);
        expect(term.lastGap).toBeLessThanOrEqual(term.lastTarget);
        add(term.steps.value);
      }
    }
    expect(warmSteps[0]).toBeLessThan(0.7 * coldSteps[0]);
    expect(warmSteps[1]).toBeLessThan(0.35 * coldSteps[1]);
    for (const x of [u, out]) x.free();
    for (const x of [warm, cold]) x.dispose();
  });

  it("saveState/loadState carry the warm start: a restored term repeats the original's next prox exactly", () => {
    const shape = [12, 10];
    const n = 120;
    const va = randomArray(dtype, n, rand);
    const u = k.from(va);
    const a = k.alloc(n);
    const b = k.alloc(n);
    const one = atoms.get("tvAnisotropic")!.create(ctx(shape, 0.3, {})) as TvTerm;
    const two = atoms.get("tvAnisotropic")!.create(ctx(shape, 0.3, {})) as TvTerm;
    one.prox(u, 1, a);
    one.prox(u, 1, a);
    two.loadState(one.saveState());
    expect(two.proxCount).toBe(2);
    u.set(va.map((x) => 0.9 * x));
    one.prox(u, 1, a);
    two.prox(u, 1, b);
    expect(Array.from(b.view)).toEqual(Array.from(a.view));
    expect(two.steps.value).toBe(one.steps.value);
    const bad = one.saveState();
    bad.arrays.dual = bad.arrays.dual.slice(1);
    expect(() => two.loadState(bad)).toThrow(/expected arrays\.dual as 240/);
    for (const x of [u, a, b]) x.free();
    for (const x of [one, two]) x.dispose();
  });

  it("in 1D the isotropic and anisotropic TV coincide; other ranks are refused", () => {
    const va = randomArray(dtype, 50, rand);
    const u = k.from(va);
    const a = k.alloc(50);
    const b = k.alloc(50);
    const ta = atoms.get("tvAnisotropic")!.create(ctx([50], 0.3, { iterations: 200, tol: 0 })) as TvTerm;
    const ti = atoms.get("tvIsotropic")!.create(ctx([50], 0.3, { iterations: 200, tol: 0 })) as TvTerm;
    ta.prox(u, 1, a);
    ti.prox(u, 1, b);
    expect(Array.from(a.view)).toEqual(Array.from(b.view));
    expect(() => atoms.get("tvIsotropic")!.create(ctx([2, 3, 4], 1, {}))).toThrow(/\[n\] or \[rows, cols\]/);
    expect(() => atoms.get("tvIsotropic")!.create(ctx([4], 1, { iterations: 0 }))).toThrow(/params\.iterations: out of range/);
    for (const x of [u, a, b]) x.free();
    for (const x of [ta, ti]) x.dispose();
  });
});
