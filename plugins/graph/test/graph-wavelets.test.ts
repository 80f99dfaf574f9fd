import { CflowError, DTYPES, type Dtype, Registry, ShapeError, type TransformFactory, foldIn, normal, rngKey } from "@cflow/core";
import { Kernel, PlanBuilder } from "@cflow/core/kernel";
import { describe, expect, it } from "vitest";
import {
  type Graph,
  chebyshevCoefficients,
  chebyshevProduct,
  chebyshevRange,
  chebyshevValue,
  designGraphWavelets,
  graphFromEdges,
  graphPlugin,
  graphWaveletFactory,
  graphWavelets,
  latticeGraph,
  meyerPartition,
} from "../src/index.js";
import { denseLaplacian, randomEdges, sqDist } from "./helpers.js";
import { dot, jacobiEigen, mulberry32 } from "@cflow/test-kit";

describe("Chebyshev series", () => {
  it("interpolates polynomials exactly and evaluates them by Clenshaw", () => {
    const f = (mu: number) => 4 * mu ** 3 - 3 * mu + 0.5; // T_3 + 0.5·T_0
    const c = chebyshevCoefficients(f, 6);
    const expected = [0.5, 0, 0, 1, 0, 0, 0];
    c.forEach((v, k) => expect(v).toBeCloseTo(expected[k], 13));
    for (const mu of [-1, -0.3, 0.2, 0.99]) expect(chebyshevValue(c, mu)).toBeCloseTo(f(mu), 13);
  });

  it("multiplies series exactly and encloses their range", () => {
    const rand = mulberry32(3);
    const a = Float64Array.from({ length: 7 }, () => rand() - 0.5);
    const b = Float64Array.from({ length: 5 }, () => rand() - 0.5);
    const ab = chebyshevProduct(a, b);
    expect(ab.length).toBe(11);
    for (const mu of [-1, -0.71, 0, 0.4, 1]) expect(chebyshevValue(ab, mu)).toBeCloseTo(chebyshevValue(a, mu) * chebyshevValue(b, mu), 13);
    const { lo, hi } = chebyshevRange(ab);
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i <= 100000; i++) {
      const v = chebyshevValue(ab, Math.cos((Math.PI * i) / 100000));
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(lo).toBeLessThanOrEqual(min);
    expect(hi).toBeGreaterThanOrEqual(max);
    expect(hi - lo).toBeLessThan((max - min) * 1.05);
  });
});

describe("Meyer-like partition", () => {
  it("has squares summing to exactly one, a low-pass at 0 and the finest band at λ_bound", () => {
    for (const J of [1, 2, 3, 5]) {
      const g = meyerPartition(J);
      expect(g).toHaveLength(J + 1);
      for (let i = 0; i <= 2000; i++) {
        const s = i / 2000;
        const sum = g.reduce((acc, f) => acc + f(s) ** 2, 0);
        expect(Math.abs(sum - 1)).toBeLessThan(1e-14);
        for (const f of g) expect(f(s)).toBeGreaterThanOrEqual(0);
      }
      expect(g[0](0)).toBe(1);
      expect(g[J](1)).toBeCloseTo(1, 14);
      // band j (1 ≤ j < J) is concentrated an octave around its centre 2^(j−J−½)·√2
      for (let j = 1; j < J; j++) expect(g[j](2 ** (j - J - 0.5))).toBeCloseTo(1, 12);
    }
  });
});

describe("filter design", () => {
  it("meets the tightness it is asked for, with c inside the frame bounds", () => {
    for (const levels of [1, 2, 3, 4]) {
      const d = designGraphWavelets({ levels });
      expect(d.delta).toBeLessThanOrEqual(5e-4);
      expect(d.A).toBeLessThanOrEqual(d.c);
      expect(d.B).toBeGreaterThanOrEqual(d.c);
      expect(Math.abs(d.c - 1)).toBeLessThan(1e-3);
    }
    const tight = designGraphWavelets({ levels: 2, tightness: 1e-5 });
    expect(tight.delta).toBeLessThanOrEqual(1e-5);
    expect(tight.degree).toBeGreaterThan(designGraphWavelets({ levels: 2 }).degree);
  });

  it("refuses a degree too low for the tightness, naming both", () => {
    try {
      designGraphWavelets({ levels: 3, degree: 10 });
      expect.fail("expected FRAME_NOT_TIGHT");
    } catch (e) {
      expect(e).toBeInstanceOf(CflowError);
      expect((e as CflowError).code).toBe("FRAME_NOT_TIGHT");
      expect((e as Error).message).toMatch(/3 levels at Chebyshev degree 10 give a frame with tightness δ = .* above 0\.0005/);
    }
    expect(() => designGraphWavelets({ levels: 0 })).toThrow(/levels must be an integer in \[1, 12\], found 0/);
  });
});

/** Dense matrices of a transform: W (coeffSize × n) column by column. */
function denseForward(W: { forward(x: Float64Array | Float32Array): Float64Array | Float32Array; coeffSize: number }, n: number, dtype: Dtype): number[][] {
  const cols: number[][] = [];
  for (let k = 0; k < n; k++) {
    const e = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
    e[k] = 1;
    cols.push(Array.from(W.forward(e)));
  }
  return Array.from({ length: W.coeffSize }, (_, r) => cols.map((c) => c[r]));
}

const smallGraphs: [string, () => Graph, number[]][] = [
  ["random weighted graph", () => graphFromEdges(randomEdges(14, 20, mulberry32(5)), { nodes: 14 }), [14]],
  ["path", () => latticeGraph([12]), [12]],
  ["grid", () => latticeGraph([3, 5]), [3, 5]],
  ["ring", () => latticeGraph([10], { periodic: true }), [10]],
];

describe.each(DTYPES)("spectral graph wavelets (%s)", (dtype) => {
  describe.each(smallGraphs)("on a %s", (_label, makeGraph, shape) => {
    const graph = makeGraph();
    const n = graph.nodes;
    const W = graphWavelets(graph, { shape, levels: 3, dtype });
    const Wd = denseForward(W, n, dtype);
    const L = denseLaplacian(n, graph);
    const { values, vectors } = jacobiEigen(L);
    const d = W.design;

    it("computes p_j(L) exactly as the dense spectral calculus does, and approximates the Meyer filters", () => {
      const g = meyerPartition(3);
      let polyErr = 0;
      let filterErr = 0;
      for (let j = 0; j <= 3; j++) {
        for (let r = 0; r < n; r++) {
          for (let c = 0; c < n; c++) {
            let poly = 0;
            let ideal = 0;
            for (let k = 0; k < n; k++) {
              const vv = vectors[r][k] * vectors[c][k];
              poly += chebyshevValue(d.filters[j], (2 * values[k]) / W.lambdaBound - 1) * vv;
              ideal += g[j](values[k] / W.lambdaBound) * vv;
            }
            polyErr = Math.max(polyErr, Math.abs(Wd[j * n + r][c] - poly));
            filterErr = Math.max(filterErr, Math.abs(Wd[j * n + r][c] - ideal));
          }
        }
      }
      expect(polyErr).toBeLessThan(dtype === "float64" ? 1e-11 : 2e-5);
      expect(filterErr).toBeLessThan(5e-3);
    });

    it("has WᵀW = S(L) with every eigenvalue within δ·c of c (dense WᵀW)", () => {
      const G = Array.from({ length: n }, (_, a) => Array.from({ length: n }, (_, b) => Wd.reduce((s, row) => s + row[a] * row[b], 0)));
      const eig = jacobiEigen(G).values;
      const slack = dtype === "float64" ? 1e-12 : 2e-5;
      for (const e of eig) expect(Math.abs(e - W.c)).toBeLessThanOrEqual(W.tightness * W.c + slack);
      // and the eigenvalues are the symbol S evaluated on the Laplacian spectrum
      const predicted = values.map((l) => chebyshevValue(d.frameOperator, (2 * l) / W.lambdaBound - 1)).sort((a, b) => a - b);
      const measured = [...eig].sort((a, b) => a - b);
      predicted.forEach((p, i) => expect(Math.abs(measured[i] - p)).toBeLessThan(slack));
    });

    it("has an adjoint, and an inverse that is the canonical dual (exact reconstruction, least-squares normal equations)", () => {
      const rand = mulberry32(17);
      const x = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
      for (let i = 0; i < n; i++) x[i] = rand() - 0.5;
      const u = W.forward(x);
      const v = dtype === "float64" ? new Float64Array(W.coeffSize) : new Float32Array(W.coeffSize);
      for (let i = 0; i < v.length; i++) v[i] = rand() - 0.5;
      const adj = Math.abs(dot(u, v) - dot(x, W.adjoint(v))) / Math.sqrt(dot(u, u) * dot(v, v));
      expect(adj).toBeLessThan(dtype === "float64" ? 1e-13 : 1e-6);
      const y = W.inverse(u);
      const rec = Math.sqrt(sqDist(y, x) / dot(x, x));
      expect(rec).toBeLessThan(dtype === "float64" ? 1e-13 : 2e-6);
      // for u outside the range, x̂ = W⁻¹u solves min ‖Wx − u‖: Wᵀ(W x̂ − u) = 0
      const xh = W.inverse(v);
      const r = W.forward(xh).map((q, i) => q - v[i]);
      const normal = W.adjoint(r as typeof v);
      expect(Math.sqrt(dot(normal, normal) / dot(W.adjoint(v), W.adjoint(v)))).toBeLessThan(dtype === "float64" ? 1e-12 : 1e-5);
    });
  });

  it("passes the transform probes (reconstruction, energy, adjoint) on larger lattices", () => {
    const th = dtype === "float64" ? { reconstruction: 1e-6, energy: 1e-3, adjoint: 1e-10 } : { reconstruction: 1e-5, energy: 1e-3, adjoint: 1e-5 };
    for (const shape of [[40], [12, 12]]) {
      const W = graphWavelets(latticeGraph(shape), { shape, levels: 4, dtype });
      const n = W.size;
      for (let i = 0; i < 3; i++) {
        const x = normal(foldIn(rngKey(9), 2 * i), n, dtype);
        const v = normal(foldIn(rngKey(9), 2 * i + 1), W.coeffSize, dtype);
        const u = W.forward(x);
        const y = W.inverse(u);
        const nx = dot(x, x);
        const nu = dot(u, u);
        expect(Math.sqrt(sqDist(y, x) / nx)).toBeLessThan(th.reconstruction);
        expect(Math.abs(nu - W.c * nx) / (W.c * nx)).toBeLessThan(Math.min(th.energy, W.tightness * 1.0001));
        expect(Math.abs(dot(u, v) - dot(x, W.adjoint(v))) / Math.sqrt(nu * dot(v, v))).toBeLessThan(th.adjoint);
      }
      W.dispose();
    }
  });

  it("lays out the low-pass band first, then details from coarsest to finest, tiling the coefficients", () => {
    const W = graphWavelets(latticeGraph([4, 6]), { shape: [4, 6], levels: 3, dtype });
    expect(W.frame).toBe("tight");
    expect(W.coeffSize).toBe(4 * 24);
    expect(W.bands.map((b) => [b.level, b.orientation, b.offset])).toEqual([
      [0, "a", 0],
      [3, "d", 24],
      [2, "d", 48],
      [1, "d", 72],
    ]);
    for (const b of W.bands) expect(b.shape).toEqual([4, 6]);
    // the constant signal lives in the low-pass band only (L·1 = 0, g_0(0) = 1)
    const ones = dtype === "float64" ? new Float64Array(24).fill(1) : new Float32Array(24).fill(1);
    const u = W.forward(ones);
    for (let i = 0; i < 24; i++) expect(u[i]).toBeCloseTo(1, 4);
    for (let i = 24; i < 96; i++) expect(Math.abs(u[i])).toBeLessThan(2e-3);
    W.dispose();
  });

  it("runs forward and inverse as one kernel call in a plan", () => {
    const W = graphWavelets(latticeGraph([32]), { levels: 2, dtype });
    const k = Kernel.get(dtype);
    const x = k.from(normal(rngKey(4), 32, dtype), "x");
    const u = k.alloc(W.coeffSize);
    const y = k.alloc(32);
    const p = new PlanBuilder(k);
    W.emitForward(p, x, u);
    W.emitInverse(p, u, y);
    const prog = p.build();
    expect(prog.kernelCalls).toBe(1);
    expect(prog.jsSteps).toBe(0);
    prog.run();
    const xv = x.view;
    const yv = y.view;
    for (let i = 0; i < 32; i++) expect(yv[i]).toBeCloseTo(xv[i], dtype === "float64" ? 12 : 5);
    prog.dispose();
    for (const b of [x, u, y]) b.free();
    W.dispose();
  });
});

describe("registered transforms", () => {
  it("creates sgwt and sgwtRing through the registry in both dtypes", () => {
    const registry = new Registry();
    expect(registry.use(graphPlugin).failed).toEqual([]);
    for (const name of ["sgwt", "sgwtRing"]) {
      const factory = registry.transforms.get(name) as TransformFactory;
      for (const dtype of DTYPES) {
        const W = factory.create({ shape: factory.probe.shape, levels: factory.probe.levels, dtype });
        expect(W.name).toBe(name);
        expect(W.dtype).toBe(dtype);
        const x = normal(rngKey(2), W.coeffSize / (W.levels + 1), dtype);
        const y = W.inverse(W.forward(x));
        expect(Math.max(...y.map((v, i) => Math.abs(v - x[i])))).toBeLessThan(dtype === "float64" ? 1e-12 : 1e-5);
        W.dispose();
      }
    }
  });

  it("checks the slot shape against a fixed graph", () => {
    const factory = graphWaveletFactory(latticeGraph([10]));
    expect(factory.probe.shape).toEqual([10]);
    expect(() => factory.create({ shape: [12], levels: 2, dtype: "float64" })).toThrow(ShapeError);
    expect(() => graphWavelets(graphFromEdges({ sources: [0], targets: [1], weights: [0] }, { nodes: 2 }))).toThrow(/no edge of positive weight/);
  });
});
