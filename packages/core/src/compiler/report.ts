import type { Dtype, RealArray } from "../dtype.js";
import type { Json } from "../ports/events.js";
import type { FlowSpec } from "../spec/types.js";
import type { TransformOp } from "../transforms/transform.js";
import type { EnergyTerms } from "./energy.js";
import type { FlowResources } from "./resources.js";
import type { CompileReport, FlowLipschitz, SlotLayout, TermEnergy, TransformValidationRow } from "./types.js";

/**
 * The unit-normalisation table: each term's energy at the initial state and its share of the
 * total, so a term that dwarfs the others (a unit or weight mistake) shows before a run.
 */
export function unitTable(spec: FlowSpec, terms: EnergyTerms, n: number, x0: RealArray, resources: FlowResources): TermEnergy[] {
  const rows: TermEnergy[] = [];
  const xb = resources.alloc(n);
  xb.view.set(x0);
  for (const t of terms.smooth) {
    const s = spec.terms[t.index];
    rows.push({ name: t.name, index: t.index, atom: t.term.atom, kind: t.kind, slot: t.slot.name, units: s.units ?? null, weight: s.weight ?? 1, energy: t.term.value(xb.sub(t.slot.offset, t.slot.size)), share: 0 });
  }
  for (const p of terms.prox) {
    const s = spec.terms[p.indices[0]];
    let e: number;
    if (p.term.space === "W" && p.slot.transform) {
      const u = p.slot.transform.forward(x0.subarray(p.slot.offset, p.slot.offset + p.slot.size));
      const ub = resources.alloc(u.length);
      ub.view.set(u);
      e = p.term.value(ub);
    } else e = p.term.value(xb.sub(p.slot.offset, p.slot.size));
    rows.push({ name: p.name, index: p.indices[0], atom: p.term.atom, kind: s.kind, slot: p.slot.name, units: s.units ?? null, weight: s.weight ?? 1, energy: e, share: 0 });
  }
  const total = rows.reduce((sum, r) => sum + Math.abs(r.energy), 0);
  for (const r of rows) r.share = total > 0 ? Math.abs(r.energy) / total : 0;
  return rows;
}

/** What `compileFlow` reports next to the compiled flow (and the manifest records). */
export function compileReport(a: {
  spec: FlowSpec;
  dtype: Dtype;
  slots: readonly SlotLayout[];
  terms: EnergyTerms;
  W: TransformOp | null;
  lens: string | null;
  lipschitz: FlowLipschitz;
  /** The flow family's initial step size on the Lipschitz constant (`FlowFamily.stepSize`). */
  alpha: number;
  flowFamily: string;
  unitNormalizationTable: TermEnergy[];
  transformValidation: TransformValidationRow[];
  warnings: string[];
}): CompileReport {
  const { spec, slots, terms, W, lipschitz } = a;
  return {
    specName: spec.name ?? "(unnamed)",
    dtype: a.dtype,
    lensName: a.lens ?? slots.find((s) => s.transform)?.transform?.name ?? null,
    frameType: W ? W.frame : null,
    c: W ? W.c : null,
    unitNormalizationTable: a.unitNormalizationTable,
    invariantsPresent: (spec.invariants ?? []).map((i) => i.name),
    split: { f: terms.smooth.map((s) => s.name), g: terms.prox.map((p) => p.name) },
    transformValidation: a.transformValidation,
    lipschitz: lipschitz.lipschitz,
    lipschitzMethod: lipschitz.lipschitzMethod,
    alpha: a.alpha,
    flowFamily: a.flowFamily,
    warnings: a.warnings,
  };
}

/** A JSON summary of the layout and the energy's split, for manifests. */
export function describeLayout(dtype: Dtype, n: number, coeffSize: number, slots: readonly SlotLayout[], terms: EnergyTerms): Json {
  return {
    n,
    coeffSize,
    dtype,
    slots: slots.map((s) => ({ name: s.name, shape: [...s.shape], offset: s.offset, manifold: s.manifoldName, transform: s.transform?.name ?? null })),
    smooth: terms.smooth.map((t) => ({ name: t.name, atom: t.term.atom, slot: t.slot.name })),
    prox: terms.prox.map((p) => ({ name: p.name, atom: p.term.atom, slot: p.slot.name, space: p.term.space })),
    ...(terms.dual.length ? { dual: terms.dual.map((p) => ({ name: p.name, atom: p.term.atom, slot: p.slot.name, op: p.term.op?.kind ?? "gradient" })) } : {}),
  };
}
