import { describe, expect, it } from "vitest";
import { proxAtoms } from "../src/atoms/index.js";
import type { AtomContext, ProxTerm } from "../src/atoms/index.js";
import { DTYPES, type RealArray, type Shape } from "../src/dtype.js";
import { CellBank, Kernel, type RealBuf } from "../src/kernel/index.js";
import { mulberry32, randn } from "@cflow/test-kit";

// Conjugate proxes prox_{σg*} of every prox atom, and the data-fidelity atoms (poisson, l1Data,
// l2Ball around a target), each checked against truth computed here without the kernels: the
// Moreau identity against the term's own prox (a different kernel from a closed-form conjugate
// prox), the conjugate written in closed form or maximised numerically, and the optimality
// conditions of each prox.

const atoms = new Map(proxAtoms.map((a) => [a.name, a]));

/** argmin_p ½(p − v)² + σ·h(p) for convex h on (lo, hi), by bisection on p − v + σh'(p) (increasing). */
function bisectProx(v: number, sigma: number, dh: (p: number) => number, lo: number, hi: number): number {
  let a = lo;
  let b = hi;
  for (let i = 0; i < 200; i++) {
    const m = 0.5 * (a + b);
    if (m === a || m === b) break;
    if (m - v + sigma * dh(m) > 0) b = m;
    else a = m;
  }
  return 0.5 * (a + b);
}

/** sup_u p·u − λ·φ(u; y) for φ the Kullback–Leibler term, by golden-section search on u > 0 (concave). */
function klConjugateNumeric(p: number, lam: number, y: number): number {
  const f = (u: number) => p * u - lam * (y > 0 ? u - y - y * Math.log(u / y) : u);
  let a = 1e-12;
  let b = 1e6;
  const g = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 300; i++) {
    const c = b - g * (b - a);
    const d = a + g * (b - a);
    if (f(c) > f(d)) b = d;
    else a = c;
  }
  return f(0.5 * (a + b));
}

describe.each(DTYPES)("conjugate proxes and data-fidelity atoms (%s)", (dtype) => {
  const k = Kernel.get(dtype);
  const cells = new CellBank(k);
  const rand = mulberry32(1414);
  // rounding of O(1) values in the dtype
  const tol = dtype === "float64" ? 1e-10 : 3e-5;
  const r32 = (x: number) => (dtype === "float64" ? x : Math.fround(x));
  const arr = (a: number[]): RealArray => (dtype === "float64" ? Float64Array.from(a) : Float32Array.from(a));
  const owned: { free(): void }[] = [];
  const buf = (a: number[]): RealBuf => {
    const b = k.from(arr(a));
    owned.push(b);
    return b;
  };

  function create(name: string, slotShape: Shape, extra: Partial<AtomContext> = {}): ProxTerm {
    const ctx = { path: "terms[0]", kernel: k, dtype, slotShape, weight: 1, params: {}, data: {}, cells, ...extra } as AtomContext;
    return atoms.get(name)!.create(ctx) as ProxTerm;
  }
  const stats = (term: ProxTerm) => (term as unknown as { lastStats: { nnz: number; value: number } }).lastStats;

  /** prox_{σg*}(v) and its fused g*(out) through the term's direct path. */
  function conj(term: ProxTerm, v: number[], sigma: number): { out: number[]; value: number; nnz: number } {
    const out = k.alloc(v.length);
    owned.push(out);
    term.proxConjugate!(buf(v), sigma, out);
    const o = Array.from(out.view);
    const s = stats(term);
    expect(s.nnz).toBe(o.filter((x) => x !== 0).length);
    return { out: o, value: s.value, nnz: s.nnz };
  }

  /** prox_{t·g}(u) through the term's direct path. */
  function prox(term: ProxTerm, u: number[], t: number): number[] {
    const out = k.alloc(u.length);
    owned.push(out);
    term.prox(buf(u), t, out);
    return Array.from(out.view);
  }

  /** Moreau: prox_{σg*}(v) + σ·prox_{g/σ}(v/σ) = v. */
  function expectMoreau(term: ProxTerm, v: number[], sigma: number, out: number[], scale = 1): void {
    const x = prox(term, v.map((a) => a / sigma), 1 / sigma);
    for (let i = 0; i < v.length; i++) {
      if (!(Math.abs(out[i] + sigma * x[i] - v[i]) <= tol * scale * (1 + Math.abs(v[i])))) {
        expect.fail(`element ${i}: prox_{σg*}(v) + σ prox_{g/σ}(v/σ) = ${out[i] + sigma * x[i]}, v = ${v[i]}`);
      }
    }
  }

  const randv = (n: number, s = 1) => Array.from({ length: n }, () => r32(s * randn(rand)));

  it("l1 and nonneg: closed-form conjugate proxes (projections onto the dual balls) obey Moreau", () => {
    const n = 37;
    const lam = 0.7;
    const l1 = create("l1", [n], { weight: lam });
    const v = randv(n, 1.5);
    for (const sigma of [0.3, 2.5]) {
      const r = conj(l1, v, sigma);
      // g* = ι{‖p‖∞ ≤ λ}: the projection is the clip, whatever σ
      for (let i = 0; i < n; i++) expect(r.out[i]).toBe(r32(Math.min(Math.max(v[i], -r32(lam)), r32(lam))));
      expect(r.value).toBe(0);
      expectMoreau(l1, v, sigma, r.out);
    }
    const nn = create("nonneg", [n]);
    const r = conj(nn, v, 1.3);
    for (let i = 0; i < n; i++) expect(r.out[i]).toBe(Math.min(v[i], 0));
    expect(r.value).toBe(0);
    expectMoreau(nn, v, 1.3, r.out);
    l1.dispose();
    nn.dispose();
  });

  it("atoms without a closed form go through the Moreau identity; g* checked in closed form", () => {
    const n = 24;
    const v = randv(n, 2);
    const sigma = 0.8;
    // box [lo, hi]: g*(p) = Σ max(lo·p, hi·p)
    const box = create("box", [n], { params: { lo: -0.5, hi: 1.25 } });
    let r = conj(box, v, sigma);
    const boxStar = r.out.reduce((s, p) => s + Math.max(-0.5 * p, 1.25 * p), 0);
    expect(Math.abs(r.value - boxStar)).toBeLessThan(tol * 30);
    // optimality of prox_{σg*}: x = (v − out)/σ ∈ ∂g*(out), i.e. x = lo where out < 0, hi where out > 0
    for (let i = 0; i < n; i++) {
      const x = (v[i] - r.out[i]) / sigma;
      if (r.out[i] < -tol) expect(x).toBeCloseTo(-0.5, dtype === "float64" ? 9 : 4);
      else if (r.out[i] > tol) expect(x).toBeCloseTo(1.25, dtype === "float64" ? 9 : 4);
      else expect(x).toBeGreaterThanOrEqual(-0.5 - tol);
    }
    box.dispose();
    // groupL1 (groups of 4): g* = ι{‖p_G‖₂ ≤ λ} for every group; its prox projects each group
    const lam = 0.9;
    const group = create("groupL1", [n], { weight: lam, params: { groupSize: 4 } });
    r = conj(group, v, sigma);
    expect(Math.abs(r.value)).toBeLessThan(tol * 30);
    for (let g = 0; g < n / 4; g++) {
      const vg = v.slice(4 * g, 4 * g + 4);
      const nv = Math.hypot(...vg);
      const f = Math.min(1, lam / nv);
      for (let j = 0; j < 4; j++) expect(Math.abs(r.out[4 * g + j] - vg[j] * f)).toBeLessThan(tol * 10);
    }
    group.dispose();
    // elasticNet λ(α|x| + ½(1 − α)x²): g*(p) = Σ max(|p| − λα, 0)² / (2λ(1 − α)); prox_{σg*} has the
    // closed form p = sign(v)·(λα + max(|v| − λα, 0)·λ(1 − α)/(λ(1 − α) + σ))
    const en = create("elasticNet", [n], { weight: lam, params: { l1Ratio: 0.4 } });
    r = conj(en, v, sigma);
    const a = lam * 0.4;
    const b = lam * 0.6;
    let star = 0;
    for (let i = 0; i < n; i++) {
      const s = Math.abs(v[i]) <= a ? v[i] : Math.sign(v[i]) * (a + ((Math.abs(v[i]) - a) * b) / (b + sigma));
      expect(Math.abs(r.out[i] - s)).toBeLessThan(tol * 10);
      star += Math.max(Math.abs(r.out[i]) - a, 0) ** 2 / (2 * b);
    }
    expect(Math.abs(r.value - star)).toBeLessThan(tol * 30);
    en.dispose();
  });

  it("l2Ball around a target: projection, conjugate ⟨p, y⟩ + r‖p‖ and its block soft-threshold", () => {
    const n = 30;
    const y = randv(n);
    const target = buf(y);
    for (const radius of [0.5, 40]) {
      const ball = create("l2Ball", [n], { params: { radius }, target });
      const u = randv(n, 2);
      const p = prox(ball, u, 3);
      const d = u.map((a, i) => a - y[i]);
      const nd = Math.hypot(...d);
      const f = Math.min(1, radius / nd);
      for (let i = 0; i < n; i++) expect(Math.abs(p[i] - (y[i] + f * d[i]))).toBeLessThan(tol * 10);
      expect(Math.hypot(...p.map((a, i) => a - y[i]))).toBeLessThanOrEqual(radius * (1 + tol));
      expect(ball.value(buf(p))).toBe(0);
      expect(ball.value(buf(u))).toBe(nd <= radius ? 0 : Infinity);
      const sigma = 0.6;
      const r = conj(ball, u, sigma);
      expectMoreau(ball, u, sigma, r.out, 10);
      const w = u.map((a, i) => a - sigma * y[i]);
      const nw = Math.hypot(...w);
      const s = Math.max(0, 1 - (sigma * radius) / nw);
      for (let i = 0; i < n; i++) expect(Math.abs(r.out[i] - s * w[i])).toBeLessThan(tol * 10);
      const starTruth = r.out.reduce((a, q, i) => a + q * y[i], 0) + radius * Math.hypot(...r.out);
      expect(Math.abs(r.value - starTruth)).toBeLessThan(tol * 50);
      ball.dispose();
    }
    // without a target the conjugate is r‖p‖₂: the block soft-threshold of v at σr
    const plain = create("l2Ball", [n], { params: { radius: 1.2 } });
    const v = randv(n, 0.5);
    const r = conj(plain, v, 0.7);
    expectMoreau(plain, v, 0.7, r.out, 10);
    expect(Math.abs(r.value - 1.2 * Math.hypot(...r.out))).toBeLessThan(tol * 50);
    plain.dispose();
  });

  it("l1Data: prox y + soft(u − y, tλ) (KKT), conjugate ⟨p, y⟩ on the ∞-ball, Moreau", () => {
    const n = 33;
    const lam = 0.8;
    const y = randv(n);
    const term = create("l1Data", [n], { weight: lam, target: buf(y) });
    expect(term.op ?? null).toBeNull();
    const u = randv(n, 2);
    const t = 0.6;
    const p = prox(term, u, t);
    for (let i = 0; i < n; i++) {
      // (u − p)/t ∈ λ∂|p − y|
      const g = (u[i] - p[i]) / t;
      const d = p[i] - y[i];
      if (Math.abs(d) > tol * 10) expect(Math.abs(g - lam * Math.sign(d))).toBeLessThan(tol * 10);
      else expect(Math.abs(g)).toBeLessThanOrEqual(lam + tol * 10);
    }
    expect(Math.abs(stats(term).value - lam * p.reduce((s, a, i) => s + Math.abs(a - y[i]), 0))).toBeLessThan(tol * 50);
    const sigma = 1.4;
    const r = conj(term, u, sigma);
    for (let i = 0; i < n; i++) expect(Math.abs(r.out[i])).toBeLessThanOrEqual(r32(lam));
    expect(Math.abs(r.value - r.out.reduce((s, q, i) => s + q * y[i], 0))).toBeLessThan(tol * 50);
    expectMoreau(term, u, sigma, r.out, 10);
    expect(() => create("l1Data", [n], { weight: lam })).toThrow(/needs the observation y as its target/);
    term.dispose();
  });

  it("poisson: prox solves its optimality equation; conjugate prox against bisection, g* against a numeric sup", () => {
    const n = 40;
    const lam = 1.3;
    // counts, some zero, and a large one
    const y = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 0 : i === 5 ? 250 : Math.floor(12 * rand())));
    const term = create("poisson", [n], { weight: lam, target: buf(y) });
    const u = randv(n, 3).map((a, i) => (i === 5 ? 240 : a));
    const t = 0.7;
    const x = prox(term, u, t);
    for (let i = 0; i < n; i++) {
      if (y[i] > 0) {
        expect(x[i]).toBeGreaterThan(0);
        // (x − u)/t + λ(1 − y/x) = 0, relative to the terms' size
        const res = (x[i] - u[i]) / t + lam * (1 - y[i] / x[i]);
        const scale = Math.abs(x[i] - u[i]) / t + lam * (1 + y[i] / x[i]);
        expect(Math.abs(res)).toBeLessThan(tol * 10 * scale);
      } else expect(x[i]).toBeCloseTo(Math.max(u[i] - t * lam, 0), dtype === "float64" ? 10 : 5);
    }
    // the fused value is λ·KL(y ‖ x)
    let kl = 0;
    for (let i = 0; i < n; i++) kl += y[i] > 0 ? x[i] - y[i] - y[i] * Math.log(x[i] / y[i]) : x[i];
    expect(Math.abs(stats(term).value - lam * kl)).toBeLessThan(tol * 100 * (1 + lam * kl));
    // off the domain: a non-positive mean where a count was observed
    const bad = y.map((c) => (c > 0 ? -1 : 1));
    expect(term.value(buf(bad))).toBe(Infinity);

    const sigma = 0.9;
    const v = randv(n, 2).map((a, i) => (i === 5 ? 3 : a));
    const r = conj(term, v, sigma);
    let star = 0;
    for (let i = 0; i < n; i++) {
      // prox of σ·g*, g*'(p) = y/(1 − p/λ) on p < λ (y = 0: g* = ι{p ≤ λ})
      const truth = y[i] > 0 ? bisectProx(v[i], sigma, (q) => y[i] / (1 - q / lam), -1e6, lam) : Math.min(v[i], lam);
      expect(Math.abs(r.out[i] - truth)).toBeLessThan(tol * 10 * (1 + Math.abs(truth)));
      expect(r.out[i]).toBeLessThanOrEqual(r32(lam));
      if (y[i] > 0) {
        const numeric = klConjugateNumeric(r.out[i], lam, y[i]);
        expect(Math.abs(numeric - -lam * y[i] * Math.log(1 - r.out[i] / lam))).toBeLessThan(1e-6 * (1 + Math.abs(numeric)));
        star += numeric;
      }
    }
    expect(Math.abs(r.value - star)).toBeLessThan((dtype === "float64" ? 1e-6 : 1e-3) * (1 + Math.abs(star)));
    expectMoreau(term, v, sigma, r.out, 100);
    expect(() => create("poisson", [2], { weight: 1, target: buf([1, -2]) })).toThrow(/target\[1\]: Poisson data are counts/);
    term.dispose();
  });

  it("an iterative prox (TV) reaches its conjugate through Moreau: the result is the projection onto λ·Dᵀ(dual ball)", () => {
    // For g = λTV, g* is the indicator of {Dᵀq : ‖q_ij‖ ≤ λ}, so prox_{σg*}(v) = v − σ·prox_{g/σ}(v/σ)
    // must lie in that set: v − σx = λDᵀq. Its value is 0 (up to the inner prox's gap).
    const shape = [8, 9];
    const n = 72;
    const term = create("tvIsotropic", shape, { weight: 0.3, params: { iterations: 5000, tol: 1e-12, warmStart: false } });
    const v = randv(n);
    const r = conj(term, v, 0.5);
    // Dᵀ annihilates nothing but the constants: ⟨1, Dᵀq⟩ = 0
    const mean = r.out.reduce((s, a) => s + a, 0) / n;
    expect(Math.abs(mean)).toBeLessThan(tol * 10);
    // value g*(out) = ⟨x, out⟩ − g(x) = 0 at the solution (Fenchel–Young with g* an indicator)
    expect(Math.abs(r.value)).toBeLessThan(dtype === "float64" ? 1e-8 : 1e-3);
    term.dispose();
  });

  it("proxConjugate refuses a step σ that is not > 0", () => {
    const term = create("l1", [4], { weight: 1 });
    const v = buf([1, 2, 3, 4]);
    for (const bad of [0, -1, Number.NaN, Infinity]) expect(() => term.proxConjugate!(v, bad, v)).toThrow(/proxConjugate σ must be a finite number > 0/);
    term.dispose();
    for (const b of owned.splice(0)) b.free();
  });
});
