import { describe, expect, it } from "vitest";
import { CflowError } from "../src/errors.js";
import { readFlowParams } from "../src/spec/flow-params.js";
import type { ParamRule } from "../src/spec/params.js";

const RULES = {
  size: { type: "integer", description: "image side in pixels", default: 512, min: 8 },
  sigma: { type: "number", description: "blur width", default: 2, min: 0, exclusiveMin: true },
  noisy: { type: "boolean", description: "add noise", default: true },
  levels: { type: "number[]", description: "per-band weights", default: [1, 1] },
  mode: { type: "string", description: "phantom", default: "shepp-logan", oneOf: ["shepp-logan", "disc"] },
  tag: { type: "string", description: "free label" },
} satisfies Record<string, ParamRule>;

function refusal(params: Record<string, unknown>, rules: Record<string, ParamRule> = RULES): CflowError {
  try {
    readFlowParams(params, rules);
  } catch (e) {
    expect(e).toBeInstanceOf(CflowError);
    return e as CflowError;
  }
  throw new Error("expected a refusal");
}

describe("readFlowParams", () => {
  it("fills the defaults and leaves optional parameters without one absent", () => {
    expect(readFlowParams({}, RULES)).toEqual({ size: 512, sigma: 2, noisy: true, levels: [1, 1], mode: "shepp-logan" });
    expect(readFlowParams(undefined, RULES).size).toBe(512);
  });

  it("converts command-line strings to the rule's type", () => {
    const p = readFlowParams({ size: "64", sigma: "1.5e0", noisy: "false", levels: "0.5, 2,4", mode: "disc", tag: "a=b" }, RULES);
    expect(p).toEqual({ size: 64, sigma: 1.5, noisy: false, levels: [0.5, 2, 4], mode: "disc", tag: "a=b" });
    expect(readFlowParams({ noisy: "0" }, RULES).noisy).toBe(false);
    expect(readFlowParams({ noisy: "1" }, RULES).noisy).toBe(true);
  });

  it("keeps values that are already typed (programmatic callers)", () => {
    expect(readFlowParams({ size: 32, levels: [3] }, RULES)).toMatchObject({ size: 32, levels: [3] });
  });

  it.each([
    [{ size: "6" }, "--param size", /≥ 8/, "6"],
    [{ size: "6.5" }, "--param size", /an integer/, "6.5"],
    [{ size: "big" }, "--param size", /an integer/, "big"],
    [{ sigma: "0" }, "--param sigma", /> 0/, "0"],
    [{ noisy: "yes" }, "--param noisy", /true or false/, "yes"],
    [{ levels: "1,,2" }, "--param levels", /number\[\]/, "1,,2"],
    [{ mode: "square" }, "--param mode", /shepp-logan \| disc/, "square"],
  ])("refuses %j naming the parameter, what was expected and what was found", (params, path, expected, found) => {
    const e = refusal(params);
    expect(e.code).toBe("PARAM_INVALID");
    expect(e.details.path).toBe(path);
    expect(String(e.details.expected)).toMatch(expected);
    expect(e.details.found).toBe(found);
    expect(e.message).toContain(path);
  });

  it("refuses an unknown key with the nearest name", () => {
    const e = refusal({ sise: "64" });
    expect(e.code).toBe("PARAM_UNKNOWN");
    expect(e.message).toContain('did you mean "size"?');
    expect(String(e.details.expected)).toContain("size, sigma, noisy, levels, mode, tag");
  });

  it("refuses a missing required parameter", () => {
    const e = refusal({}, { n: { type: "integer", description: "length", required: true } });
    expect(e.code).toBe("PARAM_MISSING");
    expect(e.details.path).toBe("--param n");
  });
});
