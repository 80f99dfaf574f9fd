// The hook's verdicts against dense truth: on small problems (1D and 2D blurs through Haar, dense
// AᵀA; float32 and float64) the certified γ never exceeds the dense λ_min of the restricted
// operator and the certified η_dd never falls below the dense optimally scaled dominance; verdicts
// agree with the dense ones where the dense values are clear of the gates; a seeded fuzz over random
// supports and gates finds no pass on an operator whose dense λ_min is below γ_min; supports inside
// a certified one inherit its certificate; the error bar holds against exact minimisers.
import { type CertificateContext, circulantStructure, createTransform, DTYPES, type Dtype, rngKey, type TransformOp } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { type CertTransform, fda } from "../src/index.js";
import { blurNormalMatrix, denseLApply, denseTransform, haarMatrix, jacobiEigenvalues, type Mat, mat, matmul, transpose } from "./helpers.js";
import { mulberry32, randn, zerosOf } from "@cflow/test-kit";

function kron(a: Mat, b: Mat): Mat {
  const out = mat(a.rows * b.rows, a.cols * b.cols);
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < a.cols; j++)
      for (let k = 0; k < b.rows; k++) for (let l = 0; l < b.cols; l++) out.a[(i * b.rows + k) * out.cols + j * b.cols + l] = a.a[i * a.cols + j] * b.a[k * b.cols + l];
  return out;
}

interface Problem {
  name: string;
  L: Mat;
  W: Mat | null;
}

/** The blurred (or dense) Gram in W-space, float64. */
function wSpace(p: Problem): Mat {
  return p.W ? matmul(matmul(p.W, p.L), transpose(p.W)) : p.L;
}

function restrict(m: Mat, S: Int32Array): Mat {
  const out = mat(S.length, S.length);
  for (let p = 0; p < S.length; p++) for (let q = 0; q < S.length; q++) out.a[p * S.length + q] = m.a[S[p] * m.cols + S[q]];
  return out;
}

/** ρ(D⁻¹|L − D|) = λ_max(D^{-1/2}|L − D|D^{-1/2}). */
function scaledDominance(l: Mat): number {
  const n = l.rows;
  const j = mat(n, n);
  for (let p = 0; p < n; p++) for (let q = 0; q < n; q++) if (p !== q) j.a[p * n + q] = Math.abs(l.a[p * n + q]) / Math.sqrt(l.a[p * n + p] * l.a[q * n + q]);
  const ev = jacobiEigenvalues(j);
  return Math.max(...ev);
}

function problems(): Problem[] {
  const rand = mulberry32(7);
  const A = mat(40, 32);
  for (let c = 0; c < 32; c++) for (let r = 0; r < 40; r++) A.a[r * 32 + c] = randn(rand) + (c % 4 === 1 ? 0.9 * A.a[r * 32 + c - 1] : 0);
  const k1 = blurNormalMatrix(8, 0.9);
  return [
    { name: "1D blur through Haar", L: blurNormalMatrix(64, 1.5), W: haarMatrix(64, 3) },
    { name: "2D blur through Haar", L: kron(k1, k1), W: kron(haarMatrix(8, 2), haarMatrix(8, 2)) },
    { name: "dense AᵀA", L: matmul(transpose(A), A), W: null },
  ];
}

function context(p: Problem, dtype: Dtype, S: Int32Array, gates: { etaMax: number; gammaMin: number }, key = 1): CertificateContext {
  const n = p.L.rows;
  const W = p.W ? (denseTransform(p.W, "unitary", 1, dtype, "haar") as CertTransform) : null;
  const u = zerosOf(dtype, n);
  for (const i of S) u[i] = 1;
  return { L_apply: denseLApply(p.L), n, dtype, W: W as TransformOp | null, coefficients: u, gates, key: rngKey(key) };
}

function randomSupport(rand: () => number, n: number, max: number): Int32Array {
  const size = 1 + Math.floor(rand() * max);
  const s = new Set<number>();
  while (s.size < size) s.add(Math.floor(rand() * n));
  return Int32Array.from([...s]).sort();
}

describe.each(DTYPES as Dtype[])("certified verdicts against dense truth (%s)", (dtype) => {
  for (const p of problems()) {
    it(`${p.name}: γ ≤ dense λ_min, η_dd ≥ dense ρ(|J|), verdicts agree where clear`, () => {
      const rand = mulberry32(11);
      const LW = wSpace(p);
      const lmax = Math.max(...jacobiEigenvalues(LW));
      let agreed = 0;
      for (let t = 0; t < 10; t++) {
        const S = randomSupport(rand, LW.rows, 24);
        const LS = restrict(LW, S);
        const lmin = Math.min(...jacobiEigenvalues(LS));
        const rho = S.length > 1 ? scaledDominance(LS) : 0;
        for (const [gammaMin, expected] of [
          [lmin / 4, true],
          [4 * lmin, false],
        ] as const) {
          const cert = fda().certify(context(p, dtype, S, { etaMax: 1e6, gammaMin: Math.max(gammaMin, 1e-12) }, t + 1));
          if (Number.isFinite(cert.gamma)) expect(cert.gamma).toBeLessThanOrEqual(lmin + 1e-12 * lmax);
          expect(cert.etaDD).toBeGreaterThanOrEqual(rho * (1 - 1e-9));
          if (cert.pass) expect(lmin).toBeGreaterThanOrEqual(cert.gamma);
          if (!expected) expect(cert.pass).toBe(false);
          // clear of the gate: λ_min well above the operator's rounding in the run's dtype
          if (expected && lmin > (dtype === "float32" ? 1e-2 : 1e-8) * lmax) {
            expect(cert.pass, `${cert.reasons.join("; ")} (λ_min = ${lmin})`).toBe(true);
            agreed++;
          }
          if (cert.pass) {
            expect(cert.failureProbability).toBeLessThanOrEqual(1e-6);
            expect(cert.route).not.toBe("none");
          }
        }
      }
      expect(agreed).toBeGreaterThan(0);
    });
  }

  it("fuzz: no certificate passes an operator whose dense λ_min is below γ_min, or whose dense ρ(|J|) is above η_max", () => {
    const rand = mulberry32(dtype === "float64" ? 101 : 202);
    const ps = problems();
    let passes = 0;
    for (let t = 0; t < 150; t++) {
      const p = ps[t % ps.length];
      const LW = wSpace(p);
      const S = randomSupport(rand, LW.rows, 30);
      const LS = restrict(LW, S);
      const lmin = Math.min(...jacobiEigenvalues(LS));
      const rho = S.length > 1 ? scaledDominance(LS) : 0;
      const gammaMin = Math.max(1e-9, Math.abs(lmin) * 10 ** (2 * rand() - 1));
      const etaMax = 0.3 + 6 * rand();
      const cert = fda({ inherit: false }).certify(context(p, dtype, S, { etaMax, gammaMin }, 1000 + t));
      if (cert.pass) {
        passes++;
        expect(lmin, `${p.name} |S| = ${S.length}`).toBeGreaterThanOrEqual(gammaMin);
        expect(rho).toBeLessThanOrEqual(etaMax);
      } else expect(cert.violations.length).toBeGreaterThan(0);
    }
    expect(passes).toBeGreaterThan(20);
  });
});

describe("inherited certificates", () => {
  it("a support inside a certified one inherits it without work; its γ stays below the dense λ_min", () => {
    const N = 64;
    const W = createTransform("db2", { shape: [N], levels: 3, dtype: "float64" });
    // L = KᵀK of a 3-tap circular blur [0.25, 0.5, 0.25]: its autocorrelation
    const c = [0.0625, 0.25, 0.375, 0.25, 0.0625];
    const structure = circulantStructure([N], c.map((value, k) => ({ offset: [k - 2], value })));
    const L = mat(N, N);
    for (let i = 0; i < N; i++) for (let k = 0; k < 5; k++) L.a[i * N + ((i + k - 2 + N) % N)] = c[k];
    const Wm = mat(N, N);
    const e = new Float64Array(N);
    for (let j = 0; j < N; j++) {
      e.fill(0);
      e[j] = 1;
      const col = W.forward(e);
      for (let i = 0; i < N; i++) Wm.a[i * N + j] = col[i];
    }
    const LW = matmul(matmul(Wm, L), transpose(Wm));
    const hook = fda();
    const ctx = (S: number[]): CertificateContext => {
      const u = new Float64Array(N);
      for (const i of S) u[i] = 1;
      return { L_apply: denseLApply(L), n: N, dtype: "float64", W, coefficients: u, gates: { etaMax: 6, gammaMin: 1e-6 }, key: rngKey(5), translationInvariant: true, structure, step: { alpha: 1, gradientMapping: 1e-6 } };
    };
    const S0 = Array.from({ length: 20 }, (_, i) => i);
    const parent = hook.certify(ctx(S0));
    expect(parent.pass, parent.reasons.join("; ")).toBe(true);
    expect(parent.route).not.toBe("inherited");
    expect(parent.diagnostics.source).toMatch(/shift-class rows/);
    // the first certificate builds the class rows and probes the structure: timed apart from the assembly
    const prepared = parent.diagnostics.prepared as { classRowsMs: number; probeMs: number };
    expect(prepared.classRowsMs).toBeGreaterThan(0);
    expect(prepared.probeMs).toBeGreaterThan(0);
    const sub = [0, 1, 2, 5, 9, 17];
    const child = hook.certify(ctx(sub));
    expect(child.pass).toBe(true);
    expect(child.route).toBe("inherited");
    expect(child.cost.applications).toBe(0);
    expect(child.gamma).toBe(parent.gamma);
    const lmin = Math.min(...jacobiEigenvalues(restrict(LW, Int32Array.from(sub))));
    expect(child.gamma).toBeLessThanOrEqual(lmin);
    expect(child.etaDD).toBeGreaterThanOrEqual(scaledDominance(restrict(LW, Int32Array.from(sub))) * (1 - 1e-9));
    expect(child.errorBar).not.toBeNull();
    expect(child.errorBar!.route).toBe("inherited");
    // outside the certified support: certified afresh
    const other = hook.certify(ctx([0, 1, 40]));
    expect(other.route).not.toBe("inherited");
    // … a later one reads them from the cache and probes no more
    expect((other.diagnostics.prepared as { probeMs: number }).probeMs).toBe(0);
    // a different operator (structure) never inherits
    const scaledStructure = circulantStructure([N], c.map((value, k) => ({ offset: [k - 2], value: 2 * value })));
    const L2 = mat(N, N);
    for (let i = 0; i < N * N; i++) L2.a[i] = 2 * L.a[i];
    const fresh = hook.certify({ ...ctx(sub), L_apply: denseLApply(L2), structure: scaledStructure });
    expect(fresh.route).not.toBe("inherited");
    W.dispose();
  });
});

describe("error bar on the certificate", () => {
  it.each(DTYPES as Dtype[])("bounds ‖x − x*_S‖ of least squares restricted to S (%s)", (dtype) => {
    const rand = mulberry32(3);
    const n = 24;
    const A = mat(30, n);
    for (let i = 0; i < A.a.length; i++) A.a[i] = randn(rand);
    const L = matmul(transpose(A), A);
    const b = Float64Array.from({ length: n }, () => randn(rand));
    const lmax = Math.max(...jacobiEigenvalues(L));
    const alpha = 1 / lmax;
    const S = Int32Array.from([0, 2, 3, 7, 8, 11, 15, 20]);
    // x*_S solves L_S z = b_S (f = ½xᵀLx − bᵀx, no prox): Gaussian elimination in float64
    const LS = restrict(L, S);
    const k = S.length;
    const aug = Array.from({ length: k }, (_, i) => [...Array.from({ length: k }, (_, j) => LS.a[i * k + j]), b[S[i]]]);
    for (let c = 0; c < k; c++) for (let i = c + 1; i < k; i++) {
      const f = aug[i][c] / aug[c][c];
      for (let j = c; j <= k; j++) aug[i][j] -= f * aug[c][j];
    }
    const z = new Array<number>(k).fill(0);
    for (let i = k - 1; i >= 0; i--) {
      let s = aug[i][k];
      for (let j = i + 1; j < k; j++) s -= aug[i][j] * z[j];
      z[i] = s / aug[i][i];
    }
    for (const shift of [1e-1, 1e-3, 1e-6]) {
      // x = x*_S + a perturbation on S; ‖G_α(x)‖ = ‖∇f(x)‖ restricted to S (g = 0 on the support)
      const x = new Float64Array(n);
      S.forEach((i, p) => (x[i] = z[p] + shift * randn(rand)));
      let g2 = 0;
      let d2 = 0;
      S.forEach((i, p) => {
        let gi = -b[i];
        for (let j = 0; j < n; j++) gi += L.a[i * n + j] * x[j];
        g2 += gi * gi;
        d2 += (x[i] - z[p]) ** 2;
      });
      const u = zerosOf(dtype, n);
      for (const i of S) u[i] = x[i];
      const cert = fda().certify({ L_apply: denseLApply(L), n, dtype, W: null, coefficients: u, gates: { etaMax: 1e6, gammaMin: 1e-6 }, key: rngKey(9), step: { alpha, gradientMapping: Math.sqrt(g2) } });
      expect(cert.pass, cert.reasons.join("; ")).toBe(true);
      expect(cert.errorBar).not.toBeNull();
      const truth = Math.sqrt(d2);
      expect(cert.errorBar!.bound).toBeGreaterThanOrEqual(truth);
      // within the condition number of L_S of the truth (the bound is ‖G‖/γ with γ ≤ λ_min)
      const lminS = Math.min(...jacobiEigenvalues(LS));
      expect(cert.errorBar!.bound).toBeLessThanOrEqual((truth * lmax) / lminS * 8);
      expect(cert.errorBar!.route).toBe(cert.route);
    }
  });
});
