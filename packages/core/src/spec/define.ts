import type { DataValue, FlowContext, FlowSpec, OpSpec, SlotSpec, TransformSpec } from "./types.js";

const FACTORY = Symbol.for("cflow.flowFactory");

/** A spec written as a function of the run's dtype, seed and parameters. */
export type FlowFactory = ((ctx: FlowContext) => FlowSpec) & { readonly [FACTORY]: true };
export type FlowDefinition = FlowSpec | FlowFactory;

/**
 * Declares a flow. Pass the spec object, or a function of `{ dtype, seed, params }` returning it
 * (so data and ops are built in the run's dtype — `cflow run --dtype float32` never casts). Slot,
 * data, op and transform names are checked by the type system: `terms[i].slot` completes to the
 * keys of `state`, `op` to the keys of `ops`, and so on.
 */
export function defineFlow<
  const S extends Record<string, SlotSpec>,
  const D extends Record<string, DataValue> = Record<never, DataValue>,
  const O extends Record<string, OpSpec> = Record<never, OpSpec>,
  const T extends Record<string, TransformSpec> = Record<never, TransformSpec>,
>(spec: FlowSpec<S, D, O, T>): FlowSpec<S, D, O, T>;
export function defineFlow<
  const S extends Record<string, SlotSpec>,
  const D extends Record<string, DataValue> = Record<never, DataValue>,
  const O extends Record<string, OpSpec> = Record<never, OpSpec>,
  const T extends Record<string, TransformSpec> = Record<never, TransformSpec>,
>(factory: (ctx: FlowContext) => FlowSpec<S, D, O, T>): FlowFactory;
export function defineFlow(specOrFactory: FlowSpec | ((ctx: FlowContext) => FlowSpec)): FlowDefinition {
  if (typeof specOrFactory === "function") {
    const f = ((ctx: FlowContext) => specOrFactory(ctx)) as FlowFactory;
    Object.defineProperty(f, FACTORY, { value: true });
    return f;
  }
  return specOrFactory;
}

export function isFlowFactory(x: unknown): x is FlowFactory {
  return typeof x === "function" && (x as { [FACTORY]?: boolean })[FACTORY] === true;
}

/** The spec of a definition for a run context (factories are called; objects returned as they are). */
export function resolveFlow(def: FlowDefinition | ((ctx: FlowContext) => FlowSpec), ctx: Partial<FlowContext> = {}): FlowSpec {
  if (typeof def === "function") {
    return def({ dtype: ctx.dtype ?? "float64", seed: ctx.seed ?? 0, params: ctx.params ?? {} });
  }
  return def;
}
