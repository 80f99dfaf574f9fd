// The shift-class bound against the dense restricted operator: for a circulant L and a periodised
// DWT, η_dd of every active set is at most the bound, and equal to it when S is a union of bands.
import { DTYPES, type Dtype, type RealArray, createTransform } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { type ShiftCovariantTransform, classRowBound } from "../src/index.js";
import { mulberry32 } from "./helpers.js";

const N = 64;
const taps = [0.05, 0.2, 0.5, 0.2, 0.05];

/** y = KᵀK x for a circular blur K (symmetric kernel): a shift-invariant Hessian. */
function circulantGram(dtype: Dtype) {
  const conv = (x: ArrayLike<number>) => {
    const y = new Float64Array(N);
    for (let i = 0; i < N; i++) for (let k = 0; k < taps.length; k++) y[i] += taps[k] * x[(i - k + 2 + N) % N];
    return y;
  };
  return (v: RealArray, out: RealArray) => {
    const r = conv(conv(v));
    for (let i = 0; i < N; i++) out[i] = r[i] + 0.01 * v[i];
    void dtype;
  };
}

function denseEta(L: (v: RealArray, o: RealArray) => void, W: ReturnType<typeof createTransform>, active: number[], dtype: Dtype): number {
  const m = W.coeffSize;
  const cols: RealArray[] = [];
  for (const j of active) {
    const e = dtype === "float64" ? new Float64Array(m) : new Float32Array(m);
    e[j] = 1;
    const x = W.adjoint(e);
    const y = dtype === "float64" ? new Float64Array(N) : new Float32Array(N);
    L(x, y);
    cols.push(W.forward(y));
  }
  let eta = 0;
  active.forEach((i, a) => {
    let off = 0;
    active.forEach((j, b) => {
      if (b !== a) off += Math.abs(cols[b][i]);
    });
    eta = Math.max(eta, off / Math.abs(cols[a][i]));
  });
  return eta;
}

describe.each(DTYPES)("shift-class bound of η_dd (%s)", (dtype: Dtype) => {
  const W = createTransform("db2", { shape: [N], levels: 3, dtype }) as ReturnType<typeof createTransform> & ShiftCovariantTransform;
  const L = circulantGram(dtype);
  const rand = mulberry32(21);

  it("is never below the exact restricted η_dd, over random active sets", () => {
    for (let trial = 0; trial < 20; trial++) {
      const active: number[] = [];
      for (let i = 0; i < N; i++) if (rand() < 0.15 + 0.4 * (i < 16 ? 1 : 0)) active.push(i);
      if (active.length < 2) continue;
      const b = classRowBound(L, W, { n: N, dtype, active: Int32Array.from(active) });
      const exact = denseEta(L, W, active, dtype);
      expect(b.etaUpper).toBeGreaterThanOrEqual(exact * (1 - 1e-5));
      expect(b.etaLower).toBeLessThanOrEqual(exact * (1 + 1e-5));
      expect(b.classes).toBeLessThanOrEqual(active.length);
    }
  });

  it("equals it when S is a union of whole bands, from one row per shift class", () => {
    // approximation (8) + coarsest details (8): strides 8 and 8 → one class each
    const active = Array.from({ length: 16 }, (_, i) => i);
    const b = classRowBound(L, W, { n: N, dtype, active: Int32Array.from(active) });
    expect(b.classes).toBe(2);
    const exact = denseEta(L, W, active, dtype);
    expect(Math.abs(b.etaUpper - exact) / exact).toBeLessThan(dtype === "float64" ? 1e-10 : 1e-4);
    // adding the finest band (stride 2, 4 classes of its 32 rows)
    const all = Array.from({ length: N }, (_, i) => i);
    const full = classRowBound(L, W, { n: N, dtype, active: Int32Array.from(all) });
    expect(full.classes).toBe(1 + 1 + 2 + 4);
    expect(Math.abs(full.etaUpper - denseEta(L, W, all, dtype)) / full.etaUpper).toBeLessThan(dtype === "float64" ? 1e-10 : 1e-4);
  });
});

describe.each(DTYPES)("the fda hook uses the bound for shift-invariant flows (%s)", (dtype: Dtype) => {
  it("certifies a sampled pass with the class bound instead of every row", async () => {
    const { fda } = await import("../src/index.js");
    const { rngKey } = await import("@cflow/core");
    const W = createTransform("db2", { shape: [N], levels: 3, dtype });
    const u = dtype === "float64" ? new Float64Array(W.coeffSize) : new Float32Array(W.coeffSize);
    for (let i = 0; i < 16; i++) u[i] = 1; // approximation + coarsest details active
    const ctx = { L_apply: circulantGram(dtype), n: N, dtype, W, coefficients: u, gates: { etaMax: 0.9, gammaMin: 1e-6 }, key: rngKey(3), translationInvariant: true };
    const hook = fda({ exactThreshold: 4, rows: { sampleRows: 4 }, exactRowsLimit: 8 });
    const cert = hook.certify(ctx);
    const exact = denseEta(circulantGram(dtype), W, Array.from({ length: 16 }, (_, i) => i), dtype);
    expect(exact).toBeLessThan(0.9);
    expect(cert.pass).toBe(true);
    expect(cert.diagnostics.etaRows).toMatch(/shift-class/);
    expect(cert.etaDD).toBeCloseTo(exact, dtype === "float64" ? 9 : 3);
    // without the structure the same sampled pass cannot be verified (16 rows > exactRowsLimit 8)
    const plain = hook.certify({ ...ctx, translationInvariant: false });
    expect(plain.pass).toBe(false);
    expect(plain.reasons.join(" ")).toMatch(/fail closed/);
  });
});
