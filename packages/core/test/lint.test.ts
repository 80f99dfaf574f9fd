import { describe, expect, it } from "vitest";
import { defaultRegistry } from "../src/registry/default.js";
import { lintSpec } from "../src/spec/lint.js";

// A valid 1D deconvolution-like spec the fixtures below break one way each.
const n = 64;
function base(): Record<string, unknown> {
  return {
    name: "fixture",
    dtype: "float64",
    seed: 1,
    state: { x: { shape: [n] } },
    data: { y: new Float64Array(n), A: new Float64Array(n * n), w: new Float64Array(n).fill(1) },
    ops: { K: { type: "dense", matrix: "A", rows: n, cols: n } },
    transforms: { W: { name: "db4", levels: 3 } },
    terms: [
      { kind: "data", atom: "leastSquares", op: "K", target: "y" },
      { kind: "regularizer", atom: "waveletL1", transform: "W", weight: 1e-3 },
    ],
    policies: { flow: { family: "accelerated" } },
  };
}

type Mutate = (s: Record<string, any>) => unknown;
const fixtures: [string, Mutate, string, string][] = [
  ["not an object", () => 42, "", "SPEC_NOT_OBJECT"],
  ["null spec", () => null, "", "SPEC_NOT_OBJECT"],
  ["unknown dtype", (s) => ({ ...s, dtype: "float16" }), "dtype", "BAD_DTYPE"],
  ["negative seed", (s) => ({ ...s, seed: -1 }), "seed", "BAD_SEED"],
  ["fractional seed", (s) => ({ ...s, seed: 1.5 }), "seed", "BAD_SEED"],
  ["missing state", (s) => ({ ...s, state: undefined }), "state", "MISSING"],
  ["state not object", (s) => ({ ...s, state: 3 }), "state", "BAD_TYPE"],
  ["empty state", (s) => ({ ...s, state: {} }), "state", "EMPTY_STATE"],
  ["slot not object", (s) => ({ ...s, state: { x: [64] } }), "state.x", "BAD_TYPE"],
  ["shape missing", (s) => ({ ...s, state: { x: {} } }), "state.x.shape", "BAD_SHAPE"],
  ["shape with zero", (s) => ({ ...s, state: { x: { shape: [0] } } }), "state.x.shape[0]", "BAD_SHAPE"],
  ["shape with NaN", (s) => ({ ...s, state: { x: { shape: [Number.NaN] } } }), "state.x.shape[0]", "BAD_SHAPE"],
  ["__proto__ slot name", (s) => ({ ...s, state: JSON.parse('{"__proto__": {"shape": [64]}}') }), "state.__proto__", "BAD_NAME"],
  ["unknown manifold", (s) => ({ ...s, state: { x: { shape: [n], manifold: "sphear" } } }), "state.x.manifold", "UNKNOWN_MANIFOLD"],
  ["bad init word", (s) => ({ ...s, state: { x: { shape: [n], init: "zero" } } }), "state.x.init", "BAD_INIT"],
  ["init array length", (s) => ({ ...s, state: { x: { shape: [n], init: [1, 2, 3] } } }), "state.x.init", "SHAPE_MISMATCH"],
  ["init unknown data", (s) => ({ ...s, state: { x: { shape: [n], init: { data: "yy" } } } }), "state.x.init.data", "UNKNOWN_DATA"],
  ["init adjoint unknown op", (s) => ({ ...s, state: { x: { shape: [n], init: { adjoint: { op: "KK", data: "y" } } } } }), "state.x.init.adjoint.op", "UNKNOWN_OP_REF"],
  ["float32 data in a float64 run", (s) => ({ ...s, data: { ...s.data, y: new Float32Array(n) } }), "data.y", "DTYPE_MISMATCH"],
  ["non-finite data", (s) => ({ ...s, data: { ...s.data, y: Float64Array.from({ length: n }, (_, i) => (i === 5 ? Number.NaN : 0)) } }), "data.y[5]", "NON_FINITE"],
  ["data not numbers", (s) => ({ ...s, data: { ...s.data, y: ["a"] } }), "data.y[0]", "BAD_DATA"],
  ["data object", (s) => ({ ...s, data: { ...s.data, y: { a: 1 } } }), "data.y", "BAD_DATA"],
  ["op without type", (s) => ({ ...s, ops: { K: { matrix: "A" } } }), "ops.K.type", "BAD_OP"],
  ["unknown op type", (s) => ({ ...s, ops: { K: { type: "dens", matrix: "A", rows: n, cols: n } } }), "ops.K.type", "UNKNOWN_OP"],
  ["op unknown param", (s) => ({ ...s, ops: { K: { type: "dense", matrix: "A", rows: n, cols: n, colz: 3 } } }), "ops.K.colz", "UNKNOWN_PARAM"],
  ["op of the wrong kind of value", (s) => ({ ...s, ops: { K: "dense" } }), "ops.K", "BAD_OP"],
  ["unknown transform", (s) => ({ ...s, transforms: { W: { name: "db44", levels: 3 } } }), "transforms.W.name", "UNKNOWN_TRANSFORM"],
  ["bad levels", (s) => ({ ...s, transforms: { W: { name: "db4", levels: 0 } } }), "transforms.W.levels", "BAD_LEVELS"],
  ["levels too deep for the shape", (s) => ({ ...s, transforms: { W: { name: "db4", levels: 9 } } }), "terms[1].transform", "LEVELS_TOO_DEEP"],
  ["terms missing", (s) => ({ ...s, terms: undefined }), "terms", "MISSING"],
  ["terms empty", (s) => ({ ...s, terms: [] }), "terms", "EMPTY_TERMS"],
  ["term not object", (s) => ({ ...s, terms: [5] }), "terms[0]", "BAD_TYPE"],
  ["bad term kind", (s) => ({ ...s, terms: [{ ...s.terms[0], kind: "fidelity" }, s.terms[1]] }), "terms[0].kind", "BAD_KIND"],
  ["unknown atom", (s) => ({ ...s, terms: [{ ...s.terms[0], atom: "leastSquare" }, s.terms[1]] }), "terms[0].atom", "UNKNOWN_ATOM"],
  ["unknown slot", (s) => ({ ...s, terms: [{ ...s.terms[0], slot: "z" }, s.terms[1]] }), "terms[0].slot", "UNKNOWN_SLOT"],
  ["missing target", (s) => ({ ...s, terms: [{ kind: "data", atom: "leastSquares", op: "K" }, s.terms[1]] }), "terms[0].target", "MISSING_DATA"],
  ["unknown target", (s) => ({ ...s, terms: [{ ...s.terms[0], target: "yy" }, s.terms[1]] }), "terms[0].target", "MISSING_DATA"],
  ["unknown op ref", (s) => ({ ...s, terms: [{ ...s.terms[0], op: "KK" }, s.terms[1]] }), "terms[0].op", "UNKNOWN_OP_REF"],
  ["missing transform", (s) => ({ ...s, terms: [s.terms[0], { kind: "regularizer", atom: "waveletL1", weight: 1e-3 }] }), "terms[1].transform", "MISSING_TRANSFORM"],
  ["negative weight", (s) => ({ ...s, terms: [{ ...s.terms[0], weight: -1 }, s.terms[1]] }), "terms[0].weight", "BAD_WEIGHT"],
  ["NaN weight", (s) => ({ ...s, terms: [{ ...s.terms[0], weight: Number.NaN }, s.terms[1]] }), "terms[0].weight", "BAD_WEIGHT"],
  ["target of the wrong length", (s) => ({ ...s, data: { ...s.data, y: new Float64Array(n + 1) } }), "terms[0].target", "SHAPE_MISMATCH"],
  ["op/slot shape mismatch", (s) => ({ ...s, state: { x: { shape: [n / 2] } } }), "terms[0].op", "SHAPE_MISMATCH"],
  ["units disagree", (s) => ({ ...s, terms: [{ ...s.terms[0], units: "counts^2" }, { ...s.terms[1], units: "J" }] }), "terms[1].units", "UNITS_MISMATCH"],
  ["band weights on an atom without bands", (s) => ({ ...s, terms: [{ ...s.terms[0], bandWeights: [1, 1] }, s.terms[1]] }), "terms[0].bandWeights", "UNEXPECTED"],
  ["band weights of the wrong length", (s) => ({ ...s, terms: [s.terms[0], { ...s.terms[1], bandWeights: [1, 1] }] }), "terms[1].bandWeights", "SHAPE_MISMATCH"],
  ["unknown atom param", (s) => ({ ...s, terms: [s.terms[0], { kind: "regularizer", atom: "box", params: { low: 0 } }] }), "terms[1].params.low", "UNKNOWN_PARAM"],
  ["box with lo > hi", (s) => ({ ...s, terms: [s.terms[0], { kind: "regularizer", atom: "box", params: { lo: 2, hi: 1 } }] }), "terms[1].params.hi", "BAD_PARAM"],
  ["two non-separable proxes on a slot", (s) => ({ ...s, terms: [...s.terms, { kind: "regularizer", atom: "tvIsotropic", weight: 1e-3 }] }), "terms[2].atom", "NONSEPARABLE_PROX"],
  ["invariant without checker", (s) => ({ ...s, invariants: [{ name: "mass", kind: "conserved" }] }), "invariants[0].check", "MISSING_CHECKER"],
  ["invariant checker not a function", (s) => ({ ...s, invariants: [{ name: "mass", kind: "conserved", check: 3 }] }), "invariants[0].check", "BAD_TYPE"],
  ["unknown invariant kind", (s) => ({ ...s, invariants: [{ name: "mass", kind: "kept", check: () => 0 }] }), "invariants[0].kind", "BAD_KIND"],
  ["unknown flow family", (s) => ({ ...s, policies: { flow: { family: "fista" } } }), "policies.flow.family", "BAD_POLICY"],
  ["step scale out of (0, 2)", (s) => ({ ...s, policies: { flow: { stepScale: 2 } } }), "policies.flow.stepScale", "BAD_POLICY"],
  ["unknown restart", (s) => ({ ...s, policies: { flow: { restart: "always" } } }), "policies.flow.restart", "BAD_POLICY"],
  ["hamiltonian without momentum slot", (s) => ({ ...s, policies: { flow: { family: "hamiltonianDamped" } } }), "policies.flow.family", "MISSING_CONJUGATE"],
  ["move cap out of range", (s) => ({ ...s, policies: { control: { moveCap: 1.5 } } }), "policies.control.moveCap", "BAD_POLICY"],
  ["ratio bounds reversed", (s) => ({ ...s, policies: { control: { ratioBounds: [2, 0.5] } } }), "policies.control.ratioBounds", "BAD_POLICY"],
  ["rollback limit not an integer", (s) => ({ ...s, policies: { control: { maxRollbacks: 1.5 } } }), "policies.control.maxRollbacks", "BAD_POLICY"],
  ["per-band switch not a boolean", (s) => ({ ...s, policies: { tuner: { perBand: "yes" } } }), "policies.tuner.perBand", "BAD_POLICY"],
  ["unknown seed statistic", (s) => ({ ...s, policies: { tuner: { seed: { statistic: "mean" } } } }), "policies.tuner.seed.statistic", "BAD_POLICY"],
  ["the former gapDial section", (s) => ({ ...s, policies: { gapDial: { moveCap: 0.1, widenFactor: 3 } } }), "policies.gapDial", "MOVED_KEY"],
  ["max iterations zero", (s) => ({ ...s, policies: { budgets: { maxIters: 0 } } }), "policies.budgets.maxIters", "BAD_POLICY"],
  ["negative gamma gate", (s) => ({ ...s, policies: { certification: { gammaMin: -1 } } }), "policies.certification.gammaMin", "BAD_POLICY"],
  ["multiscale without multilevel term", (s) => ({ ...s, terms: [s.terms[0]], policies: { multiscale: { mode: "fixed" } } }), "policies.multiscale.mode", "BAD_POLICY"],
  ["lens with unknown candidate", (s) => ({ ...s, policies: { lens: { candidates: ["db4", "db99"] } } }), "policies.lens.candidates[1]", "UNKNOWN_TRANSFORM"],
  ["policies not an object", (s) => ({ ...s, policies: 1 }), "policies", "BAD_TYPE"],
  ["conjugateOf unknown slot", (s) => ({ ...s, state: { x: { shape: [n] }, p: { shape: [n], conjugateOf: "q" } } }), "state.p.conjugateOf", "UNKNOWN_SLOT"],
];

describe("lintSpec", () => {
  const registry = defaultRegistry();

  it("accepts the valid base spec", () => {
    const r = lintSpec(base(), { registry });
    expect(r.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it(`has at least 40 malformed fixtures (${fixtures.length})`, () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(40);
  });

  it.each(fixtures)("%s → finding at %s", (_name, mutate, path, code) => {
    const r = lintSpec(mutate(base()), { registry });
    expect(r.ok).toBe(false);
    const hit = r.findings.find((f) => f.severity === "error" && f.path === path);
    if (!hit) expect.fail(`no error at "${path}"; findings: ${JSON.stringify(r.findings.map((f) => [f.path, f.code]))}`);
    expect(hit.code).toBe(code);
    expect(hit.message.length).toBeGreaterThan(10);
  });

  it("says where each key of the former policies.gapDial went", () => {
    const r = lintSpec({ ...base(), policies: { gapDial: { moveCap: 0.1, widenFactor: 3 } } }, { registry });
    const hit = r.findings.find((f) => f.code === "MOVED_KEY")!;
    expect(hit.hint).toBe("move moveCap → policies.control.moveCap, widenFactor → policies.tuner.widenFactor");
  });

  it("never throws, whatever it is given", () => {
    const cyclic: Record<string, unknown> = { state: { x: { shape: [4] } } };
    cyclic.terms = [cyclic];
    const getter = Object.defineProperty({ state: { x: { shape: [4] } } }, "terms", {
      enumerable: true,
      get() {
        throw new Error("boom");
      },
    });
    for (const v of [undefined, "spec", [], cyclic, getter, new Proxy({}, { ownKeys: () => { throw new Error("no keys"); } })]) {
      expect(() => lintSpec(v, { registry })).not.toThrow();
      expect(lintSpec(v, { registry }).ok).toBe(false);
    }
  });

  it("suggests the nearest registered name", () => {
    const r = lintSpec({ ...base(), terms: [{ kind: "data", atom: "leastSquare", op: "K", target: "y" }] }, { registry });
    expect(r.findings.find((f) => f.path === "terms[0].atom")?.hint).toMatch(/leastSquares/);
  });

  it("names the camelCase key of an old-style registry key (family, transform, lens candidate)", () => {
    const s = base();
    const r = lintSpec({ ...s, transforms: { W: { name: "swt-db2" } }, policies: { flow: { family: "hamiltonian_damped" }, lens: { candidates: ["swt-haar"] } } }, { registry });
    const hint = (path: string) => r.findings.find((f) => f.severity === "error" && f.path === path)?.hint;
    expect(hint("transforms.W.name")).toBe('"swt-db2" is now "swtDb2" (registry keys are camelCase; see CHANGELOG.md)');
    expect(hint("policies.flow.family")).toBe('"hamiltonian_damped" is now "hamiltonianDamped" (registry keys are camelCase; see CHANGELOG.md)');
    expect(hint("policies.lens.candidates[0]")).toBe('"swt-haar" is now "swtHaar" (registry keys are camelCase; see CHANGELOG.md)');
  });

  it("marks each name no plugin registers with its namespace (op, atom, transform, manifold, policy)", () => {
    const s = base();
    const spec = {
      ...s,
      state: { x: { shape: [n], manifold: "hyperbolic" } },
      ops: { K: { type: "graphLaplacian" } },
      transforms: { W: { name: "sgwt" } },
      terms: [{ kind: "data", atom: "leastSquares", target: "y" }, { kind: "regularizer", atom: "graphTV" }],
      policies: { flow: { family: "mirror" }, tuner: { policy: "bayes" }, lens: { candidates: ["curvelet"] } },
    };
    const unknown = lintSpec(spec, { registry })
      .findings.filter((f) => f.unknown)
      .map((f) => [f.path, f.unknown!.namespace, f.unknown!.name]);
    expect(unknown).toEqual(
      expect.arrayContaining([
        ["state.x.manifold", "manifolds", "hyperbolic"],
        ["ops.K.type", "ops", "graphLaplacian"],
        ["transforms.W.name", "transforms", "sgwt"],
        ["terms[1].atom", "atoms", "graphTV"],
        ["policies.flow.family", "policies", "mirror"],
        ["policies.tuner.policy", "policies", "bayes"],
        ["policies.lens.candidates[0]", "transforms", "curvelet"],
      ]),
    );
    expect(unknown).toHaveLength(7);
  });
});
