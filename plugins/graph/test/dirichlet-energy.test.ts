import { type AtomDef, CflowError, DTYPES, Registry, type SmoothTerm } from "@cflow/core";
import { Kernel, PlanBuilder } from "@cflow/core/kernel";
import { describe, expect, it } from "vitest";
import { graphPlugin, latticeGraph } from "../src/index.js";
import { atomContext, denseLaplacian, matVec, randomEdges } from "./helpers.js";
import { expectArrayClose, jacobiEigen, mulberry32, randomArray } from "@cflow/test-kit";

describe.each(DTYPES)("dirichletEnergy (%s)", (dtype) => {
  const rand = mulberry32(dtype === "float64" ? 21 : 22);
  const n = 17;
  const edges = randomEdges(n, 20, rand);
  const L = denseLaplacian(n, edges);
  const w = 0.7;
  const rtol = dtype === "float64" ? 1e-12 : 1e-5;
  const registry = new Registry();
  registry.use(graphPlugin);
  const def = registry.atoms.get("dirichletEnergy") as AtomDef;
  const make = () => def.create(atomContext(def, { dtype, shape: [n], weight: w, params: { sources: "src", targets: "dst", weights: "w" }, data: { src: edges.sources, dst: edges.targets, w: edges.weights } })) as SmoothTerm;
  // float32 data rounds the weights; the truth uses the weights the atom actually sees
  const weights = dtype === "float64" ? edges.weights : Array.from(Float32Array.from(edges.weights));
  const Lw = denseLaplacian(n, { ...edges, weights });
  const k = Kernel.get(dtype);

  it("evaluates ½w Σ_e w_e (x_i − x_j)², its gradient wLx and Hessian wL", () => {
    const term = make();
    expect(term.kind).toBe("smooth");
    expect(term.quadratic).toBe(true);
    const x = randomArray(dtype, n, rand);
    let direct = 0;
    edges.sources.forEach((i, e) => (direct += weights[e] * (x[i] - x[edges.targets[e]]) ** 2));
    direct *= w / 2;
    const xb = k.from(x, "x");
    expect(Math.abs(term.value(xb) - direct)).toBeLessThan(rtol * direct);
    const g0 = randomArray(dtype, n, rand);
    const gb = k.from(g0, "g");
    const f = term.addGradient(xb, gb);
    expect(Math.abs(f - direct)).toBeLessThan(rtol * direct);
    expectArrayClose(gb.view, matVec(Lw, x).map((v, i) => g0[i] + w * v), rtol * 10);
    const v = randomArray(dtype, n, rand);
    const vb = k.from(v, "v");
    const hb = k.from(g0, "h");
    term.addHessian(xb, vb, hb);
    expectArrayClose(hb.view, matVec(Lw, v).map((q, i) => g0[i] + w * q), rtol * 10);
    for (const b of [xb, gb, vb, hb]) b.free();
    term.dispose();
  });

  it("takes the gradient at the momentum point from cached images (plan emission)", () => {
    const term = make();
    const xc = randomArray(dtype, n, rand);
    const xp = randomArray(dtype, n, rand);
    const beta = 0.37;
    const y = xc.map((v, i) => v + beta * (v - xp[i]));
    const [bc, bp, by] = [xc, xp, y].map((a) => k.from(a, "state"));
    const g = k.alloc(n);
    g.view.fill(0);
    const ctx = atomContext(def, { dtype, shape: [n] });
    const [v0, v1, vy, betaCell] = [0, 1, 2, 3].map(() => ctx.cells.cell(0));
    betaCell.value = beta;
    const p = new PlanBuilder(k);
    term.emitObserve(p, bc, 0, v0);
    term.emitObserve(p, bp, 1, v1);
    term.emitGradient(p, by, 0, 1, betaCell, g, vy);
    const prog = p.build();
    expect(prog.kernelCalls).toBe(1);
    prog.run();
    const quad = (x: ArrayLike<number>) => (w / 2) * matVec(Lw, x).reduce((s, q, i) => s + q * x[i], 0);
    expect(Math.abs(v0.value - quad(xc))).toBeLessThan(rtol * 10 * quad(xc));
    expect(Math.abs(v1.value - quad(xp))).toBeLessThan(rtol * 10 * quad(xp));
    // f(y) and ∇f(y) from linear combinations of the cached L x_cur, L x_prev
    expect(Math.abs(vy.value - quad(y))).toBeLessThan((dtype === "float64" ? 1e-11 : 1e-4) * quad(y));
    expectArrayClose(g.view, matVec(Lw, y).map((q) => w * q), dtype === "float64" ? 1e-11 : 1e-4);
    prog.dispose();
    for (const b of [bc, bp, by, g]) b.free();
    term.dispose();
  });

  it("declares its Lipschitz constant through the weighted incidence: w·‖B_w‖² ≥ w·λ_max(L)", () => {
    const term = make();
    const { scale, normOp } = term.lipschitz;
    expect(scale).toBe(w);
    expect(normOp?.kind).toBe("graphIncidence");
    const lmax = Math.max(...jacobiEigen(L).values);
    expect(scale * normOp!.normHint! ** 2).toBeGreaterThanOrEqual(w * lmax * (1 - 1e-6));
    term.dispose();
  });

  it("uses the slot's lattice for graph grid / ring", () => {
    const grid = def.create(atomContext(def, { dtype, shape: [3, 4], weight: 2, params: { graph: "grid" } })) as SmoothTerm;
    const x = randomArray(dtype, 12, rand);
    const lattice = latticeGraph([3, 4]);
    const expected = matVec(denseLaplacian(12, lattice), x).reduce((s, q, i) => s + q * x[i], 0);
    const xb = k.from(x, "x");
    expect(Math.abs(grid.value(xb) - expected)).toBeLessThan(rtol * 10 * expected);
    const ring = def.create(atomContext(def, { dtype, shape: [12], params: { graph: "ring" } })) as SmoothTerm;
    let ringValue = 0;
    for (let i = 0; i < 12; i++) ringValue += (x[i] - x[(i + 1) % 12]) ** 2;
    expect(Math.abs(ring.value(xb) - ringValue / 2)).toBeLessThan(rtol * 10 * ringValue);
    xb.free();
    grid.dispose();
    ring.dispose();
  });

  it("reports missing edge data at the parameter's spec path", () => {
    expect(def.checkParams?.({ graph: "edges", targets: "dst" })).toMatchObject({ param: "sources" });
    expect(def.checkParams?.({ graph: "ring" })).toBeNull();
    try {
      def.create(atomContext(def, { dtype, shape: [n], params: { sources: "from", targets: "dst" }, data: { dst: edges.targets } }));
      expect.fail("expected an unknown-data error");
    } catch (e) {
      expect(e).toBeInstanceOf(CflowError);
      expect((e as CflowError).details.path).toBe("terms[0].params.sources");
      expect((e as Error).message).toMatch(/no data array "from"/);
    }
  });
});
