import { CflowError, DTYPES, DtypeError, type OpFactory, Registry, ShapeError } from "@cflow/core";
import { Kernel, PlanBuilder } from "@cflow/core/kernel";
import { describe, expect, it } from "vitest";
import { graphFromEdges, graphIncidence, graphLaplacian, graphPlugin } from "../src/index.js";
import { denseLaplacian, matVec, randomEdges, tol } from "./helpers.js";
import { dot, expectArrayClose, jacobiEigen, mulberry32, randomArray, typed } from "@cflow/test-kit";

describe.each(DTYPES)("graph ops (%s)", (dtype) => {
  const rand = mulberry32(dtype === "float64" ? 11 : 12);
  const n = 23;
  const edges = randomEdges(n, 30, rand);
  const graph = graphFromEdges(edges, { nodes: n });
  const L = denseLaplacian(n, edges);

  it("applies L = D − A like the dense matrix, annihilates constants, and is self-adjoint", () => {
    const op = graphLaplacian(graph, { dtype });
    const x = randomArray(dtype, n, rand);
    expectArrayClose(op.apply(x), matVec(L, x), tol(dtype));
    expectArrayClose(op.adjoint(x), matVec(L, x), tol(dtype));
    const ones = typed(dtype, new Array(n).fill(1));
    const l1 = op.apply(ones);
    for (const v of l1) expect(Math.abs(v)).toBeLessThan(dtype === "float64" ? 1e-12 : 1e-5);
    const y = randomArray(dtype, n, rand);
    const lhs = dot(op.apply(x), y);
    const rhs = dot(x, op.adjoint(y));
    expect(Math.abs(lhs - rhs)).toBeLessThan(tol(dtype) * 10 * Math.sqrt(dot(op.apply(x), op.apply(x)) * dot(y, y)));
    op.dispose();
  });

  it("has a norm hint at or above λ_max (and a flow of it is one kernel call)", () => {
    const op = graphLaplacian(graph, { dtype });
    const lmax = Math.max(...jacobiEigen(L).values);
    expect(op.normHint).toBeGreaterThanOrEqual(lmax);
    expect(op.normHint).toBeLessThan(3 * lmax);
    const k = Kernel.get(dtype);
    const x = k.from(randomArray(dtype, n, rand), "test");
    const y = k.alloc(n);
    const p = new PlanBuilder(k);
    op.emitApply(p, x, y);
    op.emitAdjoint(p, y, x);
    const prog = p.build();
    expect(prog.kernelCalls).toBe(1);
    expect(prog.jsSteps).toBe(0);
    prog.dispose();
    x.free();
    y.free();
    op.dispose();
  });

  it("has a weighted incidence B with BᵀB = L and ‖B‖ ≤ its hint", () => {
    const B = graphIncidence(graph, { dtype });
    expect(B.outShape).toEqual([graph.edges]);
    const x = randomArray(dtype, n, rand);
    expectArrayClose(B.adjoint(B.apply(x)), matVec(L, x), dtype === "float64" ? 1e-12 : 1e-5);
    const e = randomArray(dtype, graph.edges, rand);
    expect(Math.abs(dot(B.apply(x), e) - dot(x, B.adjoint(e)))).toBeLessThan(tol(dtype) * 100 * Math.sqrt(dot(x, x) * dot(e, e)));
    expect(B.normHint! ** 2).toBeGreaterThanOrEqual(Math.max(...jacobiEigen(L).values));
    const U = graphIncidence(graph, { dtype, weighted: false });
    const d = U.apply(x);
    for (let k = 0; k < graph.edges; k++) expect(d[k]).toBeCloseTo(x[graph.sources[k]] - x[graph.targets[k]], dtype === "float64" ? 12 : 5);
    B.dispose();
    U.dispose();
  });

  it("refuses arrays of the other dtype or the wrong length", () => {
    const op = graphLaplacian(graph, { dtype });
    const other = dtype === "float64" ? new Float32Array(n) : new Float64Array(n);
    expect(() => op.apply(other)).toThrow(DtypeError);
    expect(() => op.apply(typed(dtype, new Array(n + 1).fill(0)))).toThrow(ShapeError);
    op.dispose();
  });

  it("is created from edge data by the registered op factories", () => {
    const registry = new Registry();
    registry.use(graphPlugin);
    const factory = registry.ops.get("graphLaplacian") as OpFactory;
    const data = { src: typed(dtype, edges.sources), dst: typed(dtype, edges.targets), w: typed(dtype, edges.weights) };
    const op = factory.create({ sources: "src", targets: "dst", weights: "w", nodes: n }, { dtype, data, path: "ops.L" });
    expect(op.dtype).toBe(dtype);
    const x = randomArray(dtype, n, rand);
    // float32 data rounds the weights: compare with the Laplacian of the rounded weights
    expectArrayClose(op.apply(x), matVec(denseLaplacian(n, { ...edges, weights: Array.from(data.w) }), x), tol(dtype));
    op.dispose();
    const D = (registry.ops.get("graphIncidence") as OpFactory).create({ sources: "src", targets: "dst", nodes: n, weighted: false }, { dtype, data, path: "ops.D" });
    expect(D.outShape).toEqual([graph.edges]);
    D.dispose();
    try {
      factory.create({ sources: "edges_from", targets: "dst", nodes: n }, { dtype, data, path: "ops.L" });
      expect.fail("expected an unknown-data error");
    } catch (err) {
      expect(err).toBeInstanceOf(CflowError);
      expect((err as CflowError).details.path).toBe("ops.L.sources");
      expect((err as Error).message).toMatch(/no data array "edges_from"/);
    }
    expect(() => factory.create({ sources: "src", targets: "dst", nodes: 3 }, { dtype, data, path: "ops.L" })).toThrow(/ops\.L: sources\[\d+\] = \d+ is not a node index in \[0, 3\)/);
  });
});
