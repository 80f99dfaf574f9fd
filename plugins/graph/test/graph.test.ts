import { CflowError } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { graphFromEdges, latticeGraph } from "../src/index.js";
import { denseLaplacian, randomEdges } from "./helpers.js";
import { jacobiEigen, mulberry32 } from "@cflow/test-kit";

function csrToDense(csr: { rows: number; cols: number; indptr: Int32Array; indices: Int32Array; values: Float64Array }): number[][] {
  const A = Array.from({ length: csr.rows }, () => new Array<number>(csr.cols).fill(0));
  for (let i = 0; i < csr.rows; i++) for (let k = csr.indptr[i]; k < csr.indptr[i + 1]; k++) A[i][csr.indices[k]] += csr.values[k];
  return A;
}

describe("graphFromEdges", () => {
  it("stores each undirected edge once, sorted, and merges parallel edges by adding weights", () => {
    const g = graphFromEdges({ sources: [2, 0, 1, 0], targets: [1, 1, 2, 3], weights: [0.5, 1, 2, 4] }, { nodes: 4 });
    expect(Array.from(g.sources)).toEqual([0, 0, 1]);
    expect(Array.from(g.targets)).toEqual([1, 3, 2]);
    expect(Array.from(g.weights)).toEqual([1, 4, 2.5]);
    expect(Array.from(g.degrees)).toEqual([5, 3.5, 2.5, 4]);
  });

  it("names the edge and the value when an index, a weight or a self-loop is wrong", () => {
    const bad = (f: () => unknown, path: string, pattern: RegExp) => {
      try {
        f();
        expect.fail("expected a CflowError");
      } catch (e) {
        expect(e).toBeInstanceOf(CflowError);
        expect((e as CflowError).details.path).toBe(path);
        expect((e as Error).message).toMatch(pattern);
      }
    };
    bad(() => graphFromEdges({ sources: [0, 5], targets: [1, 2] }, { nodes: 4 }), "graphFromEdges.sources[1]", /sources\[1\] = 5 is not a node index in \[0, 4\)/);
    bad(() => graphFromEdges({ sources: [0], targets: [1.5] }, { nodes: 4 }), "graphFromEdges.targets[0]", /1\.5/);
    bad(() => graphFromEdges({ sources: [0, 2], targets: [1, 2] }, { nodes: 4 }), "graphFromEdges.targets[1]", /self-loop at node 2/);
    bad(() => graphFromEdges({ sources: [0], targets: [1], weights: [-1] }, { nodes: 4 }), "graphFromEdges.weights[0]", /positive semi-definite/);
    bad(() => graphFromEdges({ sources: [0], targets: [1, 2] }, { nodes: 4 }), "graphFromEdges", /one entry per edge/);
    bad(() => graphFromEdges({ sources: [0], targets: [1] }, { nodes: 0 }), "graphFromEdges.nodes", /positive integer/);
  });

  it("builds the Laplacian CSR of scale·L + shift·I equal to the dense matrix from the edge list", () => {
    const rand = mulberry32(7);
    const edges = randomEdges(9, 10, rand);
    const g = graphFromEdges(edges, { nodes: 9 });
    const L = denseLaplacian(9, edges);
    const M = csrToDense(g.laplacianCsr(0.3, -1));
    for (let i = 0; i < 9; i++) for (let j = 0; j < 9; j++) expect(M[i][j]).toBeCloseTo(0.3 * L[i][j] - (i === j ? 1 : 0), 14);
    // columns of each row are sorted (the diagonal sits between lower and upper neighbours)
    const csr = g.laplacianCsr();
    for (let i = 0; i < 9; i++) for (let k = csr.indptr[i] + 1; k < csr.indptr[i + 1]; k++) expect(csr.indices[k]).toBeGreaterThan(csr.indices[k - 1]);
  });

  it("has incidence matrices with BᵀB = L (weighted) and ±1 rows (unweighted)", () => {
    const rand = mulberry32(8);
    const edges = randomEdges(7, 6, rand);
    const g = graphFromEdges(edges, { nodes: 7 });
    const B = csrToDense(g.incidenceCsr(true));
    const L = denseLaplacian(7, edges);
    for (let i = 0; i < 7; i++) for (let j = 0; j < 7; j++) expect(B.reduce((s, row) => s + row[i] * row[j], 0)).toBeCloseTo(L[i][j], 13);
    const U = csrToDense(g.incidenceCsr(false));
    for (const row of U) expect(row.filter((v) => v !== 0).sort()).toEqual([-1, 1]);
  });

  it("bounds λ_max(L) and ‖B‖² from above (dense eigenvalues of random weighted graphs)", () => {
    const rand = mulberry32(9);
    for (let trial = 0; trial < 6; trial++) {
      const n = 5 + trial * 3;
      const edges = randomEdges(n, 2 * n, rand);
      const g = graphFromEdges(edges, { nodes: n });
      const L = denseLaplacian(n, edges);
      const { values, vectors } = jacobiEigen(L);
      // the eigensolver itself: A v = λ v
      for (let k = 0; k < n; k++) {
        for (let i = 0; i < n; i++) expect(L[i].reduce((s, a, j) => s + a * vectors[j][k], 0)).toBeCloseTo(values[k] * vectors[i][k], 9);
      }
      const lmax = Math.max(...values);
      expect(g.lambdaMaxBound).toBeGreaterThanOrEqual(lmax * (1 - 1e-12));
      expect(Math.min(...values)).toBeGreaterThan(-1e-10);
      const U = denseLaplacian(n, { sources: edges.sources, targets: edges.targets });
      expect(g.incidenceNormSqBound).toBeGreaterThanOrEqual(Math.max(...jacobiEigen(U).values) * (1 - 1e-12));
    }
  });
});

describe("latticeGraph", () => {
  it("joins neighbours along every axis, and wraps them when periodic", () => {
    expect(latticeGraph([5]).edges).toBe(4);
    expect(latticeGraph([5], { periodic: true }).edges).toBe(5);
    const grid = latticeGraph([3, 4]);
    expect(grid.edges).toBe(3 * 3 + 2 * 4);
    expect(Array.from(grid.degrees)).toEqual([2, 3, 3, 2, 3, 4, 4, 3, 2, 3, 3, 2]);
    const torus = latticeGraph([3, 4], { periodic: true });
    expect(torus.edges).toBe(24);
    expect(Array.from(torus.degrees).every((d) => d === 4)).toBe(true);
    // a ring of n has λ_max = 4 for even n: the bound is tight
    expect(latticeGraph([8], { periodic: true }).lambdaMaxBound).toBe(4);
  });

  it("refuses shapes that are not arrays of positive integers", () => {
    expect(() => latticeGraph([4, 0])).toThrow(/latticeGraph: shape must be an array of positive integers/);
  });
});
