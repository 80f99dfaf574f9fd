// Lint checks declarations and runs no op factory; the compiler creates each op exactly once and
// checks what only the created op can tell (a factory's result and its shapes), reporting it as
// lint findings at the same spec paths.
import { describe, expect, it } from "vitest";
import { compileFlow } from "../src/compiler/compile.js";
import { SpecLintError } from "../src/compiler/lint-error.js";
import { DTYPES, type Dtype } from "../src/dtype.js";
import { denseOp } from "../src/ops/dense.js";
import type { OpFactory } from "../src/ops/op.js";
import { defaultRegistry } from "../src/registry/default.js";
import { lintSpec } from "../src/spec/lint.js";

const n = 16;

function spec(dtype: Dtype, ops: Record<string, unknown>, slot = n): Record<string, unknown> {
  return {
    dtype,
    state: { x: { shape: [slot] } },
    data: { y: new Array(n).fill(1) },
    ops,
    terms: [{ kind: "data", atom: "leastSquares", op: "K", target: "y" }],
  };
}

function identityMatrix(dtype: Dtype, rows: number, cols: number) {
  const a = new Array(rows * cols).fill(0);
  for (let i = 0; i < Math.min(rows, cols); i++) a[i * cols + i] = 1;
  return denseOp(a, { rows, cols, dtype });
}

function lintError(fn: () => unknown): SpecLintError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SpecLintError) return err;
    throw err;
  }
  return expect.fail("expected a SpecLintError");
}

describe.each(DTYPES)("op factories (%s)", (dtype) => {
  it("a user op factory runs exactly once per compile, never in lint", () => {
    let calls = 0;
    const K = ({ dtype: dt }: { dtype: Dtype }) => {
      calls++;
      return identityMatrix(dt, n, n);
    };
    const s = spec(dtype, { K });
    expect(lintSpec(s, { registry: defaultRegistry() }).ok).toBe(true);
    expect(calls).toBe(0);
    const { compiled } = compileFlow(s as never, { dtype });
    expect(calls).toBe(1);
    expect(compiled.ops.K.outShape).toEqual([n]);
    compiled.dispose();
    compileFlow(s as never, { dtype }).compiled.dispose();
    expect(calls).toBe(2);
  });

  it("a registered op type's create runs exactly once per compile, never in lint", () => {
    const registry = defaultRegistry();
    const dense = registry.ops.get("dense");
    let creates = 0;
    let declares = 0;
    const counted: OpFactory = {
      ...dense,
      declare: (p, c) => (declares++, dense.declare!(p, c)),
      create: (p, c) => (creates++, dense.create(p, c)),
    };
    registry.ops.register("countedDense", counted);
    const s = { ...spec(dtype, { K: { type: "countedDense", matrix: "A", rows: n, cols: n } }), data: { y: new Array(n).fill(1), A: Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 1 : 0)) } };
    expect(lintSpec(s, { registry }).ok).toBe(true);
    expect([declares, creates]).toEqual([1, 0]);
    compileFlow(s as never, { dtype, registry }).compiled.dispose();
    expect(creates).toBe(1);
  });

  it("a factory returning something else than an op is refused at compile time, as a BAD_OP finding at ops.K", () => {
    const s = spec(dtype, { K: () => 7 });
    expect(lintSpec(s, { registry: defaultRegistry() }).findings.filter((f) => f.severity === "error")).toEqual([]);
    const err = lintError(() => compileFlow(s as never, { dtype }));
    const hit = err.findings.find((f) => f.path === "ops.K");
    expect(hit?.code).toBe("BAD_OP");
    expect(hit?.found).toBe("7");
  });

  it("a factory that throws is refused as OP_INVALID at ops.K, naming its message", () => {
    const s = spec(dtype, {
      K: () => {
        throw new Error("psf.npy is missing");
      },
    });
    const err = lintError(() => compileFlow(s as never, { dtype }));
    const hit = err.findings.find((f) => f.path === "ops.K");
    expect(hit?.code).toBe("OP_INVALID");
    expect(hit?.message).toContain("psf.npy is missing");
  });

  it("the shapes of a factory-made op are checked after creation, at the term's paths", () => {
    // K: R^16 → R^8 while the slot has 16 elements and y 16: the target does not fit the output
    const s = spec(dtype, { K: ({ dtype: dt }: { dtype: Dtype }) => identityMatrix(dt, 8, n) });
    const linted = lintSpec(s, { registry: defaultRegistry() });
    expect(linted.ok).toBe(true);
    expect(linted.deferred.map((u) => u.path)).toEqual(["terms[0].op"]);
    const err = lintError(() => compileFlow(s as never, { dtype }));
    expect(err.findings.map((f) => [f.path, f.code])).toEqual([["terms[0].target", "SHAPE_MISMATCH"]]);
    // and an input that does not fit the slot
    const s2 = spec(dtype, { K: ({ dtype: dt }: { dtype: Dtype }) => identityMatrix(dt, n, 8) });
    expect(lintError(() => compileFlow(s2 as never, { dtype })).findings.map((f) => [f.path, f.code])).toEqual([["terms[0].op", "SHAPE_MISMATCH"]]);
  });

  it("an Op instance's shapes are checked by lint itself", () => {
    const s = spec(dtype, { K: identityMatrix(dtype, n, 8) });
    const linted = lintSpec(s, { registry: defaultRegistry() });
    expect(linted.deferred).toEqual([]);
    expect(linted.findings.filter((f) => f.severity === "error").map((f) => [f.path, f.code])).toEqual([["terms[0].op", "SHAPE_MISMATCH"]]);
  });
});
