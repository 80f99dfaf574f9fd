import { type Dtype, type RealArray, describeValue, shapeSize, zeros } from "../dtype.js";
import { CflowError, DtypeError } from "../errors.js";
import type { RealBuf } from "../kernel/kernel.js";
import type { Op } from "../ops/op.js";
import type { Manifold } from "../ports/manifold.js";
import type { Registry } from "../registry/registry.js";
import { type RngKey, foldIn, normal } from "../rng.js";
import type { FlowSpec, SlotSpec } from "../spec/types.js";
import type { FlowData } from "./inputs.js";
import type { FlowResources } from "./resources.js";
import type { SlotLayout } from "./types.js";

const EUCLIDEAN = "euclidean";

/**
 * The state slots laid out one after another in the flat state vector, each with its manifold
 * adapter (null on Euclidean slots). Transforms and coefficient offsets are filled in once the
 * terms are known (`layoutCoefficients`).
 */
export function layoutSlots(spec: FlowSpec, registry: Registry, dtype: Dtype): { slots: SlotLayout[]; n: number } {
  const slots: SlotLayout[] = [];
  let offset = 0;
  for (const [name, s] of Object.entries(spec.state) as [string, SlotSpec][]) {
    const size = shapeSize(s.shape);
    let manifold: Manifold | null = null;
    if (s.manifold && s.manifold !== EUCLIDEAN) manifold = registry.manifolds.get(s.manifold, `state.${name}.manifold`).create({ shape: s.shape, dtype });
    slots.push({ name, shape: [...s.shape], size, offset, manifold, manifoldName: s.manifold ?? EUCLIDEAN, conjugateOf: s.conjugateOf ?? null, transform: null, coeffOffset: 0, coeffSize: size });
    offset += size;
  }
  return { slots, n: offset };
}

/** Places each slot's coefficients (W-space) one after another; returns the W-space length. */
export function layoutCoefficients(slots: SlotLayout[]): number {
  let coeffOffset = 0;
  for (const s of slots) {
    s.coeffOffset = coeffOffset;
    coeffOffset += s.coeffSize;
  }
  return coeffOffset;
}

/** The initial state from each slot's `init` (manifold slots start on the manifold). */
export function initialState(spec: FlowSpec, slots: readonly SlotLayout[], n: number, key: RngKey, dtype: Dtype, data: FlowData, ops: Record<string, Op>): RealArray {
  const x0 = zeros(dtype, n);
  for (const s of slots) {
    const init = spec.state[s.name].init;
    const path = `state.${s.name}.init`;
    const view = x0.subarray(s.offset, s.offset + s.size);
    const skey = foldIn(key, 0x1417 + s.offset);
    if (init === undefined || init === "zeros") {
      if (s.manifold) view.set(s.manifold.random(skey));
    } else if (init === "ones") view.fill(1);
    else if (init === "random") view.set(s.manifold ? s.manifold.random(skey) : normal(skey, s.size, dtype));
    else if (Array.isArray(init) || init instanceof Float64Array || init instanceof Float32Array) view.set(init as ArrayLike<number>);
    else if ("data" in init) view.set(data.arrays[init.data]);
    else if ("adjoint" in init) view.set(ops[init.adjoint.op].adjoint(data.arrays[init.adjoint.data]));
    else throw new CflowError("BAD_INIT", `${path}: unrecognised init ${describeValue(init)}`, { path });
    if (s.manifold && init !== undefined && init !== "zeros" && init !== "random") view.set(s.manifold.project(view));
  }
  return x0;
}

/** Converting between named slot arrays and the flat state vector. */
export interface StateCodec {
  /** Splits a flat state vector into named slot views. */
  unflatten(x: RealArray): Record<string, RealArray>;
  flatten(state: Record<string, RealArray>): RealArray;
}

export function stateCodec(slots: readonly SlotLayout[], n: number, dtype: Dtype): StateCodec {
  return {
    unflatten(x) {
      const o: Record<string, RealArray> = {};
      for (const s of slots) o[s.name] = x.subarray(s.offset, s.offset + s.size);
      return o;
    },
    flatten(state) {
      const x = zeros(dtype, n);
      for (const s of slots) {
        const v = state[s.name];
        if (!v) throw new CflowError("MISSING_SLOT", `state: slot "${s.name}" missing`, { path: `state.${s.name}`, expected: `${s.size} elements`, found: "undefined" });
        if (v.length !== s.size) throw new CflowError("SHAPE_MISMATCH", `state.${s.name}: expected ${s.size} elements, found ${v.length}`, { path: `state.${s.name}`, expected: s.size, found: v.length });
        x.set(v, s.offset);
      }
      return x;
    },
  };
}

/**
 * Kernel scratch for the JS-facing evaluations (energy, L_apply): a state point, a direction, an
 * output and a W-space vector, with `load` checking length and dtype before copying in.
 */
export interface FlowScratch {
  x: RealBuf;
  v: RealBuf;
  out: RealBuf;
  u: RealBuf;
  load(values: RealArray, into: RealBuf, what: string): void;
}

export function flowScratch(resources: FlowResources, n: number, coeffSize: number): FlowScratch {
  const { dtype } = resources;
  return {
    x: resources.alloc(n),
    v: resources.alloc(n),
    out: resources.alloc(n),
    u: resources.alloc(coeffSize),
    load(values, into, what) {
      if (values.length !== into.length) {
        throw new CflowError("SHAPE_MISMATCH", `${what}: expected a flat vector of ${into.length} elements, found ${values.length}`, { path: what, expected: into.length, found: values.length });
      }
      const found = values instanceof Float64Array ? "float64" : "float32";
      if (found !== dtype) throw new DtypeError(what, dtype, found);
      into.view.set(values);
    },
  };
}

/** A slot's range of a flat state buffer. */
export function slotView(b: RealBuf, s: SlotLayout): RealBuf {
  return b.sub(s.offset, s.size);
}

/** A slot's range of a flat W-space buffer. */
export function coeffView(b: RealBuf, s: SlotLayout): RealBuf {
  return b.sub(s.coeffOffset, s.coeffSize);
}
