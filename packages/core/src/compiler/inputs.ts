import { type Dtype, type RealArray, describeValue } from "../dtype.js";
import type { RealBuf } from "../kernel/kernel.js";
import { asPlanOp } from "../ops/js-op.js";
import { type Op, isOp } from "../ops/op.js";
import type { Registry } from "../registry/registry.js";
import { withDefaults } from "../spec/params.js";
import { Findings } from "../spec/lint/findings.js";
import { type OpUse, checkOpUse } from "../spec/lint/op-shapes.js";
import type { FlowSpec, OpRef } from "../spec/types.js";
import { SpecLintError } from "./lint-error.js";
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
 * registered op type's `create` runs — in the run's dtype, then checks the uses lint left to it
 * (the shapes of ops only their creation tells). A factory that throws or returns something else
 * than an op, and a shape that does not fit, refuse the spec with findings as lint's. Ops the
 * compiler creates are disposed with the flow; Op instances the spec holds stay the user's.
 */
export function createOps(spec: FlowSpec, registry: Registry, data: FlowData, deferred: readonly OpUse[], resources: FlowResources): Record<string, Op> {
  const findings = new Findings();
  const ops: Record<string, Op> = {};
  for (const [name, v] of Object.entries(spec.ops ?? {})) {
    const path = `ops.${name}`;
    try {
      const made = createOp(path, v, registry, data, resources);
      if ("notAnOp" in made) findings.error("BAD_OP", path, "the op factory did not return an op", { expected: "an Op (apply, adjoint, inShape, outShape, dtype)", found: describeValue(made.notAnOp) });
      else if (made.op.dtype !== resources.dtype) {
        findings.error("DTYPE_MISMATCH", path, `dtype mismatch — the run is ${resources.dtype}, the op is ${made.op.dtype}`, {
          expected: resources.dtype,
          found: made.op.dtype,
          hint: "create the op in the run's dtype: ops: { K: ({ dtype }) => conv2dOp(..., { dtype }) }",
        });
      } else ops[name] = made.op;
    } catch (err) {
      findings.fromError("OP_INVALID", path, err);
    }
  }
  for (const use of deferred) if (ops[use.op]) checkOpUse(use, ops[use.op], findings);
  if (findings.list.length > 0) throw new SpecLintError(findings.list);
  return ops;
}

function createOp(path: string, v: unknown, registry: Registry, data: FlowData, resources: FlowResources): { op: Op } | { notAnOp: unknown } {
  const { dtype } = resources;
  let op: Op;
  if (isOp(v)) op = asPlanOp(v);
  else if (typeof v === "function") {
    const made: unknown = (v as (ctx: { dtype: Dtype }) => unknown)({ dtype });
    if (!isOp(made)) return { notAnOp: made };
    op = resources.own(asPlanOp(made));
  } else {
    const ref = v as OpRef;
    const factory = registry.ops.get(ref.type, `${path}.type`);
    const params: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(ref)) if (k !== "type") params[k] = val;
    op = resources.own(factory.create(withDefaults(factory.params, params), { dtype, data: data.arrays, path }));
  }
  return { op };
}
