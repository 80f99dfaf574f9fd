import { describe, expect, it } from "vitest";
import { DTYPES } from "../src/dtype.js";
import { CflowError, DtypeError } from "../src/errors.js";
import { defaultRegistry } from "../src/registry/default.js";
import { definePlugin } from "../src/registry/plugin.js";
import { Registry } from "../src/registry/registry.js";
import { createTransform } from "../src/transforms/create.js";
import { WAVELET_NAMES } from "../src/transforms/filters.js";
import { IdentityTransform, identityTransformFactory } from "../src/transforms/identity.js";
import { validateTransformFactory } from "../src/transforms/validate.js";
import { mulberry32, randomArray } from "@cflow/test-kit";

describe("createTransform and the default registry", () => {
  it("registers every built-in through the @cflow/core plugin", () => {
    const r = defaultRegistry();
    const names = r.transforms.names();
    for (const w of WAVELET_NAMES) {
      expect(names).toContain(w);
      expect(names).toContain(`swt${w[0].toUpperCase()}${w.slice(1)}`);
    }
    expect(names).toContain("identity");
    expect(names).toContain("dct");
    expect(names).toHaveLength(2 * WAVELET_NAMES.length + 2);
    expect(r.transforms.entry("db4")!.provider.plugin).toBe("@cflow/core");
    expect(r.plugins.map((p) => p.plugin)).toEqual(["@cflow/core"]);
  });

  it("every built-in passes registration-time validation (contract, frame constant, inverse and adjoint probes)", () => {
    expect(() => defaultRegistry({ transforms: validateTransformFactory })).not.toThrow();
  });

  it.each(DTYPES)("creates transforms by name (%s)", (dtype) => {
    const W = createTransform("db4", { shape: [64], levels: 3, dtype });
    expect([W.name, W.frame, W.c, W.levels, W.dtype, W.coeffSize]).toEqual(["db4", "unitary", 1, 3, dtype, 64]);
    const S = createTransform("swtSym5", { shape: [16, 16], levels: 2, dtype });
    expect([S.name, S.frame, S.c, S.coeffSize]).toEqual(["swtSym5", "tight", 1, 7 * 256]);
    const I = createTransform("identity", { shape: [3, 4], dtype });
    expect([I.name, I.frame, I.levels, I.coeffSize]).toEqual(["identity", "unitary", 0, 12]);
    for (const t of [W, S, I]) t.dispose();
  });

  it("an unknown name gives the registry's did-you-mean error", () => {
    expect(() => createTransform("db44", { shape: [64], dtype: "float64" })).toThrow(CflowError);
    expect(() => createTransform("db44", { shape: [64], dtype: "float64" })).toThrow(/unknown transform "db44" — did you mean "db4"\?/);
    expect(() => createTransform("swtSym9", { shape: [64], dtype: "float64" })).toThrow(/did you mean "swtSym\d"\?/);
  });

  it("refuses a missing or unknown dtype", () => {
    expect(() => createTransform("db4", { shape: [64], dtype: "float16" as never })).toThrow(DtypeError);
  });

  it("resolves through the registry it is given (a plugin's transform, not the built-ins)", () => {
    const r = new Registry({ transforms: validateTransformFactory });
    const report = r.use(definePlugin({ name: "my-lens", version: "1.0.0", setup: (reg) => reg.transforms.register("eye", identityTransformFactory) }));
    expect(report.failed).toEqual([]);
    const W = createTransform("eye", { shape: [5], dtype: "float32" }, r);
    expect(W).toBeInstanceOf(IdentityTransform);
    expect(() => createTransform("db4", { shape: [64], dtype: "float32" }, r)).toThrow(/unknown transform "db4"/);
    W.dispose();
  });
});

describe.each(DTYPES)("identity transform (%s)", (dtype) => {
  it("copies in every direction and has one band", () => {
    const W = new IdentityTransform({ shape: [4, 5], dtype });
    const x = randomArray(dtype, 20, mulberry32(3));
    expect(Array.from(W.forward(x))).toEqual(Array.from(x));
    expect(Array.from(W.inverse(x))).toEqual(Array.from(x));
    expect(Array.from(W.adjoint(x))).toEqual(Array.from(x));
    expect(W.bands).toEqual([{ level: 0, orientation: "x", offset: 0, shape: [4, 5] }]);
    W.dispose();
  });
});
