import { type Dtype, describeValue, shapeSize } from "../../dtype.js";
import type { LintContext, SlotInfo } from "./context.js";
import { fmt, isRecord, ownKeys, read } from "./read.js";
import { unknownNameHint } from "../../registry/registry.js";

const SLOT_KEYS = ["shape", "manifold", "init", "conjugateOf"];
const INIT_WORDS = ["zeros", "ones", "random"];

/** `state`: named slots with a shape, an optional manifold, init and conjugate (momentum) slot. */
export function lintState(ctx: LintContext, state: unknown): void {
  const f = ctx.findings;
  if (state === undefined) {
    f.error("MISSING", "state", "a spec needs at least one state slot", { expected: "state: { x: { shape: [n] } }", found: "undefined" });
    return;
  }
  if (!isRecord(state)) {
    f.error("BAD_TYPE", "state", "expected an object of named slots", { expected: "{ x: { shape: [n] } }", found: describeValue(state) });
    return;
  }
  const keys = ownKeys(state);
  if (keys.length === 0) f.error("EMPTY_STATE", "state", "a spec needs at least one state slot", { expected: "at least one slot", found: "{}" });
  for (const k of keys) {
    const path = `state.${k}`;
    if (!f.checkName(path, k)) continue;
    const slot = read(state, k);
    if (!isRecord(slot)) {
      f.error("BAD_TYPE", path, "expected a slot { shape, manifold?, init? }", { expected: "{ shape: number[] }", found: describeValue(slot) });
      continue;
    }
    for (const sk of ownKeys(slot)) if (!SLOT_KEYS.includes(sk)) f.unknownKey(`${path}.${sk}`, sk, SLOT_KEYS);
    const shape = lintShape(ctx, `${path}.shape`, read(slot, "shape"));
    ctx.slots.set(k, { name: k, shape, manifold: lintManifold(ctx, path, read(slot, "manifold"), shape) });
  }
  for (const k of keys) {
    const slot = read(state, k);
    if (!isRecord(slot) || !ctx.slots.has(k)) continue;
    lintInit(ctx, `state.${k}.init`, read(slot, "init"), ctx.slots.get(k)!);
    lintConjugate(ctx, k, read(slot, "conjugateOf"));
  }
}

function lintManifold(ctx: LintContext, path: string, manifold: unknown, shape: number[] | null): string {
  if (manifold === undefined) return "euclidean";
  const { registry } = ctx;
  if (typeof manifold !== "string" || !registry.manifolds.has(manifold)) {
    ctx.findings.error("UNKNOWN_MANIFOLD", `${path}.manifold`, `unknown manifold ${describeValue(manifold)}`, {
      expected: `one of ${registry.manifolds.names().join(", ")}`,
      found: describeValue(manifold),
      hint: unknownNameHint(manifold, registry.manifolds.names()) ?? "install and register the plugin that provides it (e.g. @cflow/manifolds)",
      ...(typeof manifold === "string" ? { unknown: { namespace: "manifolds" as const, name: manifold } } : {}),
    });
    return "euclidean";
  }
  if (shape) {
    try {
      registry.manifolds.get(manifold).create({ shape, dtype: ctx.dtype });
    } catch (err) {
      ctx.findings.fromError("MANIFOLD_SHAPE", `${path}.manifold`, err);
    }
  }
  return manifold;
}

function lintConjugate(ctx: LintContext, k: string, conj: unknown): void {
  if (conj === undefined) return;
  const path = `state.${k}.conjugateOf`;
  const own = ctx.slots.get(k)!;
  const other = typeof conj === "string" ? ctx.slots.get(conj) : undefined;
  if (!other || conj === k) {
    ctx.findings.error("UNKNOWN_SLOT", path, `no position slot ${describeValue(conj)}`, { expected: `another slot: ${[...ctx.slots.keys()].filter((s) => s !== k).join(", ")}`, found: describeValue(conj) });
  } else if (other.shape && own.shape && shapeSize(other.shape) !== shapeSize(own.shape)) {
    ctx.findings.error("SHAPE_MISMATCH", path, "a momentum slot must have its position slot's shape", { expected: fmt(other.shape), found: fmt(own.shape) });
  } else ctx.conjugateSlots.add(k);
}

function lintShape(ctx: LintContext, path: string, shape: unknown): number[] | null {
  if (!Array.isArray(shape) || shape.length === 0) {
    ctx.findings.error("BAD_SHAPE", path, "expected a non-empty array of positive integers", { expected: "[n] or [rows, cols]", found: describeValue(shape) });
    return null;
  }
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (!(typeof d === "number" && Number.isInteger(d) && d >= 1)) {
      ctx.findings.error("BAD_SHAPE", `${path}[${i}]`, "expected a positive integer extent", { expected: "integer ≥ 1", found: describeValue(d) });
      return null;
    }
  }
  // Checked from the declared extents, before anything of this size is allocated.
  if (!ctx.withinLimit(path, "the slot", shapeSize(shape as number[]), fmt(shape as number[]).replace(/, /g, " × "))) return null;
  return shape as number[];
}

function lintInit(ctx: LintContext, path: string, init: unknown, slot: SlotInfo): void {
  const f = ctx.findings;
  if (init === undefined) return;
  const n = slot.shape ? shapeSize(slot.shape) : null;
  if (typeof init === "string") {
    if (!INIT_WORDS.includes(init)) f.error("BAD_INIT", path, `unknown init "${init}"`, { expected: INIT_WORDS.join(" | ") + " | { data } | { adjoint: { op, data } } | array", found: JSON.stringify(init) });
    return;
  }
  if (init instanceof Float64Array || init instanceof Float32Array || Array.isArray(init)) {
    if (init instanceof Float64Array || init instanceof Float32Array) {
      const found: Dtype = init instanceof Float64Array ? "float64" : "float32";
      if (found !== ctx.dtype) f.error("DTYPE_MISMATCH", path, `dtype mismatch — the run is ${ctx.dtype}, the array is ${found}`, { expected: ctx.dtype, found });
    }
    if (n !== null && init.length !== n) f.error("SHAPE_MISMATCH", path, `the initial array has ${init.length} elements, the slot ${n}`, { expected: `${n} elements (${fmt(slot.shape!)})`, found: `${init.length}` });
    return;
  }
  if (isRecord(init)) {
    const d = read(init, "data");
    if (d !== undefined) {
      if (typeof d !== "string" || !ctx.data.has(d)) {
        f.error("UNKNOWN_DATA", `${path}.data`, `no data array ${describeValue(d)}`, { expected: `one of ${[...ctx.data.keys()].join(", ") || "(no data)"}`, found: describeValue(d) });
      } else if (n !== null && ctx.data.get(d) !== n) {
        f.error("SHAPE_MISMATCH", `${path}.data`, `data "${d}" has ${ctx.data.get(d)} elements, the slot ${n}`, { expected: `${n}`, found: `${ctx.data.get(d)}` });
      }
      return;
    }
    const adj = read(init, "adjoint");
    if (isRecord(adj)) {
      const op = read(adj, "op");
      const data = read(adj, "data");
      const knownOp = typeof op === "string" && ctx.ops.has(op);
      const knownData = typeof data === "string" && ctx.data.has(data);
      if (!knownOp) {
        f.error("UNKNOWN_OP_REF", `${path}.adjoint.op`, `no op ${describeValue(op)}`, { expected: `one of ${[...ctx.ops.keys()].join(", ") || "(no ops)"}`, found: describeValue(op) });
      }
      if (!knownData) {
        f.error("UNKNOWN_DATA", `${path}.adjoint.data`, `no data array ${describeValue(data)}`, { expected: `one of ${[...ctx.data.keys()].join(", ") || "(no data)"}`, found: describeValue(data) });
      }
      if (knownOp && knownData && slot.shape) {
        ctx.useOp({ path: `${path}.adjoint.op`, op: op as string, slot: { name: slot.name, shape: slot.shape }, target: { name: data as string, length: ctx.data.get(data as string)!, path: `${path}.adjoint.data` } });
      }
      return;
    }
  }
  f.error("BAD_INIT", path, "unrecognised init", { expected: '"zeros" | "ones" | "random" | { data } | { adjoint: { op, data } } | array', found: describeValue(init) });
}
