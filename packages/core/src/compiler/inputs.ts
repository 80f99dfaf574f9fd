import type { Dtype, RealArray } from "../dtype.js";
import { DtypeError } from "../errors.js";
import type { RealBuf } from "../kernel/kernel.js";
import { asPlanOp } from "../ops/js-op.js";
import { type Op, isOp } from "../ops/op.js";
import type { Registry } from "../registry/registry.js";
import { withDefaults } from "../spec/params.js";
import type { FlowSpec, OpRef } from "../spec/types.js";
import type { FlowResources } from "./resources.js";

/** The spec's data arrays, in the run's dtype and in kernel memory. */
export interface FlowData {
  arrays: Record<string, RealArray>;
  bufs: Record<string, RealBuf>;
}

/** Copies the spec's data into the run's dtype and into kernel memory. */
export function loadData(spec: FlowSpec, resources: FlowResources): FlowData {
  const arrays: Record<string, RealArray> = {};
  const bufs: Record<string, RealBuf> = {};
  for (const [name, v] of Object.entries(spec.data ?? {})) {
    const arr = v instanceof Float64Array || v instanceof Float32Array ? v : resources.dtype === "float64" ? Float64Array.from(v) : Float32Array.from(v);
    arrays[name] = arr;
    bufs[name] = resources.from(arr, `data.${name}`);
  }
  return { arrays, bufs };
}

/**
 * Instantiates the spec's ops — the only place a user's op factory `({ dtype }) => Op` or a
 * registered op type's `create` runs — in the run's dtype. Ops the compiler creates are disposed
 * with the flow; Op instances the spec holds stay the user's.
 */
export function createOps(spec: FlowSpec, registry: Registry, data: FlowData, resources: FlowResources): Record<string, Op> {
  const ops: Record<string, Op> = {};
  for (const [name, v] of Object.entries(spec.ops ?? {})) ops[name] = createOp(`ops.${name}`, v, registry, data, resources);
  return ops;
}

function createOp(path: string, v: unknown, registry: Registry, data: FlowData, resources: FlowResources): Op {
  const { dtype } = resources;
  let op: Op;
  if (isOp(v)) op = asPlanOp(v);
  else if (typeof v === "function") op = resources.own(asPlanOp((v as (ctx: { dtype: Dtype }) => Op)({ dtype })));
  else {
    const ref = v as OpRef;
    const factory = registry.ops.get(ref.type, `${path}.type`);
    const params: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(ref)) if (k !== "type") params[k] = val;
    op = resources.own(factory.create(withDefaults(factory.params, params), { dtype, data: data.arrays, path }));
  }
  if (op.dtype !== dtype) throw new DtypeError(path, dtype, op.dtype);
  return op;
}
