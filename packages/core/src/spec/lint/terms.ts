import type { AtomDef } from "../../atoms/atom.js";
import { describeValue, shapeSize } from "../../dtype.js";
import { nearestName } from "../../registry/nearest.js";
import type { LintContext, SlotInfo } from "./context.js";
import { didYouMean } from "./findings.js";
import { checkParams } from "./params.js";
import { isRecord, ownKeys, read } from "./read.js";
import { lintTransformOnSlot } from "./transforms.js";
import { unknownNameHint } from "../../registry/registry.js";

const TERM_KEYS = ["name", "kind", "atom", "slot", "op", "target", "weight", "bandWeights", "units", "transform", "params"];

/** What the policy and composite checks need to know of each term. */
export interface TermInfo {
  index: number;
  slot: string | null;
  atom: AtomDef | null;
  /** Split by a primal–dual flow (a dual term h(Kx), or a smooth term taken as a gradient): not proxed on the slot. */
  split?: boolean;
}

/**
 * `terms`: each names an atom (registered, or an AtomDef object) and the slot, op, data and
 * transform it needs — all declared — with a valid weight, units shared by every term, and
 * parameters of the atom's schema.
 */
export function lintTerms(ctx: LintContext, terms: unknown): TermInfo[] {
  const f = ctx.findings;
  const out: TermInfo[] = [];
  if (!Array.isArray(terms)) {
    f.error(terms === undefined ? "MISSING" : "BAD_TYPE", "terms", "expected an array of terms", { expected: "[{ kind, atom, ... }]", found: describeValue(terms) });
    return out;
  }
  if (terms.length === 0) f.error("EMPTY_TERMS", "terms", "the energy needs at least one term", { expected: "at least one term", found: "[]" });
  let units: { value: string; index: number } | null = null;
  terms.forEach((t, i) => {
    const path = `terms[${i}]`;
    if (!isRecord(t)) {
      f.error("BAD_TYPE", path, "expected a term object", { expected: "{ kind, atom, ... }", found: describeValue(t) });
      return;
    }
    for (const k of ownKeys(t)) if (!TERM_KEYS.includes(k)) f.unknownKey(`${path}.${k}`, k, TERM_KEYS);
    const kind = read(t, "kind");
    if (kind !== "data" && kind !== "physics" && kind !== "regularizer") {
      f.error("BAD_KIND", `${path}.kind`, "unknown term kind", { expected: '"data" | "physics" | "regularizer"', found: describeValue(kind) });
    }
    const atom = resolveAtom(ctx, `${path}.atom`, read(t, "atom"));
    const slot = resolveSlot(ctx, `${path}.slot`, read(t, "slot"));
    const info: TermInfo = { index: i, slot: slot?.name ?? null, atom };
    out.push(info);
    lintWeight(ctx, `${path}.weight`, read(t, "weight"));
    const u = read(t, "units");
    if (u !== undefined) {
      if (typeof u !== "string") f.error("BAD_TYPE", `${path}.units`, "expected a unit string", { expected: 'e.g. "counts^2"', found: describeValue(u) });
      else if (units && units.value !== u) {
        f.error("UNITS_MISMATCH", `${path}.units`, `terms summed into one energy must share units: terms[${units.index}] is "${units.value}"`, {
          expected: JSON.stringify(units.value),
          found: JSON.stringify(u),
          hint: "rescale the term's weight so its energy is in the common unit, and declare that unit",
        });
      } else units ??= { value: u, index: i };
    }
    if (atom && lintTermRefs(ctx, path, t, atom, slot)) info.split = true;
  });
  return out;
}

/**
 * The op, target, transform, band weights and parameters of one term whose atom is known. True
 * when a primal–dual flow splits the term (see TermInfo.split).
 */
function lintTermRefs(ctx: LintContext, path: string, t: Record<string, unknown>, atom: AtomDef, slot: SlotInfo | null): boolean {
  const f = ctx.findings;
  const opName = read(t, "op");
  const target = read(t, "target");
  const op = lintRef(ctx, `${path}.op`, "op", atom.op, opName, ctx.ops, atom.name);
  let split = atom.splitting === "gradient" && ctx.primalDual;
  if (atom.splitting === "dual" && op) {
    split = true;
    if (!ctx.primalDual) {
      const name = read(t, "name");
      f.error("NEEDS_PRIMAL_DUAL", `${path}.op`, `term ${typeof name === "string" ? `"${name}" ` : ""}(${atom.name} of op "${String(opName)}") is non-smooth through its op: forward–backward flows cannot take it`, {
        expected: `policies.flow.family "primalDual", a smooth data term (e.g. leastSquares), or ${atom.name} without an op (on the slot itself)`,
        found: `${atom.name}(${String(opName)} x)`,
      });
    }
  }
  const data = lintRef(ctx, `${path}.target`, "target", atom.target, target, ctx.data, atom.name);
  const tr = lintRef(ctx, `${path}.transform`, "transform", atom.transform, read(t, "transform"), ctx.transforms, atom.name);
  if (slot?.shape) {
    const targetUse = data !== null ? { name: target as string, length: data, path: `${path}.target` } : undefined;
    if (op) ctx.useOp({ path: `${path}.op`, op: opName as string, slot: { name: slot.name, shape: slot.shape }, target: targetUse });
    else if (targetUse && opName === undefined && targetUse.length !== shapeSize(slot.shape)) {
      f.error("SHAPE_MISMATCH", targetUse.path, `data "${targetUse.name}" has ${targetUse.length} elements, slot "${slot.name}" has ${shapeSize(slot.shape)}`, {
        expected: `${shapeSize(slot.shape)} elements`,
        found: `${targetUse.length}`,
      });
    }
    if (tr) lintTransformOnSlot(ctx, `${path}.transform`, tr, slot);
  }
  const bw = read(t, "bandWeights");
  if (bw !== undefined) {
    if (!atom.bandWeights) f.error("UNEXPECTED", `${path}.bandWeights`, `atom "${atom.name}" has no per-band weights`, { expected: "no bandWeights", found: describeValue(bw) });
    else if (!Array.isArray(bw) || !bw.every((w) => typeof w === "number" && Number.isFinite(w) && w >= 0)) {
      f.error("BAD_WEIGHT", `${path}.bandWeights`, "expected non-negative finite band weights", { expected: "number[] ≥ 0", found: describeValue(bw) });
    } else if (tr && tr.levels !== undefined && bw.length !== tr.levels) {
      f.error("SHAPE_MISMATCH", `${path}.bandWeights`, `one weight per detail level expected (coarsest first)`, { expected: `${tr.levels} weights`, found: `${bw.length}` });
    }
  }
  const params = read(t, "params");
  if (params !== undefined && !isRecord(params)) f.error("BAD_TYPE", `${path}.params`, "expected an object", { expected: "{ param: value }", found: describeValue(params) });
  else {
    const p: Record<string, unknown> = {};
    if (params) for (const k of ownKeys(params)) p[k] = read(params, k);
    if (checkParams(ctx, `${path}.params`, atom.params, p) && atom.checkParams) {
      const problem = atom.checkParams(p);
      if (problem) f.error("BAD_PARAM", `${path}.params.${problem.param}`, problem.message, { expected: problem.expected, found: describeValue(problem.found) });
    }
  }
  return split;
}

function resolveAtom(ctx: LintContext, path: string, atom: unknown): AtomDef | null {
  if (isRecord(atom) && typeof read(atom, "create") === "function" && typeof read(atom, "name") === "string") return atom as unknown as AtomDef;
  const { atoms } = ctx.registry;
  if (typeof atom !== "string" || !atoms.has(atom)) {
    ctx.findings.error("UNKNOWN_ATOM", path, `unknown atom ${describeValue(atom)}`, {
      expected: `one of ${atoms.names().join(", ")}`,
      found: describeValue(atom),
      hint: unknownNameHint(atom, atoms.names()),
      ...(typeof atom === "string" ? { unknown: { namespace: "atoms" as const, name: atom } } : {}),
    });
    return null;
  }
  return atoms.get(atom);
}

function resolveSlot(ctx: LintContext, path: string, slot: unknown): SlotInfo | null {
  const { slots } = ctx;
  if (slot === undefined) {
    if (slots.size === 1) return [...slots.values()][0];
    if (slots.size > 1) ctx.findings.error("MISSING_SLOT", path, "the spec has several slots; say which one the term acts on", { expected: [...slots.keys()].join(" | "), found: "undefined" });
    return null;
  }
  if (typeof slot !== "string" || !slots.has(slot)) {
    ctx.findings.error("UNKNOWN_SLOT", path, `no state slot ${describeValue(slot)}`, {
      expected: [...slots.keys()].join(" | ") || "(no slots)",
      found: describeValue(slot),
      hint: typeof slot === "string" ? didYouMean(nearestName(slot, slots.keys())) : undefined,
    });
    return null;
  }
  return slots.get(slot)!;
}

/** A term's reference to a declared op, data array or transform, as the atom needs it (required, optional, none). */
function lintRef<T>(ctx: LintContext, path: string, what: "op" | "target" | "transform", need: "required" | "optional" | "none", value: unknown, table: Map<string, T>, atom: string): T | null {
  const f = ctx.findings;
  const label = what === "target" ? "data" : what;
  if (value === undefined) {
    if (need === "required") {
      f.error(what === "target" ? "MISSING_DATA" : what === "op" ? "MISSING_OP" : "MISSING_TRANSFORM", path, `atom "${atom}" needs ${what === "op" ? "an op" : `a ${what}`}`, {
        expected: `one of ${[...table.keys()].join(", ") || `(declare ${label} first)`}`,
        found: "undefined",
      });
    }
    return null;
  }
  if (need === "none") {
    f.error("UNEXPECTED", path, `atom "${atom}" takes no ${what}`, { expected: "undefined", found: describeValue(value) });
    return null;
  }
  if (typeof value !== "string" || !table.has(value)) {
    f.error(what === "target" ? "MISSING_DATA" : what === "op" ? "UNKNOWN_OP_REF" : "UNKNOWN_TRANSFORM_REF", path, `no ${label} ${describeValue(value)} declared`, {
      expected: `one of ${[...table.keys()].join(", ") || `(no ${label} declared)`}`,
      found: describeValue(value),
      hint: typeof value === "string" ? didYouMean(nearestName(value, table.keys())) : undefined,
    });
    return null;
  }
  return table.get(value) ?? null;
}

function lintWeight(ctx: LintContext, path: string, w: unknown): void {
  if (w === undefined) return;
  if (typeof w !== "number" || !Number.isFinite(w) || w < 0) {
    ctx.findings.error("BAD_WEIGHT", path, "a weight must be a finite number ≥ 0", { expected: "finite number ≥ 0", found: describeValue(w) });
  }
}
