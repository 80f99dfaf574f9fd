import { totalmem } from "node:os";
import { describe, expect, it } from "vitest";
import { CflowError } from "../src/errors.js";
import { compileFlow } from "../src/compiler/compile.js";
import { SpecLintError } from "../src/compiler/lint-error.js";
import { defaultRegistry } from "../src/registry/default.js";
import { checkElementCount, defaultMaxElements, formatCount } from "../src/spec/element-limit.js";
import { lintSpec } from "../src/spec/lint.js";

const registry = defaultRegistry();

// A slot with a wavelet term: before the limit, lint built the transform for the declared shape
// and reported "Invalid typed array length" (or ran out of memory).
function spec(shape: number[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    state: { x: { shape } },
    transforms: { W: { name: "db4", levels: 1 } },
    terms: [{ kind: "regularizer", atom: "waveletL1", transform: "W", weight: 1e-3 }],
    ...extra,
  };
}

function errors(s: unknown) {
  return lintSpec(s, { registry }).findings.filter((f) => f.severity === "error");
}

describe("element limits in lint", () => {
  it.each([
    ["[1e12]", [1e12], "1e+12"],
    ["[1e6, 1e6]", [1e6, 1e6], "1e+12"],
    ["[2^40, 2^40]", [2 ** 40, 2 ** 40], formatCount(2 ** 80)],
  ])("a declared shape %s is one finding at state.x.shape with the value and the default limit", (_name, shape, count) => {
    const found = errors(spec(shape));
    expect(found.map((f) => [f.path, f.code])).toEqual([["state.x.shape", "TOO_MANY_ELEMENTS"]]);
    const f = found[0];
    const limit = formatCount(defaultMaxElements("float64"));
    expect(f.message).toBe(`state.x.shape: the slot has ${count} elements, more than the limit of ${limit}`);
    expect(f.found).toBe(`[${shape.join(" × ")}] = ${count} elements`);
    expect(f.expected).toContain(`at most ${limit} elements`);
    expect(f.expected).toContain(`${(totalmem() / 2 ** 30).toFixed(1)} GiB`);
    expect(f.hint).toContain("policies.budgets.maxElements");
    expect(JSON.stringify(found)).not.toMatch(/typed array/i);
  });

  it("compileFlow refuses such a spec as RED naming the field, never with a RangeError", () => {
    let err: unknown;
    try {
      compileFlow(spec([1e6, 1e6]) as never, { registry });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SpecLintError);
    expect((err as SpecLintError).message).toContain("state.x.shape");
  });

  it("policies.budgets.maxElements sets the limit: one element over is refused, the limit itself passes", () => {
    const policies = { budgets: { maxElements: 4096 } };
    expect(errors(spec([64, 64], { policies }))).toEqual([]);
    const over = errors(spec([64, 65], { policies }));
    expect(over.map((f) => [f.path, f.code])).toEqual([["state.x.shape", "TOO_MANY_ELEMENTS"]]);
    expect(over[0].message).toBe("state.x.shape: the slot has 4160 elements, more than the limit of 4096");
    expect(over[0].expected).toBe("at most 4096 elements (set by policies.budgets.maxElements (cflow: --max-elements))");
  });

  it("data arrays over the limit are a finding at data.<name>", () => {
    const s = { state: { x: { shape: [8] } }, data: { y: new Float64Array(9), z: [1, 2, 3] }, terms: [{ kind: "data", atom: "leastSquares", target: "y" }], policies: { budgets: { maxElements: 8 } } };
    const found = errors(s);
    expect(found.find((f) => f.path === "data.y")).toMatchObject({ code: "TOO_MANY_ELEMENTS", found: "9 numbers = 9 elements" });
    expect(found.some((f) => f.path === "data.z")).toBe(false);
  });

  it("a bad maxElements is a policy finding and the default applies", () => {
    for (const v of [0, 1.5, -3, "big"]) {
      const found = errors(spec([64], { policies: { budgets: { maxElements: v } } }));
      expect(found.map((f) => [f.path, f.code])).toEqual([["policies.budgets.maxElements", "BAD_POLICY"]]);
    }
  });

  it("the default scales with the machine's memory and the dtype", () => {
    expect(defaultMaxElements("float64", 16 * 2 ** 30)).toBe(2 ** 27);
    expect(defaultMaxElements("float32", 16 * 2 ** 30)).toBe(2 ** 28);
    expect(defaultMaxElements("float64")).toBe(Math.floor(totalmem() / 16 / 8));
    // a float32 spec gets twice the elements of a float64 one
    const n = defaultMaxElements("float64") + 1;
    expect(errors(spec([n], { dtype: "float64" })).map((f) => f.code)).toContain("TOO_MANY_ELEMENTS");
    expect(errors(spec([n], { dtype: "float32" })).map((f) => f.code)).not.toContain("TOO_MANY_ELEMENTS");
  });

  it("checkElementCount refuses before allocation with path, found and limit", () => {
    expect(() => checkElementCount(100, { path: "a.npy", what: "the array", found: "(10, 10)", dtype: "float64", maxElements: 100 })).not.toThrow();
    let err: CflowError | undefined;
    try {
      checkElementCount(101, { path: "a.npy", what: "the array", found: "(101,)", dtype: "float64", maxElements: 100 });
    } catch (e) {
      err = e as CflowError;
    }
    expect(err).toBeInstanceOf(CflowError);
    expect(err!.code).toBe("TOO_MANY_ELEMENTS");
    expect(err!.message).toBe("a.npy: the array has 101 elements, more than the limit of 100");
    expect(err!.details).toMatchObject({ path: "a.npy", found: "(101,) = 101 elements" });
    expect(formatCount(9e8)).toBe("9e+8");
    expect(formatCount(1.25e12)).toBe("1.25e+12");
    expect(formatCount(123456)).toBe("123456");
  });
});
