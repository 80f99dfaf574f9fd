import { describe, expect, it } from "vitest";
import { type Dtype, DTYPES, type RealArray } from "../src/dtype.js";
import { CflowError } from "../src/errors.js";
import {
  type OpFactory,
  csrFactory,
  denseFactory,
  diagonalFactory,
  identityFactory,
  maskFactory,
  scalingFactory,
  subsampleFactory,
} from "../src/ops/index.js";
import { Registry } from "../src/registry/registry.js";
import { lintSpec } from "../src/spec/lint.js";
import { parityTol } from "./helpers.js";
import { expectArrayClose } from "@cflow/test-kit";

const FACTORIES: Record<string, OpFactory> = {
  identity: identityFactory,
  scaling: scalingFactory,
  diagonal: diagonalFactory,
  dense: denseFactory,
  csr: csrFactory,
  mask: maskFactory,
  subsample: subsampleFactory,
};

describe.each(DTYPES)("op factories (%s)", (dtype: Dtype) => {
  const arr = (v: number[]): RealArray => (dtype === "float64" ? Float64Array.from(v) : Float32Array.from(v));
  const data: Record<string, RealArray> = {
    A: arr([1, 2, 3, 4, 5, 6]),
    d: arr([2, -1, 0.5]),
    m: arr([1, 0, 1, 1]),
    idx: arr([3, 0, 0]),
    ip: arr([0, 2, 3]),
    ix: arr([0, 2, 1]),
    v: arr([1.5, -2, 4]),
  };
  const ctx = { dtype, data, path: "ops.K" };
  const x3 = arr([1, -2, 3]);
  const x4 = arr([1, -2, 3, 7]);
  // [spec params, input, expected A x]
  const cases: [string, Record<string, unknown>, RealArray, number[], number[]][] = [
    ["identity", { shape: [3] }, x3, [1, -2, 3], [3]],
    ["scaling", { scale: -2, shape: [1, 3] }, x3, [-2, 4, -6], [1, 3]],
    ["diagonal", { diag: "d" }, x3, [2, 2, 1.5], [3]],
    ["dense", { matrix: "A", rows: 2, cols: 3 }, x3, [1 - 4 + 9, 4 - 10 + 18], [2]],
    ["csr", { indptr: "ip", indices: "ix", values: "v", rows: 2, cols: 3 }, x3, [1.5 - 2 * 3, 4 * -2], [2]],
    ["mask", { mask: "m", shape: [2, 2] }, x4, [1, 0, 3, 7], [2, 2]],
    ["subsample", { indices: "idx", inShape: [4] }, x4, [7, 1, 1], [3]],
  ];

  it.each(cases)("%s builds the op a spec describes", (type, params, x, expected, outShape) => {
    const op = FACTORIES[type].create(params, ctx);
    expect(op.kind).toBe(type);
    expect(op.dtype).toBe(dtype);
    expect([...op.outShape]).toEqual(outShape);
    expectArrayClose(op.apply(x), expected, parityTol(dtype));
    op.dispose();
  });

  it("every factory documents its parameters", () => {
    for (const f of Object.values(FACTORIES)) {
      expect(f.description.length).toBeGreaterThan(10);
      for (const rule of Object.values(f.params)) expect(rule.description.length).toBeGreaterThan(3);
    }
  });

  it("names the parameter and the known data arrays when a data reference is wrong", () => {
    let e: unknown;
    try {
      denseFactory.create({ matrix: "B", rows: 2, cols: 3 }, ctx);
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(CflowError);
    expect((e as CflowError).message).toMatch(/parameter matrix: no data array "B"/);
    expect((e as CflowError).details.path).toBe("ops.K.matrix");
    expect((e as CflowError).details.expected).toMatch(/A, d, m, idx, ip, ix, v/);
  });

  it("work through lintSpec as registered op types", () => {
    const registry = new Registry();
    for (const [name, f] of Object.entries(FACTORIES)) registry.ops.register(name, f);
    const spec = {
      dtype,
      data: { A: Array.from(data.A), idx: [0, 9] },
      ops: {
        K: { type: "dense", matrix: "A", rows: 2, cols: 3 },
        Bad: { type: "dense", matrix: "A", rows: 4, cols: 3 },
        S: { type: "subsample", indices: "idx", inShape: [4] },
        I: { type: "identity" },
      },
    };
    const ops = lintSpec(spec, { registry }).findings.filter((f) => f.path.startsWith("ops"));
    expect(ops.find((f) => f.path === "ops.K")).toBeUndefined();
    expect(ops.find((f) => f.path === "ops.Bad")?.message).toMatch(/expected 4×3 = 12 elements \(row-major\), found 6 elements/);
    expect(ops.find((f) => f.path === "ops.S")?.message).toMatch(/indices\[1\] = 9 is not an index in \[0, 4\)/);
    expect(ops.find((f) => f.path === "ops.I.shape")?.code).toBe("MISSING_PARAM");
  });
});
