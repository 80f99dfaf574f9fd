// The structured certificate route: η_dd and γ of operators that declare their structure, in
// closed form, against dense matrices built independently here (η_dd row by row, γ by Jacobi);
// the restricted case against principal submatrices; and at 65536+ unknowns, where no row is
// sampled.
import {
  type CertificateContext,
  DTYPES,
  type Dtype,
  type LinearStructure,
  type TransformOp,
  blockDiagonalStructure,
  circulantStructure,
  compileFlow,
  defineFlow,
  diagonalStructure,
  kroneckerStructure,
  rngKey,
  scaledIdentity,
} from "@cflow/core";
import { describe, expect, it } from "vitest";
import { type CertTransform, DEFAULT_GATES, circulantSpectrum, fda } from "../src/index.js";
import { ArrayPool } from "../src/array-pool.js";
import { probeStructure } from "../src/structured.js";
import { type Mat, denseLApply, denseRowCertificates, denseTransform, get, haarMatrix, jacobiEigenvalues, mat, sub } from "./helpers.js";
import { mulberry32, zerosOf } from "@cflow/test-kit";

type Entry = { offset: number[]; value: number };

/** The dense circulant L_ij = c[(i − j) mod shape], from the stencil's entries (independently of the library). */
function circulantMatrix(shape: number[], entries: Entry[]): Mat {
  const n = shape.reduce((a, b) => a * b, 1);
  const m = mat(n, n);
  const coords = (k: number) => {
    const c: number[] = [];
    for (let d = shape.length - 1; d >= 0; d--) {
      c.unshift(k % shape[d]);
      k = Math.floor(k / shape[d]);
    }
    return c;
  };
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const ci = coords(i);
      const cj = coords(j);
      for (const e of entries) if (e.offset.every((o, d) => (((ci[d] - cj[d] - o) % shape[d]) + shape[d]) % shape[d] === 0)) m.a[i * n + j] += e.value;
    }
  }
  return m;
}

function diagMatrix(d: number[]): Mat {
  const m = mat(d.length, d.length);
  d.forEach((v, i) => (m.a[i * d.length + i] = v));
  return m;
}

function kron(a: Mat, b: Mat): Mat {
  const m = mat(a.rows * b.rows, a.cols * b.cols);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) for (let k = 0; k < b.rows; k++) for (let l = 0; l < b.cols; l++) m.a[(i * b.rows + k) * m.cols + j * b.cols + l] = get(a, i, j) * get(b, k, l);
  return m;
}

function blockDiag(blocks: Mat[]): Mat {
  const n = blocks.reduce((s, b) => s + b.rows, 0);
  const m = mat(n, n);
  let o = 0;
  for (const b of blocks) {
    for (let i = 0; i < b.rows; i++) for (let j = 0; j < b.cols; j++) m.a[(o + i) * n + o + j] = get(b, i, j);
    o += b.rows;
  }
  return m;
}

/** A random symmetric stencil: a dominant centre and mirrored pairs. */
function stencil(shape: number[], centre: number, pairs: number, rand: () => number): Entry[] {
  const out: Entry[] = [{ offset: shape.map(() => 0), value: centre }];
  for (let k = 0; k < pairs; k++) {
    const off = shape.map((d) => Math.floor(rand() * d));
    const v = rand() - 0.5;
    out.push({ offset: off, value: v }, { offset: off.map((x) => -x), value: v });
  }
  return out;
}

function context(l: Mat, structure: LinearStructure, dtype: Dtype, extra: Partial<Omit<CertificateContext, "W">> & { W?: CertTransform | null } = {}): CertificateContext {
  return { L_apply: denseLApply(l), n: l.rows, dtype, coefficients: null, gates: { ...DEFAULT_GATES }, key: rngKey(5), structure, ...extra, W: (extra.W ?? null) as TransformOp | null };
}

describe.each(DTYPES as Dtype[])("structured certificates (%s)", (dtype) => {
  const rand = mulberry32(41);
  const cases: [string, () => { l: Mat; s: LinearStructure }][] = [
    ["scaled identity 2.5·I", () => ({ l: diagMatrix(new Array(12).fill(2.5)), s: scaledIdentity(12, 2.5) })],
    [
      "diagonal",
      () => {
        const d = Array.from({ length: 15 }, () => 0.1 + rand());
        return { l: diagMatrix(d), s: diagonalStructure(d) };
      },
    ],
    ["circulant 1D on 32 (FFT)", () => circ([32], 3, 4)],
    ["circulant 2D on 8×16 (FFT)", () => circ([8, 16], 4, 6)],
    ["circulant 2D on 6×5 (direct DFT)", () => circ([6, 5], 1.2, 5)],
    ["circulant with a negative eigenvalue, on 20", () => circ([20], 0.3, 3)],
    [
      "block diagonal of a circulant and a diagonal",
      () => {
        const a = circ([10], 2, 2);
        const d = Array.from({ length: 6 }, () => 1 + rand());
        return { l: blockDiag([a.l, diagMatrix(d)]), s: blockDiagonalStructure([a.s, diagonalStructure(d)]) };
      },
    ],
    [
      "Kronecker: circulant ⊗ diagonal",
      () => {
        const a = circ([6], 3, 2);
        const d = Array.from({ length: 5 }, () => 0.5 + rand());
        return { l: kron(a.l, diagMatrix(d)), s: kroneckerStructure([a.s, diagonalStructure(d)]) };
      },
    ],
    [
      "Kronecker: circulant ⊗ circulant",
      () => {
        const a = circ([8], 2, 2);
        const b = circ([7], 1.5, 2);
        return { l: kron(a.l, b.l), s: kroneckerStructure([a.s, b.s]) };
      },
    ],
  ];
  function circ(shape: number[], centre: number, pairs: number): { l: Mat; s: LinearStructure } {
    const e = stencil(shape, centre, pairs, rand);
    return { l: circulantMatrix(shape, e), s: circulantStructure(shape, e) };
  }

  it.each(cases)("%s: η_dd exactly, γ a lower bound within the margin of λ_min", (_name, make) => {
    const { l, s } = make();
    const cert = fda().certify(context(l, s, dtype, { gates: { etaMax: 1e9, gammaMin: -1e9 } }));
    const rows = denseRowCertificates(l);
    const eig = jacobiEigenvalues(l);
    expect(cert.method).toBe("structured");
    expect(cert.size).toBe(l.rows);
    expect(cert.cost.applications).toBe(1);
    expect(cert.etaDD).toBeCloseTo(rows.etaDD, 12);
    expect(cert.gammaGershgorin).toBeCloseTo(rows.gershgorin, 12);
    expect(cert.gamma).toBeLessThanOrEqual(eig[0] + 1e-12);
    expect(cert.gamma).toBeGreaterThan(eig[0] - 1e-12);
    expect(cert.lambdaMax!).toBeGreaterThanOrEqual(eig[eig.length - 1] - 1e-12);
    expect(cert.lambdaMax!).toBeLessThan(eig[eig.length - 1] + 1e-12);
    expect(cert.pass).toBe(true);
    expect(cert.diagnostics.probe).toMatchObject({ pass: true });
  });

  it("applies the gates with the same reasons as the other routes", () => {
    const { l, s } = circ([16], 1, 3);
    const cert = fda().certify(context(l, s, dtype, { gates: { etaMax: 0.1, gammaMin: 10 } }));
    expect(cert.pass).toBe(false);
    expect(cert.reasons[0]).toMatch(/^η_dd = [0-9.]+ > η_max = 0\.1000: L_W \(16×16\) is not diagonally dominant enough — worst row 0/);
    expect(cert.reasons[1]).toMatch(/^γ = -?[0-9.]+ \(a lower bound of λ_min from the declared structure\) < γ_min = 10\.00: L_W \(16×16\) is \(near-\)singular/);
  });

  it("restricted to an active set: η_dd of the principal submatrix exactly, γ below its λ_min", () => {
    for (const make of [() => circ([8, 8], 2.5, 6), () => circ([40], 1, 4)]) {
      const { l, s } = make();
      const u = zerosOf(dtype, l.rows);
      const active: number[] = [];
      for (let i = 0; i < l.rows; i++) if (rand() < 0.4) (u[i] = 1 + rand()), active.push(i);
      const cert = fda().certify(context(l, s, dtype, { coefficients: u, gates: { etaMax: 1e9, gammaMin: -1e9 } }));
      const ls = sub(l, active);
      expect(cert.method).toBe("structured");
      expect(cert.size).toBe(active.length);
      expect(cert.etaDD).toBeCloseTo(denseRowCertificates(ls).etaDD, 12);
      expect(cert.gamma).toBeLessThanOrEqual(jacobiEigenvalues(ls)[0] + 1e-12);
      expect(cert.gamma).toBeGreaterThanOrEqual(Math.max(jacobiEigenvalues(l)[0], denseRowCertificates(ls).gershgorin) - 1e-12);
      expect(cert.diagnostics.subspace).toBe("restricted");
    }
  });

  it("an empty active set fails with the usual reason", () => {
    const { l, s } = circ([16], 1, 2);
    const cert = fda().certify(context(l, s, dtype, { coefficients: zerosOf(dtype, 16) }));
    expect(cert.pass).toBe(false);
    expect(cert.reasons[0]).toMatch(/^the active set is empty/);
  });

  it("a unitary transform around a scaled identity stays closed form; other transforms take the existing routes", () => {
    const n = 16;
    const W = denseTransform(haarMatrix(n, 2), "unitary", 1, dtype, "haar");
    const id = fda().certify(context(diagMatrix(new Array(n).fill(0.5)), scaledIdentity(n, 0.5), dtype, { W }));
    expect(id).toMatchObject({ method: "structured", etaDD: 0, gamma: 0.5, pass: true });
    const { l, s } = circ([n], 2, 2);
    const other = fda().certify(context(l, s, dtype, { W }));
    expect(other.method).toBe("exact");
  });

  it("a declaration that does not match L_apply fails closed, saying so", () => {
    const { l } = circ([16], 2, 2);
    const cert = fda().certify(context(l, scaledIdentity(16, 2), dtype));
    expect(cert.pass).toBe(false);
    expect(cert.reasons[0]).toMatch(/^the declared Hessian structure \(2·I \(16\)\) does not match L_apply on a random probe/);
    expect(cert.diagnostics.probe).toMatchObject({ pass: false });
  });

  it("the ±1 probe sees a lie in one entry under every key, and a wrong circulant stencil", () => {
    // one wrong off-diagonal pair of a diagonal declaration: the row's only wrong entry, so
    // |(Lv − Sv)_i| = |δ| whatever the signs — caught for every key (a Gaussian probe could draw v_j ≈ 0)
    const n = 24;
    const d = Array.from({ length: n }, (_, i) => 1 + (i % 5) / 10);
    const l = diagMatrix(d);
    const delta = 1e-3;
    l.a[3 * n + 17] = l.a[17 * n + 3] = delta;
    for (let k = 0; k < 20; k++) {
      const probe = probeStructure(context(l, diagonalStructure(d), dtype, { key: rngKey(100 + k) }), diagonalStructure(d));
      expect(probe.ok).toBe(false);
      // the lie relative to ‖S‖∞·‖v‖∞ = 1.4 (rounding of the float32 operator aside)
      expect(probe.error).toBeGreaterThan((delta / 1.4) * 0.99);
    }
    // one mirrored pair of a stencil off by 1e-3: every row is wrong
    const e = stencil([32], 3, 4, rand);
    const l2 = circulantMatrix([32], e);
    const right = circulantStructure([32], e);
    const lied = circulantStructure([32], e.map((x, i) => (i === 1 || i === 2 ? { ...x, value: x.value + 1e-3 } : x)));
    for (let k = 0; k < 20; k++) expect(probeStructure(context(l2, lied, dtype, { key: rngKey(200 + k) }), lied).ok).toBe(false);
    // the truth passes under every key
    for (let k = 0; k < 20; k++) expect(probeStructure(context(l2, right, dtype, { key: rngKey(300 + k) }), right).ok).toBe(true);
    // its float64 arrays go to the pool it is given (for the class rows' build), and from it on the next check: the same verdict
    const pool = new ArrayPool();
    const first = probeStructure(context(l2, lied, dtype, { key: rngKey(400) }), lied, pool);
    const lent = [0, 1, 2].map(() => pool.take(32));
    expect(lent.filter((a) => a.some((x) => x !== 0)).length).toBe(dtype === "float64" ? 3 : 1);
    pool.give(...lent.map((a) => a.fill(Number.NaN)));
    expect(probeStructure(context(l2, lied, dtype, { key: rngKey(400) }), lied, pool)).toEqual(first);
  });

  it("an explicit method forces its evaluator", () => {
    const { l, s } = circ([16], 2, 2);
    expect(fda({ method: "exact" }).certify(context(l, s, dtype)).method).toBe("exact");
  });
});

describe.each(DTYPES as Dtype[])("structured certificates at 65536+ unknowns (%s)", (dtype) => {
  it("½‖x − y‖² + TV on 256×256: η_dd = 0, γ = 1 with one probe, no sampled rows", () => {
    const n = 256;
    const y = zerosOf(dtype, n * n);
    const { compiled } = compileFlow(
      defineFlow({ dtype, state: { x: { shape: [n, n] } }, data: { y }, terms: [{ kind: "data", atom: "leastSquares", target: "y" }, { kind: "regularizer", atom: "tvIsotropic", weight: 0.08 }] }),
      { dtype },
    );
    const cert = fda().certify({ L_apply: (v, out) => compiled.L_apply(v, out), n: compiled.n, dtype, W: null, coefficients: null, gates: { ...DEFAULT_GATES }, key: rngKey(1), structure: compiled.hessianStructure() });
    expect(cert).toMatchObject({ method: "structured", size: 65536, etaDD: 0, gamma: 1, gammaGershgorin: 1, lambdaMax: 1, pass: true, reasons: [] });
    expect(cert.cost.applications).toBe(1);
    expect(cert.diagnostics).toMatchObject({ etaRows: "every row, in closed form from the declared structure", rowClasses: 1 });
    compiled.dispose();
  });

  it("least squares through a 3-tap blur on 2^17 samples plus Tikhonov: the analytic η_dd and γ", () => {
    // K = [¼, ½, ¼] circular: K̂(θ) = ½ + ½cos θ, so KᵀK + μI has eigenvalues (½ + ½cos θ)² + μ, the smallest μ (θ = π);
    // its column is (c₀, c±1, c±2) = (⅜ + μ, ¼, 1/16), so η_dd = (2·¼ + 2/16) / (⅜ + μ + ε), ε = 1e-12·(⅜ + μ).
    const n = 2 ** 17;
    const mu = 0.01;
    const psf = dtype === "float64" ? Float64Array.of(0.25, 0.5, 0.25) : Float32Array.of(0.25, 0.5, 0.25);
    const { compiled } = compileFlow(
      defineFlow({
        dtype,
        state: { x: { shape: [n] } },
        data: { y: zerosOf(dtype, n), psf },
        ops: { K: { type: "conv1d", kernel: "psf", shape: [n], boundary: "circular" } },
        terms: [
          { kind: "data", atom: "leastSquares", op: "K", target: "y" },
          { kind: "regularizer", atom: "tikhonov", weight: mu },
        ],
      }),
      { dtype },
    );
    const s = compiled.hessianStructure()!;
    expect(s.kind).toBe("circulant");
    const cert = fda().certify({ L_apply: (v, out) => compiled.L_apply(v, out), n, dtype, W: null, coefficients: null, gates: { etaMax: 2, gammaMin: 1e-3 }, key: rngKey(2), structure: s });
    expect(cert.method).toBe("structured");
    expect(cert.etaDD).toBeCloseTo(0.625 / ((0.375 + mu) * (1 + 1e-12)), 14);
    expect(cert.gamma).toBeLessThanOrEqual(mu);
    expect(mu - cert.gamma).toBeLessThan(1e-9);
    expect(cert.lambdaMax!).toBeGreaterThanOrEqual(1 + mu);
    expect(cert.pass).toBe(true);
    expect(cert.cost.applications).toBe(1);
    // the margin is the stated bound, small against γ
    const spec = circulantSpectrum([n], (s as Extract<LinearStructure, { kind: "circulant" }>).stencil)!;
    expect(spec.method).toBe("fft");
    expect(spec.margin).toBeLessThan(1e-9);
    expect(cert.diagnostics.spectralMargin).toBe(spec.margin);
    compiled.dispose();
  });
});
