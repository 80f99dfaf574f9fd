// The hook's state through a checkpoint: saveState → JSON text → restoreState on a fresh hook (with
// a fresh transform object, as a resumed run has) gives the certificates of the hook that never
// stopped — bit for bit — on a support inside a certified one (inherited) and on a drifted support
// (Collatz–Wielandt warm start from the last vector); without the state the same requests are
// certified afresh, with other numbers. A malformed state is refused naming its path.
import { type Certificate, type CertificateContext, circulantStructure, createTransform, type Json, rngKey, type TransformOp } from "@cflow/core";
import { afterAll, describe, expect, it } from "vitest";
import { fda } from "../src/index.js";
import { base64 } from "../src/certificate-cache-state.js";
import { mulberry32 } from "@cflow/test-kit";
import { denseLApply, mat } from "./helpers.js";

const N = 64;
// L = KᵀK of a 3-tap circular blur [0.25, 0.5, 0.25]: its autocorrelation, declared as a circulant
const C = [0.0625, 0.25, 0.375, 0.25, 0.0625];
const structure = circulantStructure([N], C.map((value, k) => ({ offset: [k - 2], value })));
const L = mat(N, N);
for (let i = 0; i < N; i++) for (let k = 0; k < 5; k++) L.a[i * N + ((i + k - 2 + N) % N)] = C[k];

const transforms: TransformOp[] = [];
function db2(): TransformOp {
  const W = createTransform("db2", { shape: [N], levels: 3, dtype: "float64" });
  transforms.push(W);
  return W;
}
afterAll(() => transforms.forEach((W) => W.dispose()));

function context(W: TransformOp, S: number[]): CertificateContext {
  const u = new Float64Array(N);
  for (const i of S) u[i] = 1;
  return { L_apply: denseLApply(L), n: N, dtype: "float64", W, coefficients: u, gates: { etaMax: 6, gammaMin: 1e-6 }, key: rngKey(5), translationInvariant: true, structure, step: { alpha: 1, gradientMapping: 1e-6 } };
}

/** A certificate without its timings (the only fields that may differ between two equal computations). */
function untimed(c: Certificate): Json {
  return JSON.parse(JSON.stringify(c, (k, v) => (k === "ms" || k === "phases" || k.endsWith("Ms") ? undefined : typeof v === "number" && !Number.isFinite(v) ? String(v) : v)));
}

/** Float64 bits of a certificate's η_dd and γ. */
const bits = (c: Certificate) => [...new Uint32Array(Float64Array.of(c.etaDD, c.gamma).buffer)];

const S0 = Array.from({ length: 20 }, (_, i) => i);
const SUB = [0, 1, 2, 5, 9, 17];
// S0 moved: two coefficients out, two in (not a subset: certified afresh, from S0's Perron vector)
const DRIFT = [...S0.filter((i) => i !== 3 && i !== 11), 20, 21];

describe("certificate hook state through a checkpoint", () => {
  it("a fresh hook given the saved state certifies a subset (inherited) and a drifted support (warm start) exactly as the hook that never stopped", () => {
    const W = db2();
    const running = fda();
    const parent = running.certify(context(W, S0));
    expect(parent.pass, parent.reasons.join("; ")).toBe(true);
    expect(parent.route).not.toBe("inherited");
    // what a checkpoint holds: JSON text
    const saved = JSON.parse(JSON.stringify(running.saveState())) as Json;
    // index sets travel as base64 of their little-endian Int32 bytes (the text checkpoints already written hold)
    const le = new Uint8Array(4 * S0.length);
    S0.forEach((v, i) => (le[4 * i] = v));
    expect((saved as { operators: { supports: { active: string }[] }[] }).operators[0].supports[0].active).toBe(btoa(String.fromCharCode(...le)));
    const resumed = fda();
    const W2 = db2(); // a resumed run's transform: the same description, another object
    resumed.restoreState(saved);
    const cold = fda();

    const sub = running.certify(context(W, SUB));
    expect(sub.route).toBe("inherited");
    expect(sub.cost.applications).toBe(0);
    const subResumed = resumed.certify(context(W2, SUB));
    expect(untimed(subResumed)).toEqual(untimed(sub));
    expect(bits(subResumed)).toEqual(bits(sub));
    // without the state the subset is certified on its own: other numbers
    const subCold = cold.certify(context(db2(), SUB));
    expect(subCold.route).not.toBe("inherited");
    expect(subCold.gamma).not.toBe(sub.gamma);

    const drift = running.certify(context(W, DRIFT));
    expect(drift.route).not.toBe("inherited");
    expect((drift.diagnostics.dominance as { warmStart: boolean }).warmStart).toBe(true);
    const driftResumed = resumed.certify(context(W2, DRIFT));
    expect(untimed(driftResumed)).toEqual(untimed(drift));
    expect(bits(driftResumed)).toEqual(bits(drift));
    // a fresh hook starts the iteration from 1 after the subset (its last support): another path
    const driftCold = cold.certify(context(db2(), DRIFT));
    expect((driftCold.diagnostics.dominance as { iterations: number }).iterations).not.toBe((drift.diagnostics.dominance as { iterations: number }).iterations);

    // and both hooks now hold the same state
    expect(resumed.saveState()).toEqual(running.saveState());
  });

  it("a state for another operator is kept but never inherited from", () => {
    const running = fda();
    expect(running.certify(context(db2(), S0)).pass).toBe(true);
    const resumed = fda();
    resumed.restoreState(JSON.parse(JSON.stringify(running.saveState())));
    // the same support through another wavelet: not the operator the state was certified on
    const haar = createTransform("haar", { shape: [N], levels: 3, dtype: "float64" });
    transforms.push(haar);
    expect(resumed.certify(context(haar, SUB)).route).not.toBe("inherited");
    // the operator it belongs to still inherits
    expect(resumed.certify(context(db2(), SUB)).route).toBe("inherited");
  });

  it("a malformed state is refused naming its path", () => {
    const running = fda();
    running.certify(context(db2(), S0));
    const saved = JSON.parse(JSON.stringify(running.saveState())) as { operators: { supports: { active: string }[] }[] };
    expect(() => fda().restoreState({ version: 99, operators: [] })).toThrow(/controller_state\.certificateHook\.state\.version: expected version 1, found 99/);
    // indices out of order
    saved.operators[0].supports[0].active = btoa(String.fromCharCode(5, 0, 0, 0, 1, 0, 0, 0));
    expect(() => fda().restoreState(saved as unknown as Json)).toThrow(/operators\[0\]\.supports\[0\]\.active\[1\]: expected strictly ascending indices in \[0, 64\), found 1/);
    saved.operators[0].supports[0].active = "***";
    expect(() => fda().restoreState(saved as unknown as Json)).toThrow(/supports\[0\]\.active: expected a base64 string/);
  });
});

describe("base64 of the checkpoint's arrays", () => {
  it("is btoa's text for every length modulo 3, with no Node Buffer", () => {
    const rand = mulberry32(7);
    for (const n of [0, 1, 2, 3, 4, 5, 6, 7, 24575, 24576, 24577, 50001]) {
      const b = Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
      let bin = "";
      for (const x of b) bin += String.fromCharCode(x);
      expect(base64(b)).toBe(btoa(bin));
    }
  });
});
