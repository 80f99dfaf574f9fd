import type { AtomDef, ProxTerm, Term } from "../atoms/atom.js";
import { composeProx } from "../atoms/index.js";
import { type Dtype, type RealArray, describeValue, shapeSize, zeros } from "../dtype.js";
import { CflowError, DtypeError } from "../errors.js";
import { Kernel, type RealBuf } from "../kernel/kernel.js";
import { CellBank } from "../kernel/plan.js";
import { asPlanOp } from "../ops/js-op.js";
import { estimateOpNorm } from "../ops/norm.js";
import { type Op, isOp } from "../ops/op.js";
import { type LinearStructure, addStructures, blockDiagonalStructure, scaledIdentity } from "../ops/structure.js";
import type { Json } from "../ports/events.js";
import type { Manifold } from "../ports/manifold.js";
import { defaultRegistry } from "../registry/default.js";
import type { Registry } from "../registry/registry.js";
import { foldIn, normal, rngKey } from "../rng.js";
import { type FlowDefinition, resolveFlow } from "../spec/define.js";
import { lintSpec } from "../spec/lint.js";
import { withDefaults } from "../spec/params.js";
import { resolvePolicies } from "../spec/policies.js";
import type { AnyFlowSpec, FlowContext, FlowSpec, OpRef, SlotSpec, TermSpec } from "../spec/types.js";
import type { FlowFamilyPolicy } from "../runtime/families.js";
import { BlockTransform } from "../transforms/block.js";
import { type LensResult, lensProbe } from "../transforms/lens.js";
import type { TransformOp } from "../transforms/transform.js";
import { validateTransform } from "../transforms/validate.js";
import { SpecLintError } from "./lint-error.js";
import type { CompileReport, CompiledFlow, CompiledProxTerm, CompiledSmoothTerm, SlotLayout, TermEnergy, TransformValidationRow } from "./types.js";

export interface CompileOptions {
  /** Where atoms, ops, transforms, manifolds and policies are resolved (default: core's built-ins). */
  registry?: Registry;
  /** The run's dtype, for specs written as factories (a spec that fixes its dtype must agree). */
  dtype?: Dtype;
  seed?: number;
  /** Free-form parameters passed to spec factories (e.g. `size`). */
  params?: FlowContext["params"];
  /** Overrides `policies.flow.family`. */
  family?: string;
}

/**
 * Compiles a spec into a flow: lints it (RED findings refuse, with the findings), builds data,
 * ops, transforms and terms on the kernel in the run's dtype, lays out the state, validates the
 * transforms, computes the Lipschitz constant L of ∇f (analytic hints or power iteration) and the unit-normalisation table.
 * Nothing in here names a built-in: atoms, ops, transforms and manifolds come from the registry.
 */
export function compileFlow(def: FlowDefinition | AnyFlowSpec, options: CompileOptions = {}): { compiled: CompiledFlow; report: CompileReport } {
  const registry = options.registry ?? defaultRegistry();
  const spec = resolveFlow(def, { dtype: options.dtype, seed: options.seed, params: options.params });
  const lint = lintSpec(spec, { registry });
  if (!lint.ok) throw new SpecLintError(lint.findings);
  if (options.dtype && spec.dtype && options.dtype !== spec.dtype) {
    throw new DtypeError("compileFlow", spec.dtype, options.dtype, "the spec fixes its dtype; write it as defineFlow(({ dtype }) => ...) to run it in either dtype");
  }
  const builder = new FlowBuilder(spec, registry, options);
  try {
    return builder.build(lint.findings.filter((f) => f.severity === "warning").map((f) => f.message));
  } catch (err) {
    builder.disposeAll();
    throw err;
  }
}

const EUCLIDEAN = "euclidean";

class FlowBuilder {
  readonly dtype: Dtype;
  readonly seed: number;
  readonly kernel: Kernel;
  readonly cells: CellBank;
  private readonly dataArrays: Record<string, RealArray> = {};
  private readonly dataBufs: Record<string, RealBuf> = {};
  private readonly ops: Record<string, Op> = {};
  /** Ops and transforms the flow created (user-given Op instances stay the user's). */
  private readonly disposables: { dispose(): void }[] = [];
  private readonly terms: Term[] = [];
  private readonly buffers: RealBuf[] = [];

  constructor(
    private readonly spec: FlowSpec,
    private readonly registry: Registry,
    private readonly options: CompileOptions,
  ) {
    this.dtype = spec.dtype ?? options.dtype ?? "float64";
    this.seed = spec.seed ?? options.seed ?? 0;
    this.kernel = Kernel.get(this.dtype);
    this.cells = new CellBank(this.kernel);
  }

  disposeAll(): void {
    for (const t of this.terms) t.dispose();
    for (const d of this.disposables) d.dispose();
    for (const b of this.buffers) if (!b.isFreed) b.free();
    for (const b of Object.values(this.dataBufs)) if (!b.isFreed) b.free();
    this.cells.dispose();
  }

  private alloc(n: number): RealBuf {
    const b = this.kernel.alloc(n);
    this.buffers.push(b);
    return b;
  }

  build(warnings: string[]): { compiled: CompiledFlow; report: CompileReport } {
    const { spec, dtype, kernel } = this;
    const key = rngKey(this.seed);
    const policies = resolvePolicies(spec.policies);
    if (this.options.family) policies.flow = { ...policies.flow, family: this.options.family };

    // data and ops
    for (const [name, v] of Object.entries(spec.data ?? {})) {
      const arr = v instanceof Float64Array || v instanceof Float32Array ? v : dtype === "float64" ? Float64Array.from(v) : Float32Array.from(v);
      this.dataArrays[name] = arr;
      this.dataBufs[name] = kernel.from(arr, `data.${name}`);
    }
    for (const [name, v] of Object.entries(spec.ops ?? {})) this.ops[name] = this.createOp(`ops.${name}`, v);

    // state layout
    const slots: SlotLayout[] = [];
    let offset = 0;
    for (const [name, s] of Object.entries(spec.state) as [string, SlotSpec][]) {
      const size = shapeSize(s.shape);
      let manifold: Manifold | null = null;
      if (s.manifold && s.manifold !== EUCLIDEAN) manifold = this.registry.manifolds.get(s.manifold, `state.${name}.manifold`).create({ shape: s.shape, dtype });
      slots.push({ name, shape: [...s.shape], size, offset, manifold, manifoldName: s.manifold ?? EUCLIDEAN, conjugateOf: s.conjugateOf ?? null, transform: null, coeffOffset: 0, coeffSize: size });
      offset += size;
    }
    const n = offset;
    const slotByName = new Map(slots.map((s) => [s.name, s]));
    const x0 = this.initialState(slots, key);

    // lens: choose the transform of W-space terms among candidates
    const lensResult = this.chooseLens(policies.lens.candidates, policies.lens.keepFraction, slots, x0);
    const lens = lensResult?.winner ?? null;

    // terms
    const smooth: CompiledSmoothTerm[] = [];
    const proxBySlot = new Map<string, { index: number; name: string; term: ProxTerm; transform: TransformOp | null }[]>();
    const transforms = new Map<string, TransformOp>();
    spec.terms.forEach((t: TermSpec, index) => {
      const path = `terms[${index}]`;
      const atom = this.resolveAtom(t.atom, `${path}.atom`);
      const slot = t.slot ? slotByName.get(t.slot)! : slots[0];
      let transform: TransformOp | undefined;
      if (t.transform) {
        const ts = spec.transforms![t.transform];
        const tname = lens && atom.space === "W" ? lens : ts.name;
        const tkey = `${tname}:${ts.levels ?? ""}@${slot.name}`;
        transform = transforms.get(tkey);
        if (!transform) {
          transform = this.registry.transforms.get(tname, `${path}.transform`).create({ shape: slot.shape, levels: ts.levels, dtype });
          this.disposables.push(transform);
          transforms.set(tkey, transform);
        }
      }
      const term = atom.create({
        path,
        kernel,
        dtype,
        slotShape: slot.shape,
        op: t.op ? this.ops[t.op] : undefined,
        target: t.target ? this.dataBufs[t.target] : undefined,
        transform,
        weight: t.weight ?? 1,
        bandWeights: t.bandWeights,
        params: withDefaults(atom.params, t.params),
        data: this.dataBufs,
        cells: this.cells,
      });
      this.terms.push(term);
      const name = t.name ?? `${atom.name}#${index}`;
      if (term.kind === "smooth") smooth.push({ name, index, kind: t.kind, slot, term });
      else {
        const list = proxBySlot.get(slot.name) ?? [];
        list.push({ index, name, term, transform: term.space === "W" ? transform ?? null : null });
        proxBySlot.set(slot.name, list);
      }
    });
    const prox: CompiledProxTerm[] = [];
    for (const [slotName, list] of proxBySlot) {
      const slot = slotByName.get(slotName)!;
      const term = list.length === 1 ? list[0].term : composeProx(list[0].term, list[1].term);
      if (list.length > 1) this.terms.push(term);
      const transform = list.find((l) => l.transform)?.transform ?? null;
      if (term.space === "W") {
        if (!transform) throw new CflowError("MISSING_TRANSFORM", `terms[${list[0].index}]: a W-space term needs a transform`, { path: `terms[${list[0].index}].transform` });
        slot.transform = transform;
        slot.coeffSize = transform.coeffSize;
      }
      prox.push({ name: list.map((l) => l.name).join("+"), indices: list.map((l) => l.index), slot, term });
    }
    let coeffOffset = 0;
    for (const s of slots) {
      s.coeffOffset = coeffOffset;
      coeffOffset += s.coeffSize;
    }
    const coeffSize = coeffOffset;
    const W = this.flowTransform(slots, n);

    // transform validation (DESIGN §2): before any run, on random probes from the run's key
    const transformValidation: TransformValidationRow[] = [];
    for (const s of slots) {
      if (!s.transform) continue;
      const vkey = foldIn(key, 0x7a11d + s.offset);
      const v = validateTransform(s.transform, { key: vkey, probes: 3 });
      transformValidation.push({ slot: s.name, name: s.transform.name, frame: s.transform.frame, c: s.transform.c, pass: v.pass, reconstructionError: v.reconstructionError, energyError: v.energyError ?? null, probes: 3, key: vkey });
      if (!v.pass) {
        throw new CflowError("TRANSFORM_INVALID", `transform ${s.transform.name} on slot "${s.name}" failed validation: reconstruction error ${v.reconstructionError.toExponential(2)}${v.energyError != null ? `, energy error ${v.energyError.toExponential(2)}` : ""}`, {
          path: `state.${s.name}`,
          expected: "‖W⁻¹Wx − x‖/‖x‖ < 1e-6 (tight frames: energy error < 1e-3)",
          found: v.reconstructionError,
        });
      }
    }

    const compiled = this.assemble({ key, policies, slots, n, coeffSize, smooth, prox, W, x0, lens: lensResult });
    const { lipschitz, method } = this.lipschitz(smooth, key);
    Object.assign(compiled, { lipschitz, lipschitzMethod: method });
    const family = (this.registry.policies.get(policies.flow.family, "policies.flow.family") as FlowFamilyPolicy).family;
    const alpha = family.stepSize({ lipschitz, policy: policies.flow });

    const report: CompileReport = {
      specName: spec.name ?? "(unnamed)",
      dtype,
      lensName: lens ?? (slots.find((s) => s.transform)?.transform?.name ?? null),
      frameType: W ? W.frame : null,
      c: W ? W.c : null,
      unitNormalizationTable: this.unitTable(compiled, x0),
      invariantsPresent: (spec.invariants ?? []).map((i) => i.name),
      split: { f: smooth.map((s) => s.name), g: prox.map((p) => p.name) },
      transformValidation,
      lipschitz,
      lipschitzMethod: method,
      alpha,
      flowFamily: policies.flow.family,
      warnings,
    };
    return { compiled, report };
  }

  private resolveAtom(atom: TermSpec["atom"] | AtomDef, path: string): AtomDef {
    if (typeof atom === "object" && atom !== null && typeof (atom as AtomDef).create === "function") return atom as AtomDef;
    return this.registry.atoms.get(atom as string, path);
  }

  private createOp(path: string, v: unknown): Op {
    let op: Op;
    if (isOp(v)) op = asPlanOp(v);
    else if (typeof v === "function") {
      op = asPlanOp((v as (ctx: { dtype: Dtype }) => Op)({ dtype: this.dtype }));
      this.disposables.push(op);
    } else {
      const ref = v as OpRef;
      const factory = this.registry.ops.get(ref.type, `${path}.type`);
      const params: Record<string, unknown> = {};
      for (const [k, val] of Object.entries(ref)) if (k !== "type") params[k] = val;
      op = factory.create(withDefaults(factory.params, params), { dtype: this.dtype, data: this.dataArrays, path });
      this.disposables.push(op);
    }
    if (op.dtype !== this.dtype) throw new DtypeError(path, this.dtype, op.dtype);
    return op;
  }

  private initialState(slots: SlotLayout[], key: readonly [number, number]): RealArray {
    const n = slots.reduce((s, x) => s + x.size, 0);
    const x0 = zeros(this.dtype, n);
    for (const s of slots) {
      const init = this.spec.state[s.name].init;
      const path = `state.${s.name}.init`;
      const view = x0.subarray(s.offset, s.offset + s.size);
      const skey = foldIn(key, 0x1417 + s.offset);
      if (init === undefined || init === "zeros") {
        if (s.manifold) view.set(s.manifold.random(skey));
      } else if (init === "ones") view.fill(1);
      else if (init === "random") view.set(s.manifold ? s.manifold.random(skey) : normal(skey, s.size, this.dtype));
      else if (Array.isArray(init) || init instanceof Float64Array || init instanceof Float32Array) view.set(init as ArrayLike<number>);
      else if ("data" in init) view.set(this.dataArrays[init.data]);
      else if ("adjoint" in init) {
        const op = this.ops[init.adjoint.op];
        view.set(op.adjoint(this.dataArrays[init.adjoint.data]));
      } else throw new CflowError("BAD_INIT", `${path}: unrecognised init ${describeValue(init)}`, { path });
      if (s.manifold && init !== undefined && init !== "zeros" && init !== "random") view.set(s.manifold.project(view));
    }
    return x0;
  }

  private chooseLens(candidates: readonly string[], keepFraction: number, slots: SlotLayout[], x0: RealArray): LensResult | null {
    if (candidates.length === 0) return null;
    // the sample the lens looks at: the first data array of the first W-space slot's shape, else the initial state
    const slot = slots[0];
    const sample = Object.values(this.dataArrays).find((a) => a.length === slot.size) ?? x0.subarray(slot.offset, slot.offset + slot.size);
    const levels = Object.values(this.spec.transforms ?? {})[0]?.levels;
    const made = candidates.map((name) => this.registry.transforms.get(name, "policies.lens.candidates").create({ shape: slot.shape, levels, dtype: this.dtype }));
    try {
      return lensProbe(made, sample, { keepFraction });
    } finally {
      for (const t of made) t.dispose();
    }
  }

  private flowTransform(slots: SlotLayout[], n: number): TransformOp | null {
    if (!slots.some((s) => s.transform)) return null;
    if (slots.length === 1) return slots[0].transform;
    const W = new BlockTransform(
      this.dtype,
      n,
      slots.map((s) => ({ offset: s.offset, size: s.size, coeffOffset: s.coeffOffset, transform: s.transform })),
    );
    this.disposables.push(W);
    return W;
  }

  private lipschitz(smooth: CompiledSmoothTerm[], key: readonly [number, number]): { lipschitz: number; method: "analytic" | "power-iteration" | "none" } {
    if (smooth.length === 0) return { lipschitz: 0, method: "none" };
    let estimated = false;
    const norms = new Map<Op, number>();
    const perSlot = new Map<string, number>();
    for (const t of smooth) {
      const { scale, normOp, power = 2 } = t.term.lipschitz;
      let L = scale;
      if (normOp) {
        let nrm = norms.get(normOp);
        if (nrm === undefined) {
          if (normOp.normHint !== undefined) nrm = normOp.normHint;
          else {
            // power iteration underestimates ‖A‖ slightly; the line search catches what is left
            nrm = estimateOpNorm(normOp, { key: foldIn(key, 0xb37a), maxIters: 200, tol: 1e-6 }).norm * 1.01;
            estimated = true;
          }
          norms.set(normOp, nrm);
        }
        L = scale * nrm ** power;
      }
      perSlot.set(t.slot.name, (perSlot.get(t.slot.name) ?? 0) + L);
    }
    return { lipschitz: Math.max(...perSlot.values()), method: estimated ? "power-iteration" : "analytic" };
  }

  private assemble(a: {
    key: readonly [number, number];
    policies: ReturnType<typeof resolvePolicies>;
    slots: SlotLayout[];
    n: number;
    coeffSize: number;
    smooth: CompiledSmoothTerm[];
    prox: CompiledProxTerm[];
    W: TransformOp | null;
    x0: RealArray;
    lens: LensResult | null;
  }): CompiledFlow {
    const { kernel, dtype } = this;
    const { slots, n, coeffSize, smooth, prox, W, x0 } = a;
    const xb = this.alloc(n);
    const vb = this.alloc(n);
    const ob = this.alloc(n);
    const ub = this.alloc(coeffSize);
    const sub = (b: RealBuf, s: SlotLayout) => b.sub(s.offset, s.size);
    const csub = (b: RealBuf, s: SlotLayout) => b.sub(s.coeffOffset, s.coeffSize);
    const load = (x: RealArray, b: RealBuf, len: number, what: string) => {
      if (x.length !== len) throw new CflowError("SHAPE_MISMATCH", `${what}: expected a flat vector of ${len} elements, found ${x.length}`, { path: what, expected: len, found: x.length });
      if ((x instanceof Float64Array ? "float64" : "float32") !== dtype) throw new DtypeError(what, dtype, x instanceof Float64Array ? "float64" : "float32");
      b.view.set(x);
    };
    const builder = this;
    const fValue = (x: RealArray) => {
      load(x, xb, n, "fValue");
      let f = 0;
      for (const t of smooth) f += t.term.value(sub(xb, t.slot));
      return f;
    };
    const fGrad = (x: RealArray, out?: RealArray) => {
      load(x, xb, n, "fGrad");
      ob.view.fill(0);
      for (const t of smooth) t.term.addGradient(sub(xb, t.slot), sub(ob, t.slot));
      const r = out ?? zeros(dtype, n);
      r.set(ob.view);
      return r;
    };
    const gValue = (x: RealArray) => {
      load(x, xb, n, "gValue");
      let g = 0;
      for (const p of prox) {
        if (p.term.space === "W" && p.slot.transform) {
          p.slot.transform.forwardBuf(sub(xb, p.slot), csub(ub, p.slot));
          g += p.term.value(csub(ub, p.slot));
        } else g += p.term.value(sub(xb, p.slot));
      }
      return g;
    };
    const gProx = (u: RealArray, t: number, out?: RealArray) => {
      load(u, ub, coeffSize, "gProx");
      for (const p of prox) p.term.prox(csub(ub, p.slot), t, csub(ub, p.slot));
      const r = out ?? zeros(dtype, coeffSize);
      r.set(ub.view);
      return r;
    };
    const hessianAt = (at: RealArray, v: RealArray, out: RealArray) => {
      load(at, xb, n, "L_apply (point)");
      load(v, vb, n, "L_apply");
      ob.view.fill(0);
      for (const t of smooth) t.term.addHessian(sub(xb, t.slot), sub(vb, t.slot), sub(ob, t.slot));
      out.set(ob.view);
    };
    const L_apply = (v: RealArray, out: RealArray, at: RealArray = x0) => {
      if (!slots.some((s) => s.manifold)) return hessianAt(at, v, out);
      // manifold slots: the Riemannian Hessian in tangent coordinates, by a central difference of
      // the Riemannian gradient along the retraction (exact to O(ε²)), projected back to T_x
      hessianAt(at, v, out);
      for (const s of slots) {
        if (!s.manifold) continue;
        const M = s.manifold;
        const x = at.subarray(s.offset, s.offset + s.size);
        const vs = M.projTangent(x, v.subarray(s.offset, s.offset + s.size));
        const nv = Math.hypot(...vs) || 1;
        const eps = (dtype === "float64" ? 1e-5 : 3e-2) / nv;
        const step = (sign: number) => {
          const xe = M.retract(x, vs.map((e) => sign * eps * e) as RealArray);
          const full = at.slice();
          full.set(xe, s.offset);
          const ge = fGrad(full).subarray(s.offset, s.offset + s.size);
          return M.projTangent(x, M.egradToRgrad(xe, ge));
        };
        const gp = step(1);
        const gm = step(-1);
        const hs = out.subarray(s.offset, s.offset + s.size);
        for (let i = 0; i < s.size; i++) hs[i] = (gp[i] - gm[i]) / (2 * eps);
      }
    };
    const hessianStructure = (): LinearStructure | null => {
      if (slots.some((s) => s.manifold)) return null;
      const blocks: LinearStructure[] = [];
      for (const s of slots) {
        let sum: LinearStructure | null = null;
        for (const t of smooth) {
          if (t.slot.name !== s.name) continue;
          const h = t.term.quadratic ? (t.term.hessianStructure?.() ?? null) : null;
          sum = h && sum ? addStructures(sum, h) : h;
          if (!sum) return null;
        }
        blocks.push(sum ?? scaledIdentity(s.size, 0));
      }
      return blocks.length === 1 ? blocks[0] : blockDiagonalStructure(blocks);
    };
    const tangentOperator = (at: RealArray) => {
      if (!slots.some((s) => s.manifold)) return null;
      for (const s of slots) {
        if (s.manifold && (!s.manifold.toAlgebra || !s.manifold.fromAlgebra)) {
          throw new CflowError("NO_TANGENT_BASIS", `state.${s.name}: manifold ${s.manifoldName} has no toAlgebra/fromAlgebra, so its certificates cannot be taken in tangent coordinates`, {
            path: `state.${s.name}.manifold`,
            expected: "a manifold adapter with toAlgebra and fromAlgebra",
            found: s.manifoldName,
          });
        }
      }
      const dims = slots.map((s) => (s.manifold ? s.manifold.dim : s.size));
      const total = dims.reduce((a, b) => a + b, 0);
      const ambient = zeros(dtype, n);
      const image = zeros(dtype, n);
      return {
        n: total,
        apply(c: RealArray, out: RealArray) {
          let o = 0;
          slots.forEach((s, i) => {
            const cs = c.subarray(o, o + dims[i]);
            const x = at.subarray(s.offset, s.offset + s.size);
            if (s.manifold) ambient.set(s.manifold.fromAlgebra!(x, cs), s.offset);
            else ambient.set(cs, s.offset);
            o += dims[i];
          });
          L_apply(ambient, image, at);
          o = 0;
          slots.forEach((s, i) => {
            const img = image.subarray(s.offset, s.offset + s.size);
            const x = at.subarray(s.offset, s.offset + s.size);
            out.set(s.manifold ? s.manifold.toAlgebra!(x, img) : img, o);
            o += dims[i];
          });
        },
      };
    };
    const unflatten = (x: RealArray) => {
      const o: Record<string, RealArray> = {};
      for (const s of slots) o[s.name] = x.subarray(s.offset, s.offset + s.size);
      return o;
    };
    const flatten = (state: Record<string, RealArray>) => {
      const x = zeros(dtype, n);
      for (const s of slots) {
        const v = state[s.name];
        if (!v) throw new CflowError("MISSING_SLOT", `state: slot "${s.name}" missing`, { path: `state.${s.name}`, expected: `${s.size} elements`, found: "undefined" });
        if (v.length !== s.size) throw new CflowError("SHAPE_MISMATCH", `state.${s.name}: expected ${s.size} elements, found ${v.length}`, { path: `state.${s.name}`, expected: s.size, found: v.length });
        x.set(v, s.offset);
      }
      return x;
    };
    return {
      spec: this.spec,
      dtype,
      kernel,
      seed: this.seed,
      key: a.key,
      n,
      slots,
      coeffSize,
      smooth,
      prox,
      W,
      lens: a.lens,
      lipschitz: 0,
      lipschitzMethod: "none",
      registry: this.registry,
      policies: a.policies,
      invariants: this.spec.invariants ?? [],
      x0,
      data: this.dataBufs,
      ops: this.ops,
      cells: this.cells,
      fValue,
      fGrad,
      gValue,
      gProx,
      L_apply,
      hessianStructure,
      tangentOperator,
      unflatten,
      flatten,
      dispose: () => builder.disposeAll(),
      describe: (): Json => ({
        n,
        coeffSize,
        dtype,
        slots: slots.map((s) => ({ name: s.name, shape: [...s.shape], offset: s.offset, manifold: s.manifoldName, transform: s.transform?.name ?? null })),
        smooth: smooth.map((t) => ({ name: t.name, atom: t.term.atom, slot: t.slot.name })),
        prox: prox.map((p) => ({ name: p.name, atom: p.term.atom, slot: p.slot.name, space: p.term.space })),
      }),
    };
  }

  private unitTable(c: CompiledFlow, x0: RealArray): TermEnergy[] {
    const rows: TermEnergy[] = [];
    const xb = this.alloc(c.n);
    xb.view.set(x0);
    for (const t of c.smooth) {
      const spec = this.spec.terms[t.index];
      rows.push({ name: t.name, index: t.index, atom: t.term.atom, kind: t.kind, slot: t.slot.name, units: spec.units ?? null, weight: spec.weight ?? 1, energy: t.term.value(xb.sub(t.slot.offset, t.slot.size)), share: 0 });
    }
    for (const p of c.prox) {
      const spec = this.spec.terms[p.indices[0]];
      let e: number;
      if (p.term.space === "W" && p.slot.transform) {
        const u = p.slot.transform.forward(x0.subarray(p.slot.offset, p.slot.offset + p.slot.size));
        const ub = this.alloc(u.length);
        ub.view.set(u);
        e = p.term.value(ub);
      } else e = p.term.value(xb.sub(p.slot.offset, p.slot.size));
      rows.push({ name: p.name, index: p.indices[0], atom: p.term.atom, kind: spec.kind, slot: p.slot.name, units: spec.units ?? null, weight: spec.weight ?? 1, energy: e, share: 0 });
    }
    const total = rows.reduce((s, r) => s + Math.abs(r.energy), 0);
    for (const r of rows) r.share = total > 0 ? Math.abs(r.energy) / total : 0;
    return rows;
  }
}
