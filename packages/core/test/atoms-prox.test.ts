import { describe, expect, it } from "vitest";
import { composeProx, proxAtoms } from "../src/atoms/index.js";
import type { AtomContext, AtomDef, ProxCells, ProxTerm } from "../src/atoms/index.js";
import { DTYPES, type Dtype, type Shape, shapeSize } from "../src/dtype.js";
import { CellBank, Kernel, PlanBuilder, type RealBuf } from "../src/kernel/index.js";
import type { Band, TransformOp } from "../src/transforms/transform.js";
import { mulberry32, randomArray } from "@cflow/test-kit";

const atoms = new Map(proxAtoms.map((a) => [a.name, a]));
const def = (name: string): AtomDef => atoms.get(name)!;

/** The coefficient layout of a multi-level transform, as the atoms see it (nothing else is used). */
function layoutOnly(dtype: Dtype, shape: Shape, levels: number): TransformOp {
  const bands: Band[] = [];
  const coarse = shape.map((d) => d >> levels);
  bands.push({ level: 0, orientation: "a", offset: 0, shape: coarse });
  let offset = shapeSize(coarse);
  for (let l = levels; l >= 1; l--) {
    const s = shape.map((d) => d >> l);
    for (const o of shape.length === 1 ? (["d"] as const) : (["h", "v", "d"] as const)) {
      bands.push({ level: l, orientation: o, offset, shape: s });
      offset += shapeSize(s);
    }
  }
  const unused = () => {
    throw new Error("the atom only reads the layout");
  };
  return { name: "layout", frame: "unitary", c: 1, levels, shape, coeffSize: offset, dtype, bands, forward: unused, inverse: unused, adjoint: unused, forwardBuf: unused, inverseBuf: unused, emitForward: unused, emitInverse: unused, emitAdjoint: unused, dispose: unused };
}

describe.each(DTYPES)("non-smooth atoms (%s)", (dtype) => {
  const k = Kernel.get(dtype);
  const cells = new CellBank(k);
  const rand = mulberry32(17);
  // tolerance of optimality conditions on O(1) data: rounding of p in the dtype
  const tol = dtype === "float64" ? 1e-10 : 2e-5;

  function ctx(slotShape: Shape, extra: Partial<AtomContext> = {}): AtomContext {
    return { path: "terms[0]", kernel: k, dtype, slotShape, weight: 1, params: {}, data: {}, cells, ...extra } as AtomContext;
  }

  function create(name: string, slotShape: Shape, extra: Partial<AtomContext> = {}): ProxTerm {
    const term = def(name).create(ctx(slotShape, extra));
    expect(term.kind).toBe("prox");
    return term as ProxTerm;
  }

  /** prox_{t·g}(v) through the term's direct path; returns v, p, and the fused statistics. */
  function runProx(term: ProxTerm, n: number, t: number, scale = 1): { v: number[]; p: number[]; nnz: number; value: number } {
    const va = randomArray(dtype, n, rand).map((x) => x * scale);
    const u = k.from(va);
    const out = k.alloc(n);
    term.prox(u, t, out);
    const p = Array.from(out.view);
    const s = (term as unknown as { lastStats: { nnz: number; value: number } }).lastStats;
    // fused statistics equal a recount
    if (!Number.isNaN(s.nnz)) expect(s.nnz).toBe(p.filter((x) => x !== 0).length);
    expect(s.value).toBeCloseTo(term.value(out), 10);
    u.free();
    out.free();
    return { v: Array.from(va), p, nnz: s.nnz, value: s.value };
  }

  /** (v − p)/t ∈ λ∂|p| + N_[lo,hi](p), coordinate by coordinate. */
  function expectSeparableKkt(v: number[], p: number[], t: number, lam: number, lo = -Infinity, hi = Infinity): void {
    const lr = dtype === "float64" ? lo : Math.fround(lo);
    const hr = dtype === "float64" ? hi : Math.fround(hi);
    for (let i = 0; i < v.length; i++) {
      const g = (v[i] - p[i]) / t;
      const sLo = p[i] > 0 ? 1 : p[i] < 0 ? -1 : -1;
      const sHi = p[i] > 0 ? 1 : p[i] < 0 ? -1 : 1;
      const a = p[i] <= lr ? -Infinity : lam * sLo;
      const b = p[i] >= hr ? Infinity : lam * sHi;
      expect(p[i]).toBeGreaterThanOrEqual(lr);
      expect(p[i]).toBeLessThanOrEqual(hr);
      if (!(g >= a - tol / t && g <= b + tol / t)) expect.fail(`coordinate ${i}: (v − p)/t = ${g} not in [${a}, ${b}] (v = ${v[i]}, p = ${p[i]})`);
    }
  }

  /** argmin over a fine grid of ½(x − v)² + tλ|x| on [lo, hi] (tiny brute force). */
  function gridProx1(v: number, t: number, lam: number, lo: number, hi: number): number {
    const a = Math.max(lo, -5);
    const b = Math.min(hi, 5);
    let best = a;
    let bestF = Infinity;
    const steps = 20000;
    for (let s = 0; s <= steps; s++) {
      const x = a + ((b - a) * s) / steps;
      const f = 0.5 * (x - v) ** 2 + t * lam * Math.abs(x);
      if (f < bestF) {
        bestF = f;
        best = x;
      }
    }
    return best;
  }

  it("declares every non-smooth atom of the issue with its metadata", () => {
    expect(proxAtoms.map((a) => a.name).sort()).toEqual(["box", "elasticNet", "groupL1", "l1", "l1Ball", "l1Data", "l2Ball", "nonneg", "poisson", "simplex", "tvAnisotropic", "tvIsotropic", "waveletL1"]);
    for (const a of proxAtoms) {
      expect(a.kind).toBe("prox");
      expect(a.convex).toBe(true);
      expect(a.space).toBe(a.name === "waveletL1" ? "W" : "x");
    }
    expect(def("waveletL1").bandWeights).toBe(true);
    expect(def("waveletL1").transform).toBe("required");
    expect(proxAtoms.filter((a) => a.sparsity).map((a) => a.name).sort()).toEqual(["elasticNet", "groupL1", "l1", "waveletL1"]);
    expect(def("l1").composesWith).toEqual(["nonneg", "box"]);
    // terms g(Kx) a primal–dual flow splits through prox of g*
    expect(proxAtoms.filter((a) => a.splitting === "dual").map((a) => a.name).sort()).toEqual(["l1Data", "l2Ball", "poisson"]);
    for (const name of ["l1Data", "poisson"]) expect(def(name).target).toBe("required");
  });

  it("l1: soft-threshold satisfies (v − p)/t ∈ λ∂‖p‖₁ and matches a grid search", () => {
    const term = create("l1", [7, 9], { weight: 0.6 });
    expect(term.space).toBe("x");
    expect(term.sparsity).toBe(true);
    const t = 0.8;
    const r = runProx(term, 63, t);
    expectSeparableKkt(r.v, r.p, t, 0.6);
    for (let i = 0; i < 5; i++) expect(Math.abs(r.p[i] - gridProx1(r.v[i], t, 0.6, -Infinity, Infinity))).toBeLessThan(1e-3);
    expect(r.value).toBeCloseTo(0.6 * r.p.reduce((s, x) => s + Math.abs(x), 0), 10);
    term.dispose();
  });

  it("l1: the tuner's λ reaches a recorded plan without re-recording it", () => {
    const term = create("l1", [50], { weight: 0.2 });
    const va = randomArray(dtype, 50, rand);
    const u = k.from(va);
    const out = k.alloc(50);
    const step = cells.cell(1);
    const stats: ProxCells = { nnz: cells.cell(), value: cells.cell() };
    const plan = new PlanBuilder(k);
    term.emitProx(plan, u, step, out, stats);
    const prog = plan.build();
    prog.run();
    const nnzLow = stats.nnz.value;
    term.lambda = 1.5;
    prog.run();
    expectSeparableKkt(Array.from(va), Array.from(out.view), 1, 1.5);
    expect(stats.nnz.value).toBeLessThan(nnzLow);
    expect(stats.nnz.value).toBe(Array.from(out.view).filter((x) => x !== 0).length);
    expect(stats.value.value).toBeCloseTo(term.value(out), 10);
    step.value = 0.5; // the step cell, likewise
    prog.run();
    expectSeparableKkt(Array.from(va), Array.from(out.view), 0.5, 1.5);
    expect(() => (term.lambda = -1)).toThrow(/finite number ≥ 0/);
    prog.dispose();
    for (const b of [u, out]) b.free();
    term.dispose();
  });

  it.each([
    [[64], 3],
    [[16, 16], 2],
  ] as [number[], number][])("waveletL1 on %j (%i levels): per-level thresholds, approximation passed through", (shape, levels) => {
    const tr = layoutOnly(dtype, shape, levels);
    const lam = 0.3;
    const term = create("waveletL1", shape, { transform: tr, weight: lam, bandWeights: [2, 1, 0.5].slice(0, levels) });
    expect(term.space).toBe("W");
    expect(term.bands).toBe(tr.bands);
    const t = 0.9;
    const check = (weights: number[], r: { v: number[]; p: number[]; value: number }, approx: boolean) => {
      let value = 0;
      for (const b of tr.bands) {
        const n = shapeSize(b.shape);
        const v = r.v.slice(b.offset, b.offset + n);
        const p = r.p.slice(b.offset, b.offset + n);
        if (b.orientation === "a" && !approx) {
          expect(p).toEqual(v);
          continue;
        }
        const w = b.orientation === "a" ? 1 : weights[levels - b.level];
        expectSeparableKkt(v, p, t, lam * w);
        value += lam * w * p.reduce((s, x) => s + Math.abs(x), 0);
      }
      expect(r.value).toBeCloseTo(value, 10);
    };
    check([2, 1, 0.5], runProx(term, tr.coeffSize, t, 2), false);
    // the tuner moves λ_j between steps
    term.bandWeights = [0.25, 3, 1].slice(0, levels);
    expect(term.bandWeights).toEqual([0.25, 3, 1].slice(0, levels));
    check([0.25, 3, 1], runProx(term, tr.coeffSize, t, 2), false);
    term.bandWeights = null;
    check([1, 1, 1], runProx(term, tr.coeffSize, t, 2), false);
    expect(() => (term.bandWeights = [1])).toThrow(/one weight per detail level/);
    expect(() => (term.bandWeights = new Array(levels).fill(-1))).toThrow(/finite number ≥ 0/);
    term.dispose();
    const withApprox = create("waveletL1", shape, { transform: tr, weight: lam, params: { thresholdApprox: true } });
    check([1, 1, 1], runProx(withApprox, tr.coeffSize, t, 2), true);
    withApprox.dispose();
  });

  it("waveletL1 refuses a missing transform", () => {
    expect(() => create("waveletL1", [64])).toThrow(/needs a transform/);
  });

  it("elasticNet: (v − p)/t ∈ λ(α∂‖p‖₁ + (1 − α)p)", () => {
    for (const alpha of [0, 0.35, 1]) {
      const lam = 0.7;
      const t = 1.3;
      const term = create("elasticNet", [80], { weight: lam, params: { l1Ratio: alpha } });
      const r = runProx(term, 80, t);
      // subtract the smooth part, then the ℓ1 condition with weight λα remains
      const shifted = r.v.map((v, i) => v - t * lam * (1 - alpha) * r.p[i]);
      expectSeparableKkt(shifted, r.p, t, lam * alpha);
      const l1 = r.p.reduce((s, x) => s + Math.abs(x), 0);
      const l2 = r.p.reduce((s, x) => s + x * x, 0);
      expect(r.value).toBeCloseTo(lam * (alpha * l1 + 0.5 * (1 - alpha) * l2), 10);
      term.dispose();
    }
    expect(() => create("elasticNet", [4], { params: { l1Ratio: 1.5 } })).toThrow(/terms\[0\]\.params\.l1Ratio: out of range/);
  });

  it("groupL1: group-wise optimality (v_G − p_G)/t = λp_G/‖p_G‖ or ‖v_G‖ ≤ tλ", () => {
    const lam = 0.9;
    const t = 1.1;
    const size = 3;
    const term = create("groupL1", [20, 3], { weight: lam, params: { groupSize: size } });
    const r = runProx(term, 60, t);
    let zeroGroups = 0;
    for (let g = 0; g < 60; g += size) {
      const v = r.v.slice(g, g + size);
      const p = r.p.slice(g, g + size);
      const np = Math.hypot(...p);
      if (np === 0) {
        zeroGroups++;
        expect(Math.hypot(...v)).toBeLessThanOrEqual(t * lam + tol);
      } else {
        for (let i = 0; i < size; i++) expect(Math.abs((v[i] - p[i]) / t - (lam * p[i]) / np)).toBeLessThan(tol / t);
      }
    }
    expect(zeroGroups).toBeGreaterThan(0);
    expect(zeroGroups).toBeLessThan(20);
    term.dispose();
    expect(() => create("groupL1", [10], { params: {} })).toThrow(/needs "groupSize"/);
    expect(() => create("groupL1", [10], { params: { groupSize: 3 } })).toThrow(/do not split into groups of 3/);
  });

  /** Projection properties: in the set, idempotent, ⟨v − p, z − p⟩ ≤ 0 for z in the set. */
  function expectProjection(term: ProxTerm, n: number, member: (z: number[]) => boolean, sample: () => number[], scale = 2): { v: number[]; p: number[] } {
    const r = runProx(term, n, 1, scale);
    expect(r.value).toBe(0);
    expect(member(r.p)).toBe(true);
    const again = k.from(dtype === "float64" ? Float64Array.from(r.p) : Float32Array.from(r.p));
    const out = k.alloc(n);
    term.prox(again, 1, out);
    const err = Math.max(...Array.from(out.view).map((x, i) => Math.abs(x - r.p[i])));
    expect(err).toBeLessThanOrEqual(tol);
    expect(term.value(out)).toBe(0);
    for (let s = 0; s < 50; s++) {
      const z = sample();
      expect(member(z)).toBe(true);
      let ip = 0;
      for (let i = 0; i < n; i++) ip += (r.v[i] - r.p[i]) * (z[i] - r.p[i]);
      expect(ip).toBeLessThanOrEqual(tol * n);
    }
    // the step does not matter for an indicator
    const u = k.from(dtype === "float64" ? Float64Array.from(r.v) : Float32Array.from(r.v));
    term.prox(u, 7.5, out);
    expect(Array.from(out.view)).toEqual(r.p);
    for (const b of [again, out, u]) b.free();
    return r;
  }

  it("box and nonneg: clip, with KKT and projection properties", () => {
    const n = 41;
    const box = create("box", [n], { params: { lo: -0.5, hi: 1.25 } });
    const inBox = (z: number[]) => z.every((x) => x >= Math.fround(-0.5) - 1e-7 && x <= 1.25);
    const r = expectProjection(box, n, inBox, () => Array.from({ length: n }, () => -0.5 + 1.75 * rand()));
    expectSeparableKkt(r.v, r.p, 1, 0, -0.5, 1.25);
    box.dispose();
    const nn = create("nonneg", [n]);
    const r2 = expectProjection(nn, n, (z) => z.every((x) => x >= 0), () => Array.from({ length: n }, () => 3 * rand()));
    expectSeparableKkt(r2.v, r2.p, 1, 0, 0, Infinity);
    const neg = k.from(dtype === "float64" ? Float64Array.of(-1, 2) : Float32Array.of(-1, 2));
    const two = create("nonneg", [2]);
    expect(two.value(neg)).toBe(Infinity);
    for (const x of [two, nn]) x.dispose();
    neg.free();
    expect(() => create("box", [3], { params: { lo: 2, hi: 1 } })).toThrow(/params\.hi: the box is empty/);
    expect(() => create("box", [3], { params: { lo: 0 } })).toThrow(/needs "hi"/);
  });

  it("l2Ball: radial projection", () => {
    const n = 30;
    const radius = 1.7;
    const term = create("l2Ball", [n], { params: { radius } });
    const member = (z: number[]) => Math.hypot(...z) <= radius * (1 + tol);
    const sample = () => {
      const z = Array.from({ length: n }, () => rand() - 0.5);
      const f = (radius * rand()) / Math.hypot(...z);
      return z.map((x) => x * f);
    };
    const r = expectProjection(term, n, member, sample);
    expect(Math.hypot(...r.p)).toBeCloseTo(radius, dtype === "float64" ? 10 : 5);
    term.dispose();
  });

  it("l1Ball: soft-threshold at the level θ that lands on the sphere (KKT), and a grid search in 2D", () => {
    const n = 40;
    const radius = 3;
    const term = create("l1Ball", [n], { params: { radius } });
    const l1 = (z: number[]) => z.reduce((s, x) => s + Math.abs(x), 0);
    const sample = () => {
      const z = Array.from({ length: n }, () => rand() - 0.5);
      const f = (radius * rand()) / l1(z);
      return z.map((x) => x * f);
    };
    const r = expectProjection(term, n, (z) => l1(z) <= radius * (1 + tol), sample);
    expect(l1(r.p)).toBeCloseTo(radius, dtype === "float64" ? 9 : 4);
    // KKT: p = soft(v, θ) for one θ > 0
    const i0 = r.p.findIndex((x) => x !== 0);
    const theta = Math.abs(r.v[i0] - r.p[i0]);
    expect(theta).toBeGreaterThan(0);
    expectSeparableKkt(r.v, r.p, 1, theta);
    term.dispose();
    // brute force on the 2D ball: minimise ‖x − v‖ over a fine parametrisation of its boundary
    const two = create("l1Ball", [2], { params: { radius: 1 } });
    for (const [a, b] of [
      [2, 0.3],
      [-0.4, 1.9],
      [0.8, -0.7],
    ]) {
      const u = k.from(dtype === "float64" ? Float64Array.of(a, b) : Float32Array.of(a, b));
      two.prox(u, 1, u);
      let best = [0, 0];
      let bestD = Infinity;
      for (let s = 0; s < 40000; s++) {
        const x = -1 + s / 20000;
        for (const y of [1 - Math.abs(x), Math.abs(x) - 1]) {
          const d = (x - a) ** 2 + (y - b) ** 2;
          if (d < bestD) [bestD, best] = [d, [x, y]];
        }
      }
      expect(Math.abs(u.view[0] - best[0])).toBeLessThan(1e-4);
      expect(Math.abs(u.view[1] - best[1])).toBeLessThan(1e-4);
      u.free();
    }
    two.dispose();
  });

  it("simplex: max(v − θ, 0) summing to the radius (KKT), and a grid search in 2D", () => {
    const n = 25;
    const radius = 2;
    const term = create("simplex", [n], { params: { radius } });
    const sum = (z: number[]) => z.reduce((s, x) => s + x, 0);
    const sample = () => {
      const z = Array.from({ length: n }, () => rand());
      const f = radius / sum(z);
      return z.map((x) => x * f);
    };
    const r = expectProjection(term, n, (z) => z.every((x) => x >= 0) && Math.abs(sum(z) - radius) <= tol * n * 10, sample);
    const i0 = r.p.findIndex((x) => x > 0);
    const theta = r.v[i0] - r.p[i0];
    for (let i = 0; i < n; i++) {
      if (r.p[i] > 0) expect(Math.abs(r.v[i] - r.p[i] - theta)).toBeLessThan(tol * 4);
      else expect(r.v[i]).toBeLessThanOrEqual(theta + tol);
    }
    term.dispose();
    const two = create("simplex", [2], { params: { radius: 1 } });
    for (const [a, b] of [
      [0.9, 0.4],
      [2, -1],
      [-0.3, 0.1],
    ]) {
      const u = k.from(dtype === "float64" ? Float64Array.of(a, b) : Float32Array.of(a, b));
      two.prox(u, 1, u);
      let best = 0;
      let bestD = Infinity;
      for (let s = 0; s <= 100000; s++) {
        const x = s / 100000;
        const d = (x - a) ** 2 + (1 - x - b) ** 2;
        if (d < bestD) [bestD, best] = [d, x];
      }
      expect(Math.abs(u.view[0] - best)).toBeLessThan(2e-5);
      expect(Math.abs(u.view[1] - (1 - best))).toBeLessThan(2e-5);
      u.free();
    }
    two.dispose();
  });

  it.each([
    ["nonneg", {}, 0, Infinity],
    ["box", { lo: -0.4, hi: 0.9 }, -0.4, 0.9],
    ["box", { lo: 0.2, hi: 0.9 }, 0.2, 0.9],
  ] as [string, Record<string, number>, number, number][])("l1 + %s %j is one exact prox (KKT and grid search)", (name, params, lo, hi) => {
    const lam = 0.35;
    const t = 1.2;
    const l1 = create("l1", [60], { weight: lam });
    const c = create(name, [60], { params });
    const both = composeProx(c, l1); // either order
    expect(both.atom).toBe(`l1+${name}`);
    expect(both.sparsity).toBe(true);
    const r = runProx(both, 60, t, 1.5);
    expectSeparableKkt(r.v, r.p, t, lam, lo, hi);
    for (let i = 0; i < 6; i++) expect(Math.abs(r.p[i] - gridProx1(r.v[i], t, lam, lo, hi))).toBeLessThan(1e-3);
    // λ set on the composite is the ℓ1 term's λ
    both.lambda = 0.8;
    expect(l1.lambda).toBe(0.8);
    const r2 = runProx(both, 60, t, 1.5);
    expectSeparableKkt(r2.v, r2.p, t, 0.8, lo, hi);
    both.dispose();
  });

  it("composeProx refuses pairs without an exact joint prox", () => {
    const a = create("l1", [8]);
    const b = create("l2Ball", [8]);
    expect(() => composeProx(a, b)).toThrow(/l1 \+ l2Ball on one slot has no exact joint prox/);
    const c = create("nonneg", [9]);
    expect(() => composeProx(a, c)).toThrow(/do not act on one slot/);
    for (const x of [a, b, c]) x.dispose();
  });

  it("checks buffers: dtype and size", () => {
    const term = create("l1", [8]);
    const other = Kernel.get(dtype === "float64" ? "float32" : "float64").alloc(8);
    const short = k.alloc(7);
    const ok = k.alloc(8);
    expect(() => term.prox(other as RealBuf, 1, ok)).toThrow(/dtype mismatch/);
    expect(() => term.prox(short, 1, ok)).toThrow(/shape mismatch/);
    expect(() => term.prox(ok, -1, ok)).toThrow(/step t must be a finite number ≥ 0/);
    for (const b of [other, short, ok]) b.free();
    term.dispose();
  });
});
