import type { AtomDef, ProxTerm } from "../atoms/atom.js";
import { splitsThroughOp } from "../atoms/dual-split.js";
import { composeProx } from "../atoms/index.js";
import { type RealArray, shapeSize, zeros } from "../dtype.js";
import { CflowError } from "../errors.js";
import type { RealBuf } from "../kernel/kernel.js";
import type { Op } from "../ops/op.js";
import type { Registry } from "../registry/registry.js";
import { withDefaults } from "../spec/params.js";
import type { FlowSpec, TermSpec } from "../spec/types.js";
import type { TransformOp } from "../transforms/transform.js";
import type { FlowData } from "./inputs.js";
import { type FlowScratch, coeffView, slotView } from "./layout.js";
import type { FlowResources } from "./resources.js";
import type { CompiledProxTerm, CompiledSmoothTerm, FlowEnergy, SlotLayout } from "./types.js";

/**
 * The energy's terms on the kernel: smooth terms in spec order, one (possibly fused) prox per
 * slot, and the terms h(Kx) a primal–dual flow splits through the conjugate prox of h.
 */
export interface EnergyTerms {
  smooth: CompiledSmoothTerm[];
  prox: CompiledProxTerm[];
  dual: CompiledProxTerm[];
}

/**
 * Instantiates every term of the spec on the kernel and splits the energy into f (smooth terms)
 * and g (one prox per slot: a single non-smooth term, or a supported composite of two fused into
 * one exact prox). A slot whose prox acts in W-space gets that term's transform — the lens's
 * winner when the spec named candidates — and its coefficient size. Non-smooth terms given an
 * op, and total variation in a flow of a primal–dual `family`, go to `dual` instead
 * (atoms/dual-split.ts).
 */
export function assembleTerms(spec: FlowSpec, registry: Registry, slots: SlotLayout[], data: FlowData, ops: Record<string, Op>, lens: string | null, family: string, resources: FlowResources): EnergyTerms {
  const { kernel, dtype } = resources;
  const slotByName = new Map(slots.map((s) => [s.name, s]));
  const smooth: CompiledSmoothTerm[] = [];
  const dual: CompiledProxTerm[] = [];
  const proxBySlot = new Map<string, { index: number; name: string; term: ProxTerm; transform: TransformOp | null }[]>();
  const transforms = new Map<string, TransformOp>();
  spec.terms.forEach((t: TermSpec, index) => {
    const path = `terms[${index}]`;
    const atom = resolveAtom(registry, t.atom, `${path}.atom`);
    const slot = t.slot ? slotByName.get(t.slot)! : slots[0];
    let transform: TransformOp | undefined;
    if (t.transform) {
      const ts = spec.transforms![t.transform];
      const tname = lens && atom.space === "W" ? lens : ts.name;
      const tkey = `${tname}:${ts.levels ?? ""}@${slot.name}`;
      transform = transforms.get(tkey);
      if (!transform) {
        transform = resources.own(registry.transforms.get(tname, `${path}.transform`).create({ shape: slot.shape, levels: ts.levels, dtype }));
        transforms.set(tkey, transform);
      }
    }
    const term = resources.own(
      atom.create({
        path,
        kernel,
        dtype,
        slotShape: slot.shape,
        op: t.op ? ops[t.op] : undefined,
        target: t.target ? data.bufs[t.target] : undefined,
        transform,
        weight: t.weight ?? 1,
        bandWeights: t.bandWeights,
        params: withDefaults(atom.params, t.params),
        data: data.bufs,
        cells: resources.cells,
      }),
    );
    const name = t.name ?? `${atom.name}#${index}`;
    if (term.kind === "smooth") smooth.push({ name, index, kind: t.kind, slot, term });
    else if (splitsThroughOp(term, family)) dual.push({ name, indices: [index], slot, term });
    else {
      const list = proxBySlot.get(slot.name) ?? [];
      list.push({ index, name, term, transform: term.space === "W" ? (transform ?? null) : null });
      proxBySlot.set(slot.name, list);
    }
  });
  const prox: CompiledProxTerm[] = [];
  for (const [slotName, list] of proxBySlot) {
    const slot = slotByName.get(slotName)!;
    const term = list.length === 1 ? list[0].term : resources.own(composeProx(list[0].term, list[1].term));
    const transform = list.find((l) => l.transform)?.transform ?? null;
    if (term.space === "W") {
      if (!transform) throw new CflowError("MISSING_TRANSFORM", `terms[${list[0].index}]: a W-space term needs a transform`, { path: `terms[${list[0].index}].transform` });
      slot.transform = transform;
      slot.coeffSize = transform.coeffSize;
    }
    prox.push({ name: list.map((l) => l.name).join("+"), indices: list.map((l) => l.index), slot, term });
  }
  return { smooth, prox, dual };
}

function resolveAtom(registry: Registry, atom: TermSpec["atom"] | AtomDef, path: string): AtomDef {
  if (typeof atom === "object" && atom !== null && typeof (atom as AtomDef).create === "function") return atom as AtomDef;
  return registry.atoms.get(atom as string, path);
}

/**
 * f, ∇f, g and prox_{t·g} on flat JS arrays — what certificates, tests and the unit table
 * evaluate; the runtime's plans call the same terms' kernels directly.
 */
export function energyFunctions(terms: EnergyTerms, n: number, coeffSize: number, scratch: FlowScratch, resources: FlowResources): FlowEnergy {
  const { smooth, prox, dual } = terms;
  const { dtype } = resources;
  // K x of each dual term given an op, for g(x)
  const dualImages = dual.map((d) => (d.term.op ? resources.alloc(shapeSize(d.term.op.outShape)) : null));
  const gProxBuf = (u: RealBuf, t: number) => {
    for (const p of prox) p.term.prox(coeffView(u, p.slot), t, coeffView(u, p.slot));
  };
  return {
    smooth,
    prox,
    dual,
    fValue(x: RealArray) {
      scratch.load(x, scratch.x, "fValue");
      let f = 0;
      for (const t of smooth) f += t.term.value(slotView(scratch.x, t.slot));
      return f;
    },
    fGrad(x: RealArray, out?: RealArray) {
      scratch.load(x, scratch.x, "fGrad");
      scratch.out.view.fill(0);
      for (const t of smooth) t.term.addGradient(slotView(scratch.x, t.slot), slotView(scratch.out, t.slot));
      const r = out ?? zeros(dtype, n);
      r.set(scratch.out.view);
      return r;
    },
    gValue(x: RealArray) {
      scratch.load(x, scratch.x, "gValue");
      let g = 0;
      for (const p of prox) {
        if (p.term.space === "W" && p.slot.transform) {
          p.slot.transform.forwardBuf(slotView(scratch.x, p.slot), coeffView(scratch.u, p.slot));
          g += p.term.value(coeffView(scratch.u, p.slot));
        } else g += p.term.value(slotView(scratch.x, p.slot));
      }
      dual.forEach((d, i) => {
        const kx = dualImages[i];
        if (d.term.op && kx) {
          d.term.op.applyBuf(slotView(scratch.x, d.slot), kx);
          g += d.term.value(kx);
        } else g += d.term.value(slotView(scratch.x, d.slot));
      });
      return g;
    },
    gProx(u: RealArray, t: number, out?: RealArray) {
      scratch.load(u, scratch.u, "gProx");
      gProxBuf(scratch.u, t);
      const r = out ?? zeros(dtype, coeffSize);
      r.set(scratch.u.view);
      return r;
    },
    gProxBuf,
  };
}
