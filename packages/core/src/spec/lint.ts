import type { AtomDef } from "../atoms/atom.js";
import { type Dtype, type RealArray, describeValue, isDtype, shapeSize } from "../dtype.js";
import { CflowError } from "../errors.js";
import { type Op, isOp } from "../ops/op.js";
import type { NamespaceName, Registry } from "../registry/registry.js";
import { nearestName } from "../registry/nearest.js";
import { DEFAULTS } from "./defaults.js";
import { ELEMENT_LIMIT_HINT, type ElementLimit, elementLimit, formatCount } from "./element-limit.js";
import { type ParamRule, checkParam } from "./params.js";

/** One problem found in a spec: where, what, what was expected, and what to do. */
export interface Finding {
  severity: "error" | "warning";
  code: string;
  /** Spec path: `terms[2].op`, `state.x.shape[1]`, `policies.flow.family`. */
  path: string;
  message: string;
  expected?: string;
  found?: string;
  hint?: string;
  /**
   * A name the spec uses that no loaded plugin registers (an op type, atom, transform, manifold or
   * policy): tools can look for a plugin that would (`cflow` names installed ones and how to load them).
   */
  unknown?: { namespace: NamespaceName; name: string };
}

export interface LintReport {
  /** No error findings: the spec may compile (phase AMBER); otherwise it is RED. */
  ok: boolean;
  findings: Finding[];
}

export interface LintOptions {
  registry: Registry;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const TOP_KEYS = ["name", "description", "dtype", "seed", "state", "data", "ops", "transforms", "terms", "invariants", "policies"];
const POLICY_KEYS = ["flow", "multiscale", "tuner", "control", "sparsity", "lens", "certification", "budgets"];
/** Where the keys of the former `policies.gapDial` went. */
const GAP_DIAL_KEYS: Record<string, string> = {
  enabled: "tuner.enabled",
  policy: "tuner.policy",
  seed: "tuner.seed",
  widenFactor: "tuner.widenFactor",
  maxAttempts: "control.maxAttempts",
  validationIters: "control.validationIters",
  moveCap: "control.moveCap",
  ratioBounds: "control.ratioBounds",
  noImprove: "control.noImprove",
  lambdaCap: "control.lambdaCap",
};
const TERM_KEYS = ["name", "kind", "atom", "slot", "op", "target", "weight", "bandWeights", "units", "transform", "params"];
const SLOT_KEYS = ["shape", "manifold", "init", "conjugateOf"];
const INIT_WORDS = ["zeros", "ones", "random"];
/** Non-smooth pairs on one slot that have one exact prox (DESIGN §2, issue: supported composites). */
export const SUPPORTED_COMPOSITES: readonly [string, string][] = [
  ["l1", "nonneg"],
  ["l1", "box"],
];

interface SlotInfo {
  name: string;
  shape: number[] | null;
  manifold: string;
}

interface OpInfo {
  inShape: number[];
  outShape: number[];
}

/**
 * Checks a spec and returns every problem found, each with its spec path. Never throws, whatever
 * it is given (non-objects, cycles, `__proto__` keys, getters that throw, NaN weights): a value it
 * cannot read becomes a finding. Ops given as registry references or factories are instantiated
 * to learn their shapes, then released.
 */
export function lintSpec(spec: unknown, options: LintOptions): LintReport {
  const l = new Linter(options.registry);
  try {
    l.run(spec);
  } catch (err) {
    l.error("LINT_UNREADABLE", "", `the spec could not be read: ${err instanceof Error ? err.message : String(err)}`, {
      hint: "pass a plain object built with defineFlow({...})",
    });
  } finally {
    l.releaseOps();
  }
  return { ok: !l.findings.some((f) => f.severity === "error"), findings: l.findings };
}

class Linter {
  readonly findings: Finding[] = [];
  private dtype: Dtype = "float64";
  private slots = new Map<string, SlotInfo>();
  /** Momentum slots (declared with conjugateOf) — Hamiltonian flows need one. */
  private conjugateSlots = new Set<string>();
  private data = new Map<string, number>();
  private ops = new Map<string, OpInfo | null>();
  private transforms = new Map<string, { name: string; levels: number | undefined } | null>();
  private created: Op[] = [];
  private dataArrays: Record<string, RealArray> = {};
  /** Largest element count of one slot or data array (policies.budgets.maxElements, else the machine default). */
  private limit!: ElementLimit;

  constructor(private readonly registry: Registry) {}

  error(code: string, path: string, message: string, extra: { expected?: string; found?: string; hint?: string; unknown?: Finding["unknown"] } = {}): void {
    this.findings.push({ severity: "error", code, path, message: `${path ? `${path}: ` : ""}${message}`, ...extra });
  }

  warn(code: string, path: string, message: string, extra: { expected?: string; found?: string; hint?: string } = {}): void {
    this.findings.push({ severity: "warning", code, path, message: `${path ? `${path}: ` : ""}${message}`, ...extra });
  }

  releaseOps(): void {
    for (const op of this.created) {
      try {
        op.dispose();
      } catch {
        // an op that fails to dispose must not turn lint into a throw
      }
    }
    this.created = [];
  }

  run(spec: unknown): void {
    if (!isRecord(spec)) {
      this.error("SPEC_NOT_OBJECT", "", "expected a spec object", { expected: "an object from defineFlow({...})", found: describeValue(spec) });
      return;
    }
    for (const k of ownKeys(spec)) {
      if (!TOP_KEYS.includes(k)) this.unknownKey(k, k, TOP_KEYS);
    }
    const name = read(spec, "name");
    if (name !== undefined && typeof name !== "string") this.error("BAD_TYPE", "name", "expected a string", { expected: "string", found: describeValue(name) });

    const dtype = read(spec, "dtype");
    if (dtype !== undefined) {
      if (isDtype(dtype)) this.dtype = dtype;
      else this.error("BAD_DTYPE", "dtype", "unknown dtype", { expected: '"float32" | "float64"', found: describeValue(dtype) });
    }
    const seed = read(spec, "seed");
    if (seed !== undefined && !(typeof seed === "number" && Number.isSafeInteger(seed) && seed >= 0)) {
      this.error("BAD_SEED", "seed", "expected a non-negative integer seed", { expected: "integer ≥ 0", found: describeValue(seed) });
    }
    this.limit = elementLimit(this.dtype, givenMaxElements(read(spec, "policies")), "policies.budgets.maxElements (cflow: --max-elements)");
    this.lintData(read(spec, "data"));
    this.lintOps(read(spec, "ops"));
    this.lintTransforms(read(spec, "transforms"));
    this.lintState(read(spec, "state"));
    const terms = this.lintTerms(read(spec, "terms"));
    this.lintInvariants(read(spec, "invariants"));
    this.lintPolicies(read(spec, "policies"), terms);
  }

  private unknownKey(path: string, key: string, allowed: string[]): void {
    const near = nearestName(key, allowed);
    this.warn("UNKNOWN_KEY", path, `unknown key "${key}" is ignored`, {
      expected: allowed.join(", "),
      found: JSON.stringify(key),
      hint: near ? `did you mean "${near}"?` : undefined,
    });
  }

  /** `policies.gapDial` was split into the tuner's options and the controller's limits: say where each key went. */
  private movedGapDial(gd: unknown): void {
    const keys = isRecord(gd) ? ownKeys(gd) : [];
    const moves = keys.map((k) => `${k} → policies.${GAP_DIAL_KEYS[k] ?? "?"}`);
    this.error("MOVED_KEY", "policies.gapDial", "policies.gapDial was split into policies.tuner (the tuner's options) and policies.control (the controller's limits)", {
      expected: "policies.tuner { enabled, policy, perBand, seed, widenFactor, minStepDivisor } and policies.control { maxAttempts, validationIters, moveCap, ratioBounds, noImprove, lambdaCap, maxRollbacks }",
      found: `policies.gapDial { ${keys.join(", ")} }`,
      hint: moves.length > 0 ? `move ${moves.join(", ")}` : "move its keys to policies.tuner and policies.control",
    });
  }

  private checkName(path: string, name: string): boolean {
    if (!NAME.test(name) || name === "__proto__" || name === "constructor" || name === "prototype") {
      this.error("BAD_NAME", path, `"${name}" is not a usable name`, { expected: "letters, digits, _ or - (not __proto__/constructor/prototype)", found: JSON.stringify(name) });
      return false;
    }
    return true;
  }

  // ── data ────────────────────────────────────────────────────────────────────────────────────
  private lintData(data: unknown): void {
    if (data === undefined) return;
    if (!isRecord(data)) {
      this.error("BAD_TYPE", "data", "expected an object of named arrays", { expected: "{ name: Float64Array | number[] }", found: describeValue(data) });
      return;
    }
    for (const k of ownKeys(data)) {
      const path = `data.${k}`;
      if (!this.checkName(path, k)) continue;
      const v = read(data, k);
      if (v instanceof Float64Array || v instanceof Float32Array) {
        const found: Dtype = v instanceof Float64Array ? "float64" : "float32";
        if (found !== this.dtype) {
          this.error("DTYPE_MISMATCH", path, `dtype mismatch — the run is ${this.dtype}, the array is ${found}`, {
            expected: this.dtype,
            found,
            hint: "build data in the run's dtype (write the spec as defineFlow(({ dtype }) => ...)) or pass a plain number[]",
          });
        }
        if (!this.withinLimit(path, "the array", v.length, `${v.length} numbers`)) continue;
        this.checkFinite(path, v);
        this.data.set(k, v.length);
        this.dataArrays[k] = v;
      } else if (Array.isArray(v)) {
        const bad = v.findIndex((e) => typeof e !== "number");
        if (bad >= 0) {
          this.error("BAD_DATA", `${path}[${bad}]`, "expected a number", { expected: "number", found: describeValue(v[bad]) });
          continue;
        }
        if (!this.withinLimit(path, "the array", v.length, `${v.length} numbers`)) continue;
        this.checkFinite(path, v as number[]);
        this.data.set(k, v.length);
        this.dataArrays[k] = this.dtype === "float64" ? Float64Array.from(v as number[]) : Float32Array.from(v as number[]);
      } else {
        this.error("BAD_DATA", path, "expected an array of numbers", { expected: "Float64Array | Float32Array | number[]", found: describeValue(v) });
      }
    }
  }

  /** Whether `count` elements are within the element limit; a finding at `path` otherwise. */
  private withinLimit(path: string, what: string, count: number, found: string): boolean {
    if (count <= this.limit.maxElements) return true;
    this.error("TOO_MANY_ELEMENTS", path, `${what} has ${formatCount(count)} elements, more than the limit of ${formatCount(this.limit.maxElements)}`, {
      expected: `at most ${formatCount(this.limit.maxElements)} elements (${this.limit.source})`,
      found: `${found} = ${formatCount(count)} elements`,
      hint: ELEMENT_LIMIT_HINT,
    });
    return false;
  }

  private checkFinite(path: string, v: ArrayLike<number>): void {
    for (let i = 0; i < v.length; i++) {
      if (!Number.isFinite(v[i])) {
        this.error("NON_FINITE", `${path}[${i}]`, "data must be finite", { expected: "a finite number", found: String(v[i]) });
        return;
      }
    }
  }

  // ── ops ─────────────────────────────────────────────────────────────────────────────────────
  private lintOps(ops: unknown): void {
    if (ops === undefined) return;
    if (!isRecord(ops)) {
      this.error("BAD_TYPE", "ops", "expected an object of named ops", { expected: "{ name: Op | (ctx) => Op | { type, ... } }", found: describeValue(ops) });
      return;
    }
    for (const k of ownKeys(ops)) {
      const path = `ops.${k}`;
      if (!this.checkName(path, k)) continue;
      this.ops.set(k, this.lintOp(path, read(ops, k)));
    }
  }

  private lintOp(path: string, v: unknown): OpInfo | null {
    let op: Op | null = null;
    try {
      if (isOp(v)) op = v;
      else if (typeof v === "function") {
        const made = (v as (ctx: { dtype: Dtype }) => unknown)({ dtype: this.dtype });
        if (!isOp(made)) {
          this.error("BAD_OP", path, "the op factory did not return an op", { expected: "an Op (apply, adjoint, inShape, outShape, dtype)", found: describeValue(made) });
          return null;
        }
        op = made;
        this.created.push(made);
      } else if (isRecord(v)) {
        const type = read(v, "type");
        if (typeof type !== "string") {
          this.error("BAD_OP", `${path}.type`, "an op reference needs a type", { expected: `one of ${this.registry.ops.names().join(", ")}`, found: describeValue(type) });
          return null;
        }
        if (!this.registry.ops.has(type)) {
          const near = this.registry.ops.nearest(type);
          this.error("UNKNOWN_OP", `${path}.type`, `unknown op type "${type}"`, {
            expected: `one of ${this.registry.ops.names().join(", ")}`,
            found: JSON.stringify(type),
            hint: near ? `did you mean "${near}"?` : undefined,
            unknown: { namespace: "ops", name: type },
          });
          return null;
        }
        const factory = this.registry.ops.get(type);
        const params: Record<string, unknown> = {};
        for (const pk of ownKeys(v)) if (pk !== "type") params[pk] = read(v, pk);
        if (!this.checkParams(path, factory.params, params)) return null;
        op = factory.create(params, { dtype: this.dtype, data: this.dataArrays, path });
        this.created.push(op);
      } else {
        this.error("BAD_OP", path, "expected an op", { expected: "an Op, a function ({ dtype }) => Op, or { type, ...params }", found: describeValue(v) });
        return null;
      }
    } catch (err) {
      this.fromError("OP_INVALID", path, err);
      return null;
    }
    if (op.dtype !== this.dtype) {
      this.error("DTYPE_MISMATCH", path, `dtype mismatch — the run is ${this.dtype}, the op is ${op.dtype}`, {
        expected: this.dtype,
        found: op.dtype,
        hint: "create the op in the run's dtype: ops: { K: ({ dtype }) => conv2dOp(..., { dtype }) }",
      });
    }
    return { inShape: [...op.inShape], outShape: [...op.outShape] };
  }

  // ── transforms ──────────────────────────────────────────────────────────────────────────────
  private lintTransforms(transforms: unknown): void {
    if (transforms === undefined) return;
    if (!isRecord(transforms)) {
      this.error("BAD_TYPE", "transforms", "expected an object of named transforms", { expected: '{ W: { name: "db4", levels: 4 } }', found: describeValue(transforms) });
      return;
    }
    for (const k of ownKeys(transforms)) {
      const path = `transforms.${k}`;
      if (!this.checkName(path, k)) continue;
      const t = read(transforms, k);
      if (!isRecord(t)) {
        this.error("BAD_TYPE", path, "expected { name, levels? }", { expected: '{ name: "db4", levels: 4 }', found: describeValue(t) });
        this.transforms.set(k, null);
        continue;
      }
      const name = read(t, "name");
      if (typeof name !== "string" || !this.registry.transforms.has(name)) {
        const near = typeof name === "string" ? this.registry.transforms.nearest(name) : undefined;
        this.error("UNKNOWN_TRANSFORM", `${path}.name`, `unknown transform ${describeValue(name)}`, {
          expected: `one of ${this.registry.transforms.names().join(", ")}`,
          found: describeValue(name),
          hint: near ? `did you mean "${near}"?` : undefined,
          ...(typeof name === "string" ? { unknown: { namespace: "transforms" as const, name } } : {}),
        });
        this.transforms.set(k, null);
        continue;
      }
      const levels = read(t, "levels");
      if (levels !== undefined && !(typeof levels === "number" && Number.isInteger(levels) && levels >= 1)) {
        this.error("BAD_LEVELS", `${path}.levels`, "expected a positive integer", { expected: "integer ≥ 1", found: describeValue(levels) });
        this.transforms.set(k, null);
        continue;
      }
      this.transforms.set(k, { name, levels: levels as number | undefined });
    }
  }

  // ── state ───────────────────────────────────────────────────────────────────────────────────
  private lintState(state: unknown): void {
    if (state === undefined) {
      this.error("MISSING", "state", "a spec needs at least one state slot", { expected: "state: { x: { shape: [n] } }", found: "undefined" });
      return;
    }
    if (!isRecord(state)) {
      this.error("BAD_TYPE", "state", "expected an object of named slots", { expected: "{ x: { shape: [n] } }", found: describeValue(state) });
      return;
    }
    const keys = ownKeys(state);
    if (keys.length === 0) this.error("EMPTY_STATE", "state", "a spec needs at least one state slot", { expected: "at least one slot", found: "{}" });
    for (const k of keys) {
      const path = `state.${k}`;
      if (!this.checkName(path, k)) continue;
      const slot = read(state, k);
      if (!isRecord(slot)) {
        this.error("BAD_TYPE", path, "expected a slot { shape, manifold?, init? }", { expected: "{ shape: number[] }", found: describeValue(slot) });
        continue;
      }
      for (const sk of ownKeys(slot)) if (!SLOT_KEYS.includes(sk)) this.unknownKey(`${path}.${sk}`, sk, SLOT_KEYS);
      const shape = this.lintShape(`${path}.shape`, read(slot, "shape"));
      const manifold = read(slot, "manifold");
      let manifoldName = "euclidean";
      if (manifold !== undefined) {
        if (typeof manifold !== "string" || !this.registry.manifolds.has(manifold)) {
          const near = typeof manifold === "string" ? this.registry.manifolds.nearest(manifold) : undefined;
          this.error("UNKNOWN_MANIFOLD", `${path}.manifold`, `unknown manifold ${describeValue(manifold)}`, {
            expected: `one of ${this.registry.manifolds.names().join(", ")}`,
            found: describeValue(manifold),
            hint: near ? `did you mean "${near}"?` : "install and register the plugin that provides it (e.g. @cflow/manifolds)",
            ...(typeof manifold === "string" ? { unknown: { namespace: "manifolds" as const, name: manifold } } : {}),
          });
        } else {
          manifoldName = manifold;
          if (shape) {
            try {
              this.registry.manifolds.get(manifold).create({ shape, dtype: this.dtype });
            } catch (err) {
              this.fromError("MANIFOLD_SHAPE", `${path}.manifold`, err);
            }
          }
        }
      }
      this.slots.set(k, { name: k, shape, manifold: manifoldName });
    }
    for (const k of keys) {
      const slot = read(state, k);
      if (!isRecord(slot) || !this.slots.has(k)) continue;
      this.lintInit(`state.${k}.init`, read(slot, "init"), this.slots.get(k)!);
      const conj = read(slot, "conjugateOf");
      if (conj !== undefined) {
        const other = typeof conj === "string" ? this.slots.get(conj) : undefined;
        if (!other || conj === k) {
          this.error("UNKNOWN_SLOT", `state.${k}.conjugateOf`, `no position slot ${describeValue(conj)}`, { expected: `another slot: ${[...this.slots.keys()].filter((s) => s !== k).join(", ")}`, found: describeValue(conj) });
        } else if (other.shape && this.slots.get(k)!.shape && shapeSize(other.shape) !== shapeSize(this.slots.get(k)!.shape!)) {
          this.error("SHAPE_MISMATCH", `state.${k}.conjugateOf`, "a momentum slot must have its position slot's shape", { expected: fmt(other.shape), found: fmt(this.slots.get(k)!.shape!) });
        } else this.conjugateSlots.add(k);
      }
    }
  }

  private lintShape(path: string, shape: unknown): number[] | null {
    if (!Array.isArray(shape) || shape.length === 0) {
      this.error("BAD_SHAPE", path, "expected a non-empty array of positive integers", { expected: "[n] or [rows, cols]", found: describeValue(shape) });
      return null;
    }
    for (let i = 0; i < shape.length; i++) {
      const d = shape[i];
      if (!(typeof d === "number" && Number.isInteger(d) && d >= 1)) {
        this.error("BAD_SHAPE", `${path}[${i}]`, "expected a positive integer extent", { expected: "integer ≥ 1", found: describeValue(d) });
        return null;
      }
    }
    // Checked from the declared extents, before anything of this size is allocated.
    if (!this.withinLimit(path, "the slot", shapeSize(shape as number[]), fmt(shape as number[]).replace(/, /g, " × "))) return null;
    return shape as number[];
  }

  private lintInit(path: string, init: unknown, slot: SlotInfo): void {
    if (init === undefined) return;
    const n = slot.shape ? shapeSize(slot.shape) : null;
    if (typeof init === "string") {
      if (!INIT_WORDS.includes(init)) this.error("BAD_INIT", path, `unknown init "${init}"`, { expected: INIT_WORDS.join(" | ") + " | { data } | { adjoint: { op, data } } | array", found: JSON.stringify(init) });
      return;
    }
    if (init instanceof Float64Array || init instanceof Float32Array || Array.isArray(init)) {
      if (init instanceof Float64Array || init instanceof Float32Array) {
        const found: Dtype = init instanceof Float64Array ? "float64" : "float32";
        if (found !== this.dtype) this.error("DTYPE_MISMATCH", path, `dtype mismatch — the run is ${this.dtype}, the array is ${found}`, { expected: this.dtype, found });
      }
      if (n !== null && init.length !== n) this.error("SHAPE_MISMATCH", path, `the initial array has ${init.length} elements, the slot ${n}`, { expected: `${n} elements (${fmt(slot.shape!)})`, found: `${init.length}` });
      return;
    }
    if (isRecord(init)) {
      const d = read(init, "data");
      const adj = read(init, "adjoint");
      if (d !== undefined) {
        if (typeof d !== "string" || !this.data.has(d)) {
          this.error("UNKNOWN_DATA", `${path}.data`, `no data array ${describeValue(d)}`, { expected: `one of ${[...this.data.keys()].join(", ") || "(no data)"}`, found: describeValue(d) });
        } else if (n !== null && this.data.get(d) !== n) {
          this.error("SHAPE_MISMATCH", `${path}.data`, `data "${d}" has ${this.data.get(d)} elements, the slot ${n}`, { expected: `${n}`, found: `${this.data.get(d)}` });
        }
        return;
      }
      if (isRecord(adj)) {
        const op = read(adj, "op");
        const data = read(adj, "data");
        const info = typeof op === "string" ? this.ops.get(op) : undefined;
        if (typeof op !== "string" || !this.ops.has(op)) {
          this.error("UNKNOWN_OP_REF", `${path}.adjoint.op`, `no op ${describeValue(op)}`, { expected: `one of ${[...this.ops.keys()].join(", ") || "(no ops)"}`, found: describeValue(op) });
        } else if (info && n !== null && shapeSize(info.inShape) !== n) {
          this.error("SHAPE_MISMATCH", `${path}.adjoint.op`, `the op's input shape ${fmt(info.inShape)} is not the slot's ${fmt(slot.shape!)}`, { expected: fmt(slot.shape!), found: fmt(info.inShape) });
        }
        if (typeof data !== "string" || !this.data.has(data)) {
          this.error("UNKNOWN_DATA", `${path}.adjoint.data`, `no data array ${describeValue(data)}`, { expected: `one of ${[...this.data.keys()].join(", ") || "(no data)"}`, found: describeValue(data) });
        } else if (info && shapeSize(info.outShape) !== this.data.get(data)) {
          this.error("SHAPE_MISMATCH", `${path}.adjoint.data`, `data "${data}" has ${this.data.get(data)} elements, the op's output ${shapeSize(info.outShape)}`, { expected: `${shapeSize(info.outShape)}`, found: `${this.data.get(data)}` });
        }
        return;
      }
    }
    this.error("BAD_INIT", path, "unrecognised init", { expected: '"zeros" | "ones" | "random" | { data } | { adjoint: { op, data } } | array', found: describeValue(init) });
  }

  // ── terms ───────────────────────────────────────────────────────────────────────────────────
  private lintTerms(terms: unknown): { index: number; slot: string | null; atom: AtomDef | null }[] {
    const out: { index: number; slot: string | null; atom: AtomDef | null }[] = [];
    if (!Array.isArray(terms)) {
      this.error(terms === undefined ? "MISSING" : "BAD_TYPE", "terms", "expected an array of terms", { expected: "[{ kind, atom, ... }]", found: describeValue(terms) });
      return out;
    }
    if (terms.length === 0) this.error("EMPTY_TERMS", "terms", "the energy needs at least one term", { expected: "at least one term", found: "[]" });
    let units: { value: string; index: number } | null = null;
    terms.forEach((t, i) => {
      const path = `terms[${i}]`;
      if (!isRecord(t)) {
        this.error("BAD_TYPE", path, "expected a term object", { expected: "{ kind, atom, ... }", found: describeValue(t) });
        return;
      }
      for (const k of ownKeys(t)) if (!TERM_KEYS.includes(k)) this.unknownKey(`${path}.${k}`, k, TERM_KEYS);
      const kind = read(t, "kind");
      if (kind !== "data" && kind !== "physics" && kind !== "regularizer") {
        this.error("BAD_KIND", `${path}.kind`, "unknown term kind", { expected: '"data" | "physics" | "regularizer"', found: describeValue(kind) });
      }
      const atom = this.resolveAtom(`${path}.atom`, read(t, "atom"));
      const slot = this.resolveSlot(`${path}.slot`, read(t, "slot"));
      out.push({ index: i, slot: slot?.name ?? null, atom });
      this.lintWeight(`${path}.weight`, read(t, "weight"));
      const u = read(t, "units");
      if (u !== undefined) {
        if (typeof u !== "string") this.error("BAD_TYPE", `${path}.units`, "expected a unit string", { expected: 'e.g. "counts^2"', found: describeValue(u) });
        else if (units && units.value !== u) {
          this.error("UNITS_MISMATCH", `${path}.units`, `terms summed into one energy must share units: terms[${units.index}] is "${units.value}"`, {
            expected: JSON.stringify(units.value),
            found: JSON.stringify(u),
            hint: "rescale the term's weight so its energy is in the common unit, and declare that unit",
          });
        } else units ??= { value: u, index: i };
      }
      if (!atom) return;
      const opName = read(t, "op");
      const target = read(t, "target");
      const transform = read(t, "transform");
      const opInfo = this.lintRef(`${path}.op`, "op", atom.op, opName, this.ops, atom.name);
      this.lintRef(`${path}.target`, "target", atom.target, target, this.data, atom.name);
      const tr = this.lintRef(`${path}.transform`, "transform", atom.transform, transform, this.transforms, atom.name);
      // shapes
      const n = slot?.shape ? shapeSize(slot.shape) : null;
      if (opInfo && slot?.shape && shapeSize(opInfo.inShape) !== n) {
        this.error("SHAPE_MISMATCH", `${path}.op`, `op "${String(opName)}" takes ${fmt(opInfo.inShape)}, slot "${slot.name}" is ${fmt(slot.shape)}`, {
          expected: fmt(slot.shape),
          found: fmt(opInfo.inShape),
        });
      }
      if (typeof target === "string" && this.data.has(target)) {
        const len = this.data.get(target)!;
        const want = opInfo ? shapeSize(opInfo.outShape) : n;
        if (want !== null && len !== want) {
          this.error("SHAPE_MISMATCH", `${path}.target`, opInfo ? `data "${target}" has ${len} elements, op "${String(opName)}" produces ${want}` : `data "${target}" has ${len} elements, slot "${slot?.name}" has ${want}`, {
            expected: `${want} elements`,
            found: `${len}`,
          });
        }
      }
      if (tr && slot?.shape) this.lintTransformOnSlot(`${path}.transform`, tr, slot);
      const bw = read(t, "bandWeights");
      if (bw !== undefined) {
        if (!atom.bandWeights) this.error("UNEXPECTED", `${path}.bandWeights`, `atom "${atom.name}" has no per-band weights`, { expected: "no bandWeights", found: describeValue(bw) });
        else if (!Array.isArray(bw) || !bw.every((w) => typeof w === "number" && Number.isFinite(w) && w >= 0)) {
          this.error("BAD_WEIGHT", `${path}.bandWeights`, "expected non-negative finite band weights", { expected: "number[] ≥ 0", found: describeValue(bw) });
        } else if (tr && tr.levels !== undefined && bw.length !== tr.levels) {
          this.error("SHAPE_MISMATCH", `${path}.bandWeights`, `one weight per detail level expected (coarsest first)`, { expected: `${tr.levels} weights`, found: `${bw.length}` });
        }
      }
      const params = read(t, "params");
      if (params !== undefined && !isRecord(params)) this.error("BAD_TYPE", `${path}.params`, "expected an object", { expected: "{ param: value }", found: describeValue(params) });
      else {
        const p: Record<string, unknown> = {};
        if (params) for (const k of ownKeys(params)) p[k] = read(params, k);
        if (this.checkParams(`${path}.params`, atom.params, p) && atom.checkParams) {
          const problem = atom.checkParams(p);
          if (problem) this.error("BAD_PARAM", `${path}.params.${problem.param}`, problem.message, { expected: problem.expected, found: describeValue(problem.found) });
        }
      }
    });
    this.lintComposites(out);
    return out;
  }

  private resolveAtom(path: string, atom: unknown): AtomDef | null {
    if (isRecord(atom) && typeof read(atom, "create") === "function" && typeof read(atom, "name") === "string") return atom as unknown as AtomDef;
    if (typeof atom !== "string" || !this.registry.atoms.has(atom)) {
      const near = typeof atom === "string" ? this.registry.atoms.nearest(atom) : undefined;
      this.error("UNKNOWN_ATOM", path, `unknown atom ${describeValue(atom)}`, {
        expected: `one of ${this.registry.atoms.names().join(", ")}`,
        found: describeValue(atom),
        hint: near ? `did you mean "${near}"?` : undefined,
        ...(typeof atom === "string" ? { unknown: { namespace: "atoms" as const, name: atom } } : {}),
      });
      return null;
    }
    return this.registry.atoms.get(atom);
  }

  private resolveSlot(path: string, slot: unknown): SlotInfo | null {
    if (slot === undefined) {
      if (this.slots.size === 1) return [...this.slots.values()][0];
      if (this.slots.size > 1) this.error("MISSING_SLOT", path, "the spec has several slots; say which one the term acts on", { expected: [...this.slots.keys()].join(" | "), found: "undefined" });
      return null;
    }
    if (typeof slot !== "string" || !this.slots.has(slot)) {
      const near = typeof slot === "string" ? nearestName(slot, this.slots.keys()) : undefined;
      this.error("UNKNOWN_SLOT", path, `no state slot ${describeValue(slot)}`, {
        expected: [...this.slots.keys()].join(" | ") || "(no slots)",
        found: describeValue(slot),
        hint: near ? `did you mean "${near}"?` : undefined,
      });
      return null;
    }
    return this.slots.get(slot)!;
  }

  private lintRef<T>(path: string, what: "op" | "target" | "transform", need: "required" | "optional" | "none", value: unknown, table: Map<string, T>, atom: string): T | null {
    const label = what === "target" ? "data" : what;
    if (value === undefined) {
      if (need === "required") {
        this.error(what === "target" ? "MISSING_DATA" : what === "op" ? "MISSING_OP" : "MISSING_TRANSFORM", path, `atom "${atom}" needs ${what === "op" ? "an op" : `a ${what}`}`, {
          expected: `one of ${[...table.keys()].join(", ") || `(declare ${label} first)`}`,
          found: "undefined",
        });
      }
      return null;
    }
    if (need === "none") {
      this.error("UNEXPECTED", path, `atom "${atom}" takes no ${what}`, { expected: "undefined", found: describeValue(value) });
      return null;
    }
    if (typeof value !== "string" || !table.has(value)) {
      const near = typeof value === "string" ? nearestName(value, table.keys()) : undefined;
      this.error(what === "target" ? "MISSING_DATA" : what === "op" ? "UNKNOWN_OP_REF" : "UNKNOWN_TRANSFORM_REF", path, `no ${label} ${describeValue(value)} declared`, {
        expected: `one of ${[...table.keys()].join(", ") || `(no ${label} declared)`}`,
        found: describeValue(value),
        hint: near ? `did you mean "${near}"?` : undefined,
      });
      return null;
    }
    return table.get(value) ?? null;
  }

  private lintTransformOnSlot(path: string, tr: { name: string; levels: number | undefined }, slot: SlotInfo): void {
    if (!slot.shape) return;
    try {
      const W = this.registry.transforms.get(tr.name).create({ shape: slot.shape, levels: tr.levels, dtype: this.dtype });
      W.dispose();
    } catch (err) {
      const code = err instanceof CflowError && /level/i.test(err.message) ? "LEVELS_TOO_DEEP" : "TRANSFORM_SHAPE";
      this.fromError(code, path, err);
    }
  }

  private lintWeight(path: string, w: unknown): void {
    if (w === undefined) return;
    if (typeof w !== "number" || !Number.isFinite(w) || w < 0) {
      this.error("BAD_WEIGHT", path, "a weight must be a finite number ≥ 0", { expected: "finite number ≥ 0", found: describeValue(w) });
    }
  }

  private checkParams(path: string, rules: Record<string, unknown>, params: Record<string, unknown>): boolean {
    let ok = true;
    const r = rules as Record<string, ParamRule>;
    for (const [k, v] of Object.entries(params)) {
      const rule = r[k];
      if (!rule) {
        const near = nearestName(k, Object.keys(r));
        this.error("UNKNOWN_PARAM", `${path}.${k}`, `unknown parameter "${k}"`, {
          expected: Object.keys(r).join(", ") || "no parameters",
          found: JSON.stringify(k),
          hint: near ? `did you mean "${near}"?` : undefined,
        });
        ok = false;
        continue;
      }
      if (typeof v === "string" && this.data.has(v) && rule.type === "string") continue;
      const problem = checkParam(rule, v);
      if (problem) {
        this.error("BAD_PARAM", `${path}.${k}`, `${problem.message} (${rule.description})`, { expected: problem.expected, found: problem.found });
        ok = false;
      }
    }
    for (const [k, rule] of Object.entries(r)) {
      if (rule.required && params[k] === undefined) {
        this.error("MISSING_PARAM", `${path}.${k}`, `missing required parameter "${k}" (${rule.description})`, { expected: rule.type, found: "undefined" });
        ok = false;
      }
    }
    return ok;
  }

  private lintComposites(info: { index: number; slot: string | null; atom: AtomDef | null }[]): void {
    const bySlot = new Map<string, { index: number; atom: AtomDef }[]>();
    for (const t of info) {
      if (!t.atom || t.atom.kind !== "prox" || t.slot === null) continue;
      bySlot.set(t.slot, [...(bySlot.get(t.slot) ?? []), { index: t.index, atom: t.atom }]);
    }
    for (const [slot, list] of bySlot) {
      if (list.length < 2) continue;
      const names = list.map((t) => t.atom.name).sort();
      const supported = list.length === 2 && list[0].atom.space === list[1].atom.space && SUPPORTED_COMPOSITES.some(([a, b]) => [a, b].sort().join() === names.join());
      if (supported) continue;
      const [first, ...rest] = list;
      for (const t of rest) {
        this.error("NONSEPARABLE_PROX", `terms[${t.index}].atom`, `slot "${slot}" already has the non-smooth term terms[${first.index}] (${first.atom.name}); ${t.atom.name} + ${first.atom.name} has no exact joint prox`, {
          expected: `one non-smooth term per slot, or a supported composite: ${SUPPORTED_COMPOSITES.map((c) => c.join(" + ")).join(", ")}`,
          found: names.join(" + "),
          hint: "replace one of them by a smooth penalty (e.g. huber or tikhonov), or move it to another slot",
        });
      }
    }
  }

  // ── invariants ──────────────────────────────────────────────────────────────────────────────
  private lintInvariants(inv: unknown): void {
    if (inv === undefined) return;
    if (!Array.isArray(inv)) {
      this.error("BAD_TYPE", "invariants", "expected an array of invariants", { expected: "[{ name, kind, check }]", found: describeValue(inv) });
      return;
    }
    inv.forEach((v, i) => {
      const path = `invariants[${i}]`;
      if (!isRecord(v)) {
        this.error("BAD_TYPE", path, "expected { name, kind, check }", { expected: "an object", found: describeValue(v) });
        return;
      }
      const name = read(v, "name");
      if (typeof name !== "string" || name.length === 0) this.error("BAD_TYPE", `${path}.name`, "an invariant needs a name", { expected: "a non-empty string", found: describeValue(name) });
      const kind = read(v, "kind");
      if (kind !== "conserved" && kind !== "constraint" && kind !== "symmetry") {
        this.error("BAD_KIND", `${path}.kind`, "unknown invariant kind", { expected: '"conserved" | "constraint" | "symmetry"', found: describeValue(kind) });
      }
      const check = read(v, "check");
      if (check === undefined && kind !== "symmetry") {
        this.error("MISSING_CHECKER", `${path}.check`, `invariant ${describeValue(name)} is declared without a checker, so it cannot be certified`, {
          expected: "check: (state) => number",
          found: "undefined",
          hint: "give a function returning the conserved quantity or the constraint residual",
        });
      } else if (check !== undefined && typeof check !== "function") {
        this.error("BAD_TYPE", `${path}.check`, "expected a function of the state", { expected: "(state) => number", found: describeValue(check) });
      }
      const tol = read(v, "tolerance");
      if (tol !== undefined && !(typeof tol === "number" && Number.isFinite(tol) && tol >= 0)) this.error("BAD_PARAM", `${path}.tolerance`, "expected a tolerance ≥ 0", { expected: "finite number ≥ 0", found: describeValue(tol) });
    });
  }

  // ── policies ────────────────────────────────────────────────────────────────────────────────
  private lintPolicies(policies: unknown, terms: { index: number; slot: string | null; atom: AtomDef | null }[]): void {
    if (policies === undefined) return;
    if (!isRecord(policies)) {
      this.error("BAD_TYPE", "policies", "expected an object", { expected: `{ ${POLICY_KEYS.join(", ")} }`, found: describeValue(policies) });
      return;
    }
    for (const k of ownKeys(policies)) {
      if (k === "gapDial") this.movedGapDial(read(policies, k));
      else if (!POLICY_KEYS.includes(k)) this.unknownKey(`policies.${k}`, k, POLICY_KEYS);
    }
    const num = (path: string, v: unknown, ok: (x: number) => boolean, expected: string) => {
      if (v === undefined) return;
      if (typeof v !== "number" || !Number.isFinite(v) || !ok(v)) this.error("BAD_POLICY", path, `expected ${expected}`, { expected, found: describeValue(v) });
    };
    /** `registered`: the options are the names of registered policies (a plugin may provide the missing one). */
    const oneOf = (path: string, v: unknown, options: readonly string[], registered = false) => {
      if (v === undefined) return;
      if (typeof v !== "string" || !options.includes(v)) {
        const near = typeof v === "string" ? nearestName(v, options) : undefined;
        this.error("BAD_POLICY", path, "unknown value", {
          expected: options.map((o) => JSON.stringify(o)).join(" | "),
          found: describeValue(v),
          hint: near ? `did you mean "${near}"?` : undefined,
          ...(registered && typeof v === "string" ? { unknown: { namespace: "policies" as const, name: v } } : {}),
        });
      }
    };
    const section = (name: string, keys: string[]): Record<string, unknown> | null => {
      const v = read(policies, name);
      if (v === undefined) return null;
      if (!isRecord(v)) {
        this.error("BAD_TYPE", `policies.${name}`, "expected an object", { expected: `{ ${keys.join(", ")} }`, found: describeValue(v) });
        return null;
      }
      for (const k of ownKeys(v)) if (!keys.includes(k)) this.unknownKey(`policies.${name}.${k}`, k, keys);
      return v;
    };
    const flow = section("flow", Object.keys(DEFAULTS.flow));
    if (flow) {
      const family = read(flow, "family");
      const families = this.registry.policies.list().filter((e) => e.value.kind === "flow").map((e) => e.name);
      oneOf("policies.flow.family", family, families, true);
      oneOf("policies.flow.restart", read(flow, "restart"), ["function", "gradient", "none"]);
      oneOf("policies.flow.lineSearch", read(flow, "lineSearch"), ["auto", "always", "never"]);
      num("policies.flow.stepScale", read(flow, "stepScale"), (x) => x > 0 && x < 2, "a number in (0, 2) (α = stepScale/β must stay below 2/β)");
      num("policies.flow.damping", read(flow, "damping"), (x) => x >= 0, "a damping rate ≥ 0");
      num("policies.flow.dt", read(flow, "dt"), (x) => x > 0, "a time step > 0");
    }
    const ms = section("multiscale", Object.keys(DEFAULTS.multiscale));
    if (ms) {
      oneOf("policies.multiscale.mode", read(ms, "mode"), ["off", "fixed", "residual"]);
      num("policies.multiscale.startLevels", read(ms, "startLevels"), (x) => Number.isInteger(x) && x >= 0, "an integer ≥ 0");
      num("policies.multiscale.every", read(ms, "every"), (x) => Number.isInteger(x) && x >= 1, "an integer ≥ 1");
      num("policies.multiscale.residualDrop", read(ms, "residualDrop"), (x) => x > 0 && x < 1, "a number in (0, 1)");
      const mode = read(ms, "mode");
      if ((mode === "fixed" || mode === "residual") && !terms.some((t) => t.atom?.bandWeights)) {
        this.error("BAD_POLICY", "policies.multiscale.mode", "a multiscale schedule unlocks wavelet levels, but no term acts through a multilevel transform", {
          expected: '"off", or a waveletL1 term with a wavelet transform',
          found: JSON.stringify(mode),
        });
      }
    }
    const tuner = section("tuner", Object.keys(DEFAULTS.tuner));
    if (tuner) {
      const bool = (path: string, v: unknown) => {
        if (v !== undefined && typeof v !== "boolean") this.error("BAD_POLICY", path, "expected true or false", { expected: "boolean", found: describeValue(v) });
      };
      bool("policies.tuner.enabled", read(tuner, "enabled"));
      bool("policies.tuner.perBand", read(tuner, "perBand"));
      num("policies.tuner.widenFactor", read(tuner, "widenFactor"), (x) => x > 1, "a factor > 1");
      num("policies.tuner.minStepDivisor", read(tuner, "minStepDivisor"), (x) => x > 1, "a divisor > 1");
      const seed = read(tuner, "seed");
      if (seed !== undefined) {
        if (!isRecord(seed)) this.error("BAD_TYPE", "policies.tuner.seed", "expected an object", { expected: "{ statistic, k }", found: describeValue(seed) });
        else {
          for (const k of ownKeys(seed)) if (!["statistic", "k"].includes(k)) this.unknownKey(`policies.tuner.seed.${k}`, k, ["statistic", "k"]);
          oneOf("policies.tuner.seed.statistic", read(seed, "statistic"), ["median", "mad"]);
          num("policies.tuner.seed.k", read(seed, "k"), (x) => x > 0, "a factor > 0");
        }
      }
      const policy = read(tuner, "policy");
      if (policy !== undefined) {
        const tuners = this.registry.policies.list().filter((e) => e.value.kind === "tuner").map((e) => e.name);
        oneOf("policies.tuner.policy", policy, tuners, true);
      }
    }
    const control = section("control", Object.keys(DEFAULTS.control));
    if (control) {
      num("policies.control.maxAttempts", read(control, "maxAttempts"), (x) => Number.isInteger(x) && x >= 1, "an integer ≥ 1");
      num("policies.control.validationIters", read(control, "validationIters"), (x) => Number.isInteger(x) && x >= 1, "an integer ≥ 1");
      num("policies.control.moveCap", read(control, "moveCap"), (x) => x > 0 && x < 1, "a fraction in (0, 1)");
      num("policies.control.noImprove", read(control, "noImprove"), (x) => Number.isInteger(x) && x >= 1, "an integer ≥ 1");
      num("policies.control.lambdaCap", read(control, "lambdaCap"), (x) => x > 0, "a number > 0");
      num("policies.control.maxRollbacks", read(control, "maxRollbacks"), (x) => Number.isInteger(x) && x >= 0, "an integer ≥ 0");
      const rb = read(control, "ratioBounds");
      if (rb !== undefined && !(Array.isArray(rb) && rb.length === 2 && typeof rb[0] === "number" && typeof rb[1] === "number" && rb[0] > 0 && rb[0] <= 1 && rb[1] >= 1)) {
        this.error("BAD_POLICY", "policies.control.ratioBounds", "expected [low, high] with 0 < low ≤ 1 ≤ high", { expected: "[0.5, 2]", found: describeValue(rb) });
      }
    }
    const sp = section("sparsity", Object.keys(DEFAULTS.sparsity));
    if (sp) {
      oneOf("policies.sparsity.mode", read(sp, "mode"), ["global", "per-band"]);
      num("policies.sparsity.tau", read(sp, "tau"), (x) => x >= 0, "a threshold ≥ 0");
      if (read(sp, "mode") === "per-band" && !terms.some((t) => t.atom?.bandWeights)) {
        this.error("BAD_POLICY", "policies.sparsity.mode", "per-band sparsity needs a term with per-band weights", { expected: '"global", or a waveletL1 term', found: '"per-band"' });
      }
    }
    const lens = section("lens", Object.keys(DEFAULTS.lens));
    if (lens) {
      const c = read(lens, "candidates");
      if (c !== undefined) {
        if (!Array.isArray(c)) this.error("BAD_POLICY", "policies.lens.candidates", "expected an array of transform names", { expected: "string[]", found: describeValue(c) });
        else c.forEach((name, i) => {
          if (typeof name !== "string" || !this.registry.transforms.has(name)) {
            const near = typeof name === "string" ? this.registry.transforms.nearest(name) : undefined;
            this.error("UNKNOWN_TRANSFORM", `policies.lens.candidates[${i}]`, `unknown transform ${describeValue(name)}`, {
              expected: this.registry.transforms.names().join(", "),
              found: describeValue(name),
              hint: near ? `did you mean "${near}"?` : undefined,
              ...(typeof name === "string" ? { unknown: { namespace: "transforms" as const, name } } : {}),
            });
          }
        });
      }
      num("policies.lens.keepFraction", read(lens, "keepFraction"), (x) => x > 0 && x <= 1, "a fraction in (0, 1]");
    }
    const cert = section("certification", Object.keys(DEFAULTS.certification));
    if (cert) {
      num("policies.certification.etaMax", read(cert, "etaMax"), (x) => x > 0, "a number > 0");
      num("policies.certification.gammaMin", read(cert, "gammaMin"), (x) => x >= 0, "a number ≥ 0");
      num("policies.certification.every", read(cert, "every"), (x) => Number.isInteger(x) && x >= 1, "an integer ≥ 1");
      num("policies.certification.lyapunovTol", read(cert, "lyapunovTol"), (x) => x >= 0, "a number ≥ 0");
      num("policies.certification.invariantTol", read(cert, "invariantTol"), (x) => x >= 0, "a number ≥ 0");
    }
    const b = section("budgets", Object.keys(DEFAULTS.budgets));
    if (b) {
      num("policies.budgets.maxIters", read(b, "maxIters"), (x) => Number.isInteger(x) && x >= 1, "an integer ≥ 1");
      num("policies.budgets.maxTrials", read(b, "maxTrials"), (x) => Number.isInteger(x) && x >= 0, "an integer ≥ 0");
      num("policies.budgets.wallTimeMs", read(b, "wallTimeMs"), (x) => x >= 0, "milliseconds ≥ 0 (0 = no limit)");
      num("policies.budgets.tol", read(b, "tol"), (x) => x >= 0, "a tolerance ≥ 0");
      num("policies.budgets.maxElements", read(b, "maxElements"), (x) => Number.isInteger(x) && x >= 1, "an integer ≥ 1 (elements of one state slot or data array)");
    }
    if (flow && read(flow, "family") === "hamiltonian_damped") {
      if (this.conjugateSlots.size === 0) {
        this.error("MISSING_CONJUGATE", "policies.flow.family", "hamiltonian_damped needs a momentum slot declared with conjugateOf", {
          expected: 'state: { q: { shape }, p: { shape, conjugateOf: "q" } }',
          found: `slots ${[...this.slots.keys()].join(", ")}`,
        });
      }
    }
  }

  private fromError(code: string, path: string, err: unknown): void {
    if (err instanceof CflowError) {
      this.error(code, path, err.message, {
        expected: err.details.expected === undefined ? undefined : String(err.details.expected),
        found: err.details.found === undefined ? undefined : String(err.details.found),
        hint: err.details.hint,
      });
    } else {
      this.error(code, path, err instanceof Error ? err.message : String(err));
    }
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

/** Own enumerable string keys, including a literal "__proto__" key, without invoking getters. */
function ownKeys(o: Record<string, unknown>): string[] {
  try {
    return Object.keys(o);
  } catch {
    return [];
  }
}

/** Reads an own property; a throwing getter or proxy trap reads as undefined (reported elsewhere). */
function read(o: Record<string, unknown>, key: string): unknown {
  try {
    return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
  } catch {
    return undefined;
  }
}

/** `policies.budgets.maxElements` when it is a valid count (an invalid one is reported with the policies, and the default applies). */
function givenMaxElements(policies: unknown): number | undefined {
  const budgets = isRecord(policies) ? read(policies, "budgets") : undefined;
  const v = isRecord(budgets) ? read(budgets, "maxElements") : undefined;
  return typeof v === "number" && Number.isInteger(v) && v >= 1 ? v : undefined;
}

function fmt(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}
