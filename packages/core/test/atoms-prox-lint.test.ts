// The atoms' metadata as the linter reads it: parameter rules, cross-parameter checks, composites.
import { describe, expect, it } from "vitest";
import { proxAtoms } from "../src/atoms/index.js";
import { gradientFactory } from "../src/ops/gradient.js";
import { Registry } from "../src/registry/registry.js";
import { lintSpec } from "../src/spec/lint.js";

function registry(): Registry {
  const r = new Registry();
  for (const a of proxAtoms) r.atoms.register(a.name, a);
  r.ops.register("gradient", gradientFactory);
  return r;
}

const spec = (terms: unknown[]) => ({ dtype: "float64", state: { x: { shape: [16] } }, ops: { D: { type: "gradient", shape: [16] } }, terms });
const errors = (terms: unknown[]) =>
  lintSpec(spec(terms), { registry: registry() })
    .findings.filter((f) => f.severity === "error")
    .map((f) => [f.code, f.path]);

describe("non-smooth atoms under lint", () => {
  it("accepts well-formed terms and the supported composites", () => {
    expect(errors([{ kind: "regularizer", atom: "l1", weight: 0.1 }])).toEqual([]);
    expect(errors([{ kind: "regularizer", atom: "tvIsotropic", weight: 0.1, params: { iterations: 50 } }])).toEqual([]);
    expect(
      errors([
        { kind: "regularizer", atom: "l1", weight: 0.1 },
        { kind: "regularizer", atom: "box", params: { lo: 0, hi: 1 } },
      ]),
    ).toEqual([]);
    expect(
      errors([
        { kind: "regularizer", atom: "nonneg" },
        { kind: "regularizer", atom: "l1", weight: 0.1 },
      ]),
    ).toEqual([]);
  });

  it("reports bad parameters at their spec path", () => {
    expect(errors([{ kind: "regularizer", atom: "box", params: { lo: 2, hi: 1 } }])).toEqual([["BAD_PARAM", "terms[0].params.hi"]]);
    expect(errors([{ kind: "regularizer", atom: "groupL1" }])).toEqual([["MISSING_PARAM", "terms[0].params.groupSize"]]);
    expect(errors([{ kind: "regularizer", atom: "elasticNet", params: { l1Ratio: 2 } }])).toEqual([["BAD_PARAM", "terms[0].params.l1Ratio"]]);
    expect(errors([{ kind: "regularizer", atom: "l2Ball", params: { radius: 0 } }])).toEqual([["BAD_PARAM", "terms[0].params.radius"]]);
    expect(errors([{ kind: "regularizer", atom: "l1", bandWeights: [1, 2] }])).toEqual([["UNEXPECTED", "terms[0].bandWeights"]]);
    expect(errors([{ kind: "regularizer", atom: "waveletL1" }])).toEqual([["MISSING_TRANSFORM", "terms[0].transform"]]);
    expect(errors([{ kind: "regularizer", atom: "l1", op: "D" }])).toEqual([["UNEXPECTED", "terms[0].op"]]);
  });

  it("refuses two non-smooth terms on one slot without an exact joint prox", () => {
    expect(
      errors([
        { kind: "regularizer", atom: "l1", weight: 0.1 },
        { kind: "regularizer", atom: "l2Ball" },
      ]),
    ).toEqual([["NONSEPARABLE_PROX", "terms[1].atom"]]);
  });
});
