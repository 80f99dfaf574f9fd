import { CflowError } from "../../errors.js";
import type { AtomContext, AtomDef } from "../atom.js";
import { LinearLossTerm } from "./linear-loss.js";

/** ½·w‖Ax − b‖² (A optional: the identity). */
export const leastSquares: AtomDef = {
  name: "leastSquares",
  kind: "smooth",
  description: "½·w‖Ax − b‖² — data fidelity through a linear op (identity when no op is given)",
  op: "optional",
  target: "required",
  transform: "none",
  params: {},
  convex: true,
  create: (ctx) => new LinearLossTerm("leastSquares", ctx, ctx.op ?? null, ctx.target ?? null, { kind: "squared" }),
};

/** ½·w Σ c_i (Ax − b)_i² with per-sample weights c (a data array). */
export const weightedLeastSquares: AtomDef = {
  name: "weightedLeastSquares",
  kind: "smooth",
  description: "½·w Σ c_i (Ax − b)_i² — least squares with per-sample weights c ≥ 0 (params.weights names a data array)",
  op: "optional",
  target: "required",
  transform: "none",
  params: { weights: { type: "string", description: "name of the data array of per-sample weights c_i ≥ 0", required: true } },
  convex: true,
  create: (ctx) => new LinearLossTerm("weightedLeastSquares", ctx, ctx.op ?? null, ctx.target ?? null, { kind: "weightedSquared", weights: dataParam(ctx, "weights", true) }),
};

/** The data array a string parameter names, checked against the op's output length. */
export function dataParam(ctx: AtomContext, param: string, nonNegative = false) {
  const name = ctx.params[param];
  const path = `${ctx.path}.params.${param}`;
  const buf = typeof name === "string" ? ctx.data[name] : undefined;
  if (!buf) {
    throw new CflowError("UNKNOWN_DATA", `${path}: no data array ${JSON.stringify(name)}`, {
      path,
      expected: `one of ${Object.keys(ctx.data).join(", ") || "(no data)"}`,
      found: String(name),
    });
  }
  const m = ctx.op ? ctx.op.outShape.reduce((a, b) => a * b, 1) : ctx.slotShape.reduce((a, b) => a * b, 1);
  if (buf.length !== m) {
    throw new CflowError("SHAPE_MISMATCH", `${path}: data "${name}" has ${buf.length} elements, the term's residual ${m}`, { path, expected: m, found: buf.length });
  }
  if (nonNegative) {
    const v = buf.view;
    for (let i = 0; i < v.length; i++) {
      if (!(v[i] >= 0)) throw new CflowError("BAD_DATA", `${path}: weights must be ≥ 0, found ${v[i]} at index ${i}`, { path: `${path}[${i}]`, expected: "≥ 0", found: v[i] });
    }
  }
  return buf;
}
