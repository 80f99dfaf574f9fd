import { describeValue } from "../../dtype.js";
import { CflowError } from "../../errors.js";
import type { LintContext, SlotInfo, TransformInfo } from "./context.js";
import { isRecord, ownKeys, read } from "./read.js";
import { unknownNameHint } from "../../registry/registry.js";

/** `transforms`: named references to registered transforms, with optional levels. */
export function lintTransforms(ctx: LintContext, transforms: unknown): void {
  const f = ctx.findings;
  if (transforms === undefined) return;
  if (!isRecord(transforms)) {
    f.error("BAD_TYPE", "transforms", "expected an object of named transforms", { expected: '{ W: { name: "db4", levels: 4 } }', found: describeValue(transforms) });
    return;
  }
  for (const k of ownKeys(transforms)) {
    const path = `transforms.${k}`;
    if (!f.checkName(path, k)) continue;
    const t = read(transforms, k);
    if (!isRecord(t)) {
      f.error("BAD_TYPE", path, "expected { name, levels? }", { expected: '{ name: "db4", levels: 4 }', found: describeValue(t) });
      ctx.transforms.set(k, null);
      continue;
    }
    const name = read(t, "name");
    if (typeof name !== "string" || !ctx.registry.transforms.has(name)) {
      f.error("UNKNOWN_TRANSFORM", `${path}.name`, `unknown transform ${describeValue(name)}`, {
        expected: `one of ${ctx.registry.transforms.names().join(", ")}`,
        found: describeValue(name),
        hint: unknownNameHint(name, ctx.registry.transforms.names()),
        ...(typeof name === "string" ? { unknown: { namespace: "transforms" as const, name } } : {}),
      });
      ctx.transforms.set(k, null);
      continue;
    }
    const levels = read(t, "levels");
    if (levels !== undefined && !(typeof levels === "number" && Number.isInteger(levels) && levels >= 1)) {
      f.error("BAD_LEVELS", `${path}.levels`, "expected a positive integer", { expected: "integer ≥ 1", found: describeValue(levels) });
      ctx.transforms.set(k, null);
      continue;
    }
    ctx.transforms.set(k, { name, levels: levels as number | undefined });
  }
}

/** Whether a transform fits the slot a term puts it on (levels deep enough for the shape, 1D/2D...). */
export function lintTransformOnSlot(ctx: LintContext, path: string, tr: TransformInfo, slot: SlotInfo): void {
  if (!slot.shape) return;
  try {
    const W = ctx.registry.transforms.get(tr.name).create({ shape: slot.shape, levels: tr.levels, dtype: ctx.dtype });
    W.dispose();
  } catch (err) {
    const code = err instanceof CflowError && /level/i.test(err.message) ? "LEVELS_TOO_DEEP" : "TRANSFORM_SHAPE";
    ctx.findings.fromError(code, path, err);
  }
}
