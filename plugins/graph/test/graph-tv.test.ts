import { type AtomDef, DTYPES, type ProxTerm, Registry } from "@cflow/core";
import { Kernel, PlanBuilder } from "@cflow/core/kernel";
import { describe, expect, it } from "vitest";
import { GraphTvTerm, graphFromEdges, graphPlugin, graphTvProx, latticeGraph } from "../src/index.js";
import { atomContext, randomEdges } from "./helpers.js";
import { mulberry32, randn, randomArray } from "@cflow/test-kit";

interface Edges {
  sources: number[];
  targets: number[];
  weights: number[];
}

function objective(edges: Edges, u: ArrayLike<number>, tau: number, x: ArrayLike<number>): number {
  let f = 0;
  for (let i = 0; i < u.length; i++) f += 0.5 * (x[i] - u[i]) ** 2;
  edges.sources.forEach((i, e) => (f += tau * edges.weights[e] * Math.abs(x[i] - x[edges.targets[e]])));
  return f;
}

/**
 * The exact prox on a tiny graph by enumeration: every edge is fused (x_i = x_j) or has a sign.
 * For a pattern, x is constant on the components of the fused edges with the value that makes the
 * (now smooth) objective stationary; the optimum's own pattern reproduces it exactly, and every
 * other candidate has an objective at least as large.
 */
function bruteForceTvProx(n: number, edges: Edges, u: ArrayLike<number>, tau: number): { x: number[]; f: number } {
  const m = edges.sources.length;
  let best = { x: [] as number[], f: Infinity };
  for (let code = 0; code < 3 ** m; code++) {
    const state: number[] = [];
    for (let e = 0, c = code; e < m; e++, c = Math.floor(c / 3)) state.push(c % 3);
    const parent = Array.from({ length: n }, (_, i) => i);
    const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
    state.forEach((s, e) => {
      if (s === 0) parent[find(edges.sources[e])] = find(edges.targets[e]);
    });
    const sum = new Array<number>(n).fill(0);
    const size = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) {
      sum[find(i)] += u[i];
      size[find(i)]++;
    }
    state.forEach((s, e) => {
      if (s === 0) return;
      const sign = s === 1 ? 1 : -1;
      sum[find(edges.sources[e])] -= tau * edges.weights[e] * sign;
      sum[find(edges.targets[e])] += tau * edges.weights[e] * sign;
    });
    const x = Array.from({ length: n }, (_, i) => sum[find(i)] / size[find(i)]);
    const f = objective(edges, u, tau, x);
    if (f < best.f) best = { x, f };
  }
  return best;
}

const tiny: [string, number, Edges][] = [
  ["weighted path", 4, { sources: [0, 1, 2], targets: [1, 2, 3], weights: [1, 0.5, 2] }],
  ["triangle with a pendant", 4, { sources: [0, 1, 2, 2], targets: [1, 2, 0, 3], weights: [1, 1.5, 0.7, 1] }],
  ["star", 5, { sources: [0, 0, 0, 0], targets: [1, 2, 3, 4], weights: [0.3, 1, 2, 0.8] }],
  ["weighted 5-cycle", 5, { sources: [0, 1, 2, 3, 4], targets: [1, 2, 3, 4, 0], weights: [1, 2, 0.5, 1.2, 0.9] }],
  ["complete graph K4", 4, { sources: [0, 0, 0, 1, 1, 2], targets: [1, 2, 3, 2, 3, 3], weights: [0.4, 1, 0.6, 1.3, 0.2, 0.8] }],
];

describe("graphTvProx (FGP on the dual)", () => {
  it.each(tiny)("matches the exact prox by enumeration on a %s", (_label, n, edges) => {
    const rand = mulberry32(n * 31 + edges.sources.length);
    const graph = graphFromEdges(edges, { nodes: n });
    for (const tau of [0.05, 0.3, 1, 4]) {
      for (let trial = 0; trial < 3; trial++) {
        const u = Array.from({ length: n }, () => 2 * randn(rand));
        const exact = bruteForceTvProx(n, edges, u, tau);
        const r = graphTvProx(graph, u, tau, { tol: 1e-9, maxIter: 100000 });
        expect(r.converged).toBe(true);
        const err = Math.sqrt(r.x.reduce((s, v, i) => s + (v - exact.x[i]) ** 2, 0));
        const unorm = Math.sqrt(u.reduce((s, v) => s + v * v, 0));
        expect(err).toBeLessThanOrEqual(1e-9 * unorm);
        expect(objective(edges, u, tau, r.x)).toBeLessThanOrEqual(exact.f + 1e-12);
      }
    }
  });

  it("satisfies the optimality conditions on a random graph, to its certified tolerance", () => {
    const rand = mulberry32(5);
    const n = 40;
    const edges = randomEdges(n, 60, rand);
    const graph = graphFromEdges(edges, { nodes: n });
    const u = Array.from({ length: n }, (_, i) => (i < 20 ? 1 : -1) + 0.3 * randn(rand));
    const tau = 0.2;
    const tol = 1e-6;
    const r = graphTvProx(graph, u, tau, { tol });
    expect(r.converged).toBe(true);
    // primal-dual link x = u − Bᵀp and dual feasibility |p_e| ≤ τw_e
    const x = [...u];
    graph.sources.forEach((i, e) => {
      x[i] -= r.dual[e];
      x[graph.targets[e]] += r.dual[e];
      expect(Math.abs(r.dual[e])).toBeLessThanOrEqual(tau * graph.weights[e] * (1 + 1e-15));
    });
    x.forEach((v, i) => expect(v).toBeCloseTo(r.x[i], 14));
    // complementary slackness: every term τw_e|Dx_e| − p_e·Dx_e ≥ 0, summing to the gap
    let sum = 0;
    graph.sources.forEach((i, e) => {
      const d = r.x[i] - r.x[graph.targets[e]];
      const term = tau * graph.weights[e] * Math.abs(d) - r.dual[e] * d;
      expect(term).toBeGreaterThanOrEqual(-1e-14);
      sum += term;
    });
    expect(Math.abs(sum - r.gap)).toBeLessThan(1e-12);
    const unorm = Math.sqrt(u.reduce((s, v) => s + v * v, 0));
    expect(Math.sqrt(2 * r.gap)).toBeLessThanOrEqual(tol * unorm);
    // the certificate is honest: a far tighter solve (itself certified) lies within tol·‖u‖
    const tight = graphTvProx(graph, u, tau, { tol: 1e-9, maxIter: 100000 });
    expect(tight.converged).toBe(true);
    const dist = Math.sqrt(r.x.reduce((s, v, i) => s + (v - tight.x[i]) ** 2, 0));
    expect(dist).toBeLessThanOrEqual(tol * unorm + 1e-9 * unorm);
    expect(r.iterations).toBeLessThan(tight.iterations);
  });

  it("returns u for τ = 0 and the mean for a large τ on a connected graph", () => {
    const rand = mulberry32(6);
    const graph = latticeGraph([9]);
    const u = Array.from({ length: 9 }, () => randn(rand));
    expect(Array.from(graphTvProx(graph, u, 0).x)).toEqual(u);
    const mean = u.reduce((s, v) => s + v, 0) / 9;
    for (const v of graphTvProx(graph, u, 100, { tol: 1e-12 }).x) expect(v).toBeCloseTo(mean, 10);
  });

  it("reports non-convergence when the iteration cap is hit, and rejects bad options", () => {
    const graph = latticeGraph([200]);
    const u = Array.from({ length: 200 }, (_, i) => Math.sin(i / 5) + (i % 7) / 7);
    const r = graphTvProx(graph, u, 0.5, { tol: 1e-14, maxIter: 20 });
    expect(r.converged).toBe(false);
    expect(r.iterations).toBe(20);
    expect(r.gap).toBeGreaterThan(0);
    expect(() => graphTvProx(graph, u, 0.5, { tol: -1 })).toThrow(/tol must be a finite number > 0, found -1/);
    expect(() => graphTvProx(graph, u, -0.5)).toThrow(/τ = t·λ must be finite and ≥ 0, found -0.5/);
    expect(() => graphTvProx(graph, u.slice(1), 0.5)).toThrow(/one entry per node \(200\), found 199/);
  });
});

describe.each(DTYPES)("graphTV atom (%s)", (dtype) => {
  const registry = new Registry();
  registry.use(graphPlugin);
  const def = registry.atoms.get("graphTV") as AtomDef;
  const rand = mulberry32(dtype === "float64" ? 41 : 42);
  const n = 30;
  const edges = randomEdges(n, 25, rand);
  const data = { src: edges.sources, dst: edges.targets, w: edges.weights };
  const k = Kernel.get(dtype);
  const weights = dtype === "float64" ? edges.weights : Array.from(Float32Array.from(edges.weights));
  const graph = graphFromEdges({ ...edges, weights }, { nodes: n });
  // both solves are certified to 1e-9·‖u‖; float32 adds the rounding of the output
  const rtol = dtype === "float64" ? 1e-8 : 1e-6;

  it("is a prox term in x-space whose prox is the FGP solution at t·λ", () => {
    const term = def.create(atomContext(def, { dtype, shape: [n], weight: 0.3, params: { sources: "src", targets: "dst", weights: "w", tol: 1e-9 }, data })) as ProxTerm;
    expect(term).toBeInstanceOf(GraphTvTerm);
    expect([term.kind, term.space, term.sparsity, term.bandWeights, term.bands]).toEqual(["prox", "x", false, null, null]);
    const u = randomArray(dtype, n, rand);
    const ub = k.from(u, "u");
    const out = k.alloc(n);
    term.prox(ub, 0.5, out);
    const ref = graphTvProx(graph, u, 0.15, { tol: 1e-9 });
    const scale = Math.max(...ref.x.map(Math.abs));
    out.view.forEach((v, i) => expect(Math.abs(v - ref.x[i])).toBeLessThan(rtol * scale + (dtype === "float32" ? 1e-6 * scale : 0)));
    expect((term as GraphTvTerm).lastSolve?.converged).toBe(true);
    // value λ Σ w_e|u_i − u_j|, and λ can be changed between steps
    let tv = 0;
    graph.sources.forEach((i, e) => (tv += graph.weights[e] * Math.abs(u[i] - u[graph.targets[e]])));
    expect(term.value(ub)).toBeCloseTo(0.3 * tv, dtype === "float64" ? 12 : 4);
    term.lambda = 0.6;
    expect(term.value(ub)).toBeCloseTo(0.6 * tv, dtype === "float64" ? 12 : 4);
    term.prox(ub, 0.5, ub); // out may alias u
    const ref2 = graphTvProx(graph, u, 0.3, { tol: 1e-9 });
    ub.view.forEach((v, i) => expect(Math.abs(v - ref2.x[i])).toBeLessThan(rtol * scale + (dtype === "float32" ? 1e-6 * scale : 0)));
    expect(() => (term.lambda = -1)).toThrow(/λ must be finite and ≥ 0, found -1/);
    ub.free();
    out.free();
    term.dispose();
  });

  it("records its prox as a JS step of a plan, with g(out) in the stats and the step read from its cell", () => {
    const ctx = atomContext(def, { dtype, shape: [8], weight: 1, params: { graph: "ring", tol: 1e-10 } });
    const term = def.create(ctx) as ProxTerm;
    const u = randomArray(dtype, 8, rand);
    const ub = k.from(u, "u");
    const out = k.alloc(8);
    const [step, nnz, value, v2] = [0, 1, 2, 3].map(() => ctx.cells.cell(0));
    const p = new PlanBuilder(k);
    term.emitProx(p, ub, step, out, { nnz, value });
    term.emitValue(p, out, v2);
    const prog = p.build();
    expect(prog.jsSteps).toBe(2);
    const ring = latticeGraph([8], { periodic: true });
    for (const t of [0.1, 0.4]) {
      step.value = t;
      prog.run();
      const ref = graphTvProx(ring, u, t, { tol: 1e-10 });
      out.view.forEach((v, i) => expect(v).toBeCloseTo(ref.x[i], dtype === "float64" ? 9 : 5));
      let tv = 0;
      for (let i = 0; i < 8; i++) tv += Math.abs(out.view[i] - out.view[(i + 1) % 8]);
      expect(value.value).toBeCloseTo(tv, dtype === "float64" ? 12 : 5);
      expect(v2.value).toBeCloseTo(tv, dtype === "float64" ? 12 : 5);
      expect(Number.isNaN(nnz.value)).toBe(true);
    }
    prog.dispose();
    ub.free();
    out.free();
    term.dispose();
  });
});
