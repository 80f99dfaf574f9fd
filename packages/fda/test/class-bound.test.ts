// The shift-class bound against the dense restricted operator: for a circulant L and a periodised
// DWT, η_dd of every active set is at most the bound, and equal to it when S is a union of bands.
import { DTYPES, type Dtype, type RealArray, circulantStructure, createTransform, rngKey } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { ClassColumns, type ShiftCovariantTransform, classRowBound, fda } from "../src/index.js";
import { mulberry32 } from "@cflow/test-kit";

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

  it("equals the exact restricted η_dd (never below it), over random active sets, from ≤ 8 computed rows", () => {
    for (let trial = 0; trial < 20; trial++) {
      const active: number[] = [];
      for (let i = 0; i < N; i++) if (rand() < 0.15 + 0.4 * (i < 16 ? 1 : 0)) active.push(i);
      if (active.length < 2) continue;
      const b = classRowBound(L, W, { n: N, dtype, active: Int32Array.from(active) });
      const exact = denseEta(L, W, active, dtype);
      // every row is reconstructed from its class's computed row: exact up to the negligible-entry margin
      expect(b.etaUpper).toBeGreaterThanOrEqual(exact * (1 - 1e-6));
      expect(Math.abs(b.etaUpper - exact) / exact).toBeLessThan(dtype === "float64" ? 1e-9 : 1e-4);
      expect(b.etaLower).toBeLessThanOrEqual(b.etaUpper);
      expect(b.classes).toBeLessThanOrEqual(Math.min(active.length, 1 + 1 + 2 + 4));
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
    const hook = fda({ method: "matrix-free", rows: { sampleRows: 4 }, exactRowsLimit: 8 });
    const cert = hook.certify(ctx);
    const exact = denseEta(circulantGram(dtype), W, Array.from({ length: 16 }, (_, i) => i), dtype);
    expect(exact).toBeLessThan(0.9);
    expect(cert.pass).toBe(true);
    expect(cert.diagnostics.etaRows).toMatch(/shift-class/);
    expect(cert.etaDD).toBeCloseTo(exact, dtype === "float64" ? 9 : 3);
    // decided by the classes alone: the quick rows and one application per class, nothing sampled after
    const classes = classRowBound(circulantGram(dtype), W as ShiftCovariantTransform, { n: N, dtype, active: Int32Array.from({ length: 16 }, (_, i) => i) }).classes;
    expect(cert.gammaGershgorin).toBeGreaterThanOrEqual(1e-6);
    expect(cert.cost.applications).toBe(8 + classes);
    const failing = hook.certify({ ...ctx, gates: { etaMax: exact / 2, gammaMin: 1e-6 } });
    expect(failing.pass).toBe(false);
    expect(failing.violations.map((v) => v.gate)).toContain("eta");
    expect(failing.etaDD).toBeCloseTo(exact, dtype === "float64" ? 9 : 3);
    expect(failing.cost.applications).toBeLessThanOrEqual(8 + classes);
    // without the structure the same sampled pass cannot be verified (16 rows > exactRowsLimit 8)
    const plain = hook.certify({ ...ctx, translationInvariant: false });
    expect(plain.pass).toBe(false);
    expect(plain.reasons.join(" ")).toMatch(/fail closed/);
  });
});

describe.each(DTYPES)("shift-class rows in 2D (%s)", (dtype: Dtype) => {
  it("reproduce the exact restricted η_dd of a separable circular blur on a 16×16 grid", () => {
    const R = 16;
    const k = [0.25, 0.5, 0.25];
    const blur = (x: ArrayLike<number>) => {
      const t = new Float64Array(R * R);
      const o = new Float64Array(R * R);
      for (let i = 0; i < R; i++) for (let j = 0; j < R; j++) for (let a = 0; a < 3; a++) t[i * R + j] += k[a] * x[i * R + ((j - a + 1 + R) % R)];
      for (let i = 0; i < R; i++) for (let j = 0; j < R; j++) for (let a = 0; a < 3; a++) o[i * R + j] += k[a] * t[((i - a + 1 + R) % R) * R + j];
      return o;
    };
    const L = (v: RealArray, out: RealArray) => {
      const r = blur(blur(v));
      for (let i = 0; i < R * R; i++) out[i] = r[i] + 0.02 * v[i];
    };
    const W = createTransform("db2", { shape: [R, R], levels: 2, dtype }) as ReturnType<typeof createTransform> & ShiftCovariantTransform;
    const rand = mulberry32(8);
    const m = W.coeffSize;
    const denseEta2 = (active: number[]) => {
      const cols = active.map((j) => {
        const e = dtype === "float64" ? new Float64Array(m) : new Float32Array(m);
        e[j] = 1;
        const y = dtype === "float64" ? new Float64Array(R * R) : new Float32Array(R * R);
        L(W.adjoint(e), y);
        return W.forward(y);
      });
      let eta = 0;
      active.forEach((i, a) => {
        let off = 0;
        active.forEach((_, b) => {
          if (b !== a) off += Math.abs(cols[b][i]);
        });
        eta = Math.max(eta, off / Math.abs(cols[a][i]));
      });
      return eta;
    };
    for (let trial = 0; trial < 8; trial++) {
      const active: number[] = [];
      for (let i = 0; i < m; i++) if (rand() < (i < 64 ? 0.6 : 0.15)) active.push(i);
      const b = classRowBound(L, W, { n: R * R, dtype, active: Int32Array.from(active) });
      const exact = denseEta2(active);
      expect(b.etaUpper).toBeGreaterThanOrEqual(exact * (1 - 1e-6));
      expect(Math.abs(b.etaUpper - exact) / exact).toBeLessThan(dtype === "float64" ? 1e-9 : 1e-4);
    }
  });
});

/** The first column of circulantGram's operator: taps ⋆ taps (KᵀK, K symmetric and centred) + 0.01 δ. */
const gramStructure = circulantStructure(
  [N],
  Array.from({ length: 2 * taps.length - 1 }, (_, s) => {
    const shift = s - (taps.length - 1);
    let c = shift === 0 ? 0.01 : 0;
    for (let k = 0; k < taps.length; k++) if (k + shift >= 0 && k + shift < taps.length) c += taps[k] * taps[k + shift];
    return { offset: [shift], value: c };
  }),
);

describe.each(DTYPES)("shift-class columns kept per (L, W) (%s)", (dtype: Dtype) => {
  const W = createTransform("db2", { shape: [N], levels: 3, dtype }) as ReturnType<typeof createTransform> & ShiftCovariantTransform;
  const L = circulantGram(dtype);
  const rand = mulberry32(34);
  const randomSupport = (p: number) => {
    const active: number[] = [];
    for (let i = 0; i < N; i++) if (rand() < p + 0.4 * (i < 16 ? 1 : 0)) active.push(i);
    return active;
  };

  it("a bound read from kept columns equals a fresh one bit for bit, at no application for the classes kept", () => {
    const columns = new ClassColumns();
    const first = classRowBound(L, W, { n: N, dtype, active: Int32Array.from({ length: N }, (_, i) => i), columns });
    expect(first.applications).toBe(first.classes);
    expect(columns.size).toBe(1 + 1 + 2 + 4);
    for (let trial = 0; trial < 10; trial++) {
      const active = Int32Array.from(randomSupport(0.2));
      const kept = classRowBound(L, W, { n: N, dtype, active, columns });
      const fresh = classRowBound(L, W, { n: N, dtype, active });
      expect(kept.applications).toBe(0);
      expect(fresh.applications).toBe(fresh.classes);
      for (const key of ["etaUpper", "etaLower", "gershgorinLower", "classes"] as const) expect(Object.is(kept[key], fresh[key])).toBe(true);
      // and both are the dense restricted η_dd (never below it)
      const exact = denseEta(L, W, [...active], dtype);
      expect(kept.etaUpper).toBeGreaterThanOrEqual(exact * (1 - 1e-6));
      expect(Math.abs(kept.etaUpper - exact) / exact).toBeLessThan(dtype === "float64" ? 1e-9 : 1e-4);
    }
  });

  it("with failAbove, stops at the first class that proves η_dd above it (finest bands first), and is the full bound otherwise", () => {
    for (let trial = 0; trial < 10; trial++) {
      const active = Int32Array.from(randomSupport(0.3));
      const exact = denseEta(L, W, [...active], dtype);
      const full = classRowBound(L, W, { n: N, dtype, active });
      expect(full.complete).toBe(true);
      const below = classRowBound(L, W, { n: N, dtype, active, failAbove: exact / 3 });
      expect(below.complete).toBe(false);
      expect(below.evaluated).toBeLessThan(below.classes);
      expect(below.applications).toBe(below.evaluated);
      expect(below.etaLower).toBeGreaterThan(exact / 3);
      expect(below.etaLower).toBeLessThanOrEqual(exact * (1 + (dtype === "float64" ? 1e-9 : 1e-4)));
      expect(below.etaUpper).toBe(Number.POSITIVE_INFINITY);
      const above = classRowBound(L, W, { n: N, dtype, active, failAbove: exact * 1.01 });
      expect(above.complete).toBe(true);
      for (const key of ["etaUpper", "etaLower", "gershgorinLower", "classes"] as const) expect(Object.is(above[key], full[key])).toBe(true);
    }
  });

  it("the fda hook reads every row from the declared structure's shift-class rows: verdicts of the dense operator, L applied only to check the structure", () => {
    const ctxOf = (active: number[], etaMax: number) => {
      const u = dtype === "float64" ? new Float64Array(N) : new Float32Array(N);
      for (const i of active) u[i] = 1;
      return { L_apply: L, n: N, dtype, W, coefficients: u, gates: { etaMax, gammaMin: 1e-6 }, key: rngKey(4), translationInvariant: true, structure: gramStructure };
    };
    const hook = fda({ method: "matrix-free" });
    const tol = dtype === "float64" ? 1e-9 : 1e-4;
    for (let trial = 0; trial < 8; trial++) {
      const active = randomSupport(0.25);
      const exact = denseEta(L, W, active, dtype);
      // gates on either side of the dense η_dd: the rows decide both without sampling rows
      const etaMax = trial % 2 === 0 ? exact * 0.9 : exact * 1.1;
      const cert = hook.certify(ctxOf(active, etaMax));
      const fresh = fda({ method: "matrix-free" }).certify(ctxOf(active, etaMax));
      expect(Object.is(cert.etaDD, fresh.etaDD)).toBe(true);
      expect(Object.is(cert.gammaGershgorin, fresh.gammaGershgorin)).toBe(true);
      expect(cert.pass).toBe(fresh.pass);
      expect(cert.violations.some((v) => v.gate === "eta")).toBe(!(exact <= etaMax));
      // the rows bracket the dense η_dd: a pass reports the upper bound, a certain failure the lower one
      const rows = cert.diagnostics.classRows as { etaUpper: number; etaLower: number };
      expect(rows.etaLower).toBeLessThanOrEqual(exact);
      expect(rows.etaUpper).toBeGreaterThanOrEqual(exact);
      expect(rows.etaUpper - rows.etaLower).toBeLessThan(tol * exact);
      expect(cert.etaDD).toBe(exact <= etaMax ? rows.etaUpper : rows.etaLower);
      expect(cert.diagnostics.etaRows).toMatch(/shift.class rows/);
      // the first certificate probes the declared structure once; the rows come from the structure, not
      // from L_apply (a passing η_dd leaves γ to Lanczos when Gershgorin's does not clear γ_min)
      if (!(exact <= etaMax)) {
        expect(cert.cost.applications).toBe(trial === 0 ? 1 : 0);
        expect(fresh.cost.applications).toBe(1);
      }
    }
  });

  it("a slab of the support decides a certain η_dd failure with a lower bound of the dense η_dd; otherwise every row decides, as without the slab", () => {
    const ctxOf = (active: number[], etaMax: number) => {
      const u = dtype === "float64" ? new Float64Array(N) : new Float32Array(N);
      for (const i of active) u[i] = 1;
      return { L_apply: L, n: N, dtype, W, coefficients: u, gates: { etaMax, gammaMin: 1e-6 }, key: rngKey(4), translationInvariant: true, structure: gramStructure };
    };
    const tol = dtype === "float64" ? 1e-9 : 1e-4;
    let slabDecided = 0;
    for (let trial = 0; trial < 24; trial++) {
      const active = randomSupport(0.6);
      const exact = denseEta(L, W, active, dtype);
      const etaMax = exact * [0.2, 0.6, 0.95, 1.1][trial % 4];
      const withSlab = fda({ method: "matrix-free", slabRows: 1 }).certify(ctxOf(active, etaMax));
      const without = fda({ method: "matrix-free", slabRows: Number.POSITIVE_INFINITY }).certify(ctxOf(active, etaMax));
      // the verdict is the dense one either way
      expect(withSlab.violations.some((v) => v.gate === "eta")).toBe(!(exact <= etaMax));
      expect(withSlab.pass).toBe(without.pass);
      if (String(withSlab.diagnostics.etaRows).includes("slab")) {
        slabDecided++;
        // a lower bound of the dense η_dd (the slab's rows hold part of each row), above the gate
        expect(withSlab.etaDD).toBeGreaterThan(etaMax);
        expect(withSlab.etaDD).toBeLessThanOrEqual(exact * (1 + tol));
        expect(withSlab.etaDD).toBeLessThanOrEqual(without.etaDD * (1 + tol));
      } else {
        for (const key of ["etaDD", "gammaGershgorin", "gamma"] as const) expect(Object.is(withSlab[key], without[key])).toBe(true);
      }
    }
    // the slab decided some failures (the test is not vacuous)
    expect(slabDecided).toBeGreaterThan(0);
  });

  it("beyond rowSumsMaxEntries the fda hook keeps the class columns instead: later certificates apply L no more, with the verdicts of a fresh hook and of the dense operator", () => {
    const ctxOf = (active: number[], etaMax: number) => {
      const u = dtype === "float64" ? new Float64Array(N) : new Float32Array(N);
      for (const i of active) u[i] = 1;
      return { L_apply: L, n: N, dtype, W, coefficients: u, gates: { etaMax, gammaMin: 1e-6 }, key: rngKey(4), translationInvariant: true, structure: gramStructure };
    };
    const hook = fda({ method: "matrix-free", rowSumsMaxEntries: 0 });
    let applications = 0;
    for (let trial = 0; trial < 8; trial++) {
      const active = randomSupport(0.25);
      const exact = denseEta(L, W, active, dtype);
      // gates on either side of the dense η_dd: the class bound decides both without sampling rows
      const etaMax = trial % 2 === 0 ? exact * 0.9 : exact * 1.1;
      const cert = hook.certify(ctxOf(active, etaMax));
      const fresh = fda({ method: "matrix-free", rowSumsMaxEntries: 0 }).certify(ctxOf(active, etaMax));
      expect(Object.is(cert.etaDD, fresh.etaDD)).toBe(true);
      expect(Object.is(cert.gammaGershgorin, fresh.gammaGershgorin)).toBe(true);
      expect(cert.pass).toBe(fresh.pass);
      expect(cert.violations.some((v) => v.gate === "eta")).toBe(!(exact <= etaMax));
      // a pass reports the bound over every row; a failure may stop at the first class that proves it (a lower bound)
      if (exact <= etaMax) expect(cert.etaDD).toBeGreaterThanOrEqual(exact * (1 - 1e-6));
      else expect(cert.etaDD).toBeGreaterThan(etaMax);
      expect(cert.etaDD).toBeLessThanOrEqual(exact * (1 + (dtype === "float64" ? 1e-9 : 1e-4)));
      expect(cert.diagnostics.etaRows).toMatch(/shift.class/);
      // the first certificate probes the declared structure once and computes its classes; a fresh hook pays that again
      expect(fresh.cost.applications).toBeGreaterThanOrEqual(1 + (fresh.diagnostics.classBound as { evaluated: number }).evaluated);
      applications += (cert.diagnostics.classBound as { applications: number }).applications;
    }
    expect(applications).toBeLessThanOrEqual(1 + 1 + 2 + 4);
  });

  it("fails closed when the declared structure does not match L_apply", () => {
    const u = dtype === "float64" ? new Float64Array(N) : new Float32Array(N);
    u.fill(1, 0, 16);
    const wrong = circulantStructure([N], [{ offset: [0], value: 1 }]);
    const cert = fda({ method: "matrix-free" }).certify({ L_apply: L, n: N, dtype, W, coefficients: u, gates: { etaMax: 0.9, gammaMin: 1e-6 }, key: rngKey(4), translationInvariant: true, structure: wrong });
    expect(cert.pass).toBe(false);
    expect(cert.violations.map((v) => v.gate)).toEqual(["structure"]);
    expect(cert.reasons.join(" ")).toMatch(/fail closed/);
  });
});
