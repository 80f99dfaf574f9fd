import { describeValue } from "../../dtype.js";
import { isOp } from "../../ops/op.js";
import { withDefaults } from "../params.js";
import type { LintContext, OpInfo } from "./context.js";
import { checkParams } from "./params.js";
import { isRecord, ownKeys, read } from "./read.js";
import { unknownNameHint } from "../../registry/registry.js";

/**
 * `ops`: each an Op instance, a factory `({ dtype }) => Op`, or a registered op type with its
 * parameters. Declarations only — no factory runs here (the compiler creates each op once): a
 * registered type's parameters are checked against its schema, then its `declare` (pure, no
 * kernel memory) validates them against the data and tells the shapes.
 */
export function lintOps(ctx: LintContext, ops: unknown): void {
  if (ops === undefined) return;
  if (!isRecord(ops)) {
    ctx.findings.error("BAD_TYPE", "ops", "expected an object of named ops", { expected: "{ name: Op | (ctx) => Op | { type, ... } }", found: describeValue(ops) });
    return;
  }
  for (const k of ownKeys(ops)) {
    const path = `ops.${k}`;
    if (!ctx.findings.checkName(path, k)) continue;
    ctx.ops.set(k, lintOp(ctx, path, read(ops, k)));
  }
}

function lintOp(ctx: LintContext, path: string, v: unknown): OpInfo | null {
  const f = ctx.findings;
  if (isOp(v)) {
    if (v.dtype !== ctx.dtype) {
      f.error("DTYPE_MISMATCH", path, `dtype mismatch — the run is ${ctx.dtype}, the op is ${v.dtype}`, {
        expected: ctx.dtype,
        found: v.dtype,
        hint: "create the op in the run's dtype: ops: { K: ({ dtype }) => conv2dOp(..., { dtype }) }",
      });
    }
    return { shapes: { inShape: [...v.inShape], outShape: [...v.outShape] } };
  }
  if (typeof v === "function") return { shapes: null };
  if (!isRecord(v)) {
    f.error("BAD_OP", path, "expected an op", { expected: "an Op, a function ({ dtype }) => Op, or { type, ...params }", found: describeValue(v) });
    return null;
  }
  const type = read(v, "type");
  if (typeof type !== "string") {
    f.error("BAD_OP", `${path}.type`, "an op reference needs a type", { expected: `one of ${ctx.registry.ops.names().join(", ")}`, found: describeValue(type) });
    return null;
  }
  if (!ctx.registry.ops.has(type)) {
    f.error("UNKNOWN_OP", `${path}.type`, `unknown op type "${type}"`, {
      expected: `one of ${ctx.registry.ops.names().join(", ")}`,
      found: JSON.stringify(type),
      hint: unknownNameHint(type, ctx.registry.ops.names()),
      unknown: { namespace: "ops", name: type },
    });
    return null;
  }
  const factory = ctx.registry.ops.get(type);
  const params: Record<string, unknown> = {};
  for (const pk of ownKeys(v)) if (pk !== "type") params[pk] = read(v, pk);
  if (!checkParams(ctx, path, factory.params, params)) return null;
  if (!factory.declare) return { shapes: null };
  try {
    const d = factory.declare(withDefaults(factory.params, params), { dtype: ctx.dtype, data: ctx.dataArrays, path });
    return { shapes: { inShape: [...d.inShape], outShape: [...d.outShape] } };
  } catch (err) {
    f.fromError("OP_INVALID", path, err);
    return null;
  }
}
