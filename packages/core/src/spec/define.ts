import { CflowError } from "../errors.js";
import type { AnyFlowSpec, DataValue, FlowContext, FlowSpec, OpSpec, SlotSpec, TransformSpec } from "./types.js";

const FACTORY = Symbol.for("cflow.flowFactory");

/** A spec written as a function of the run's dtype, seed and parameters. */
export type FlowFactory = ((ctx: FlowContext) => FlowSpec) & { readonly [FACTORY]: true };
/** A spec factory that resolves asynchronously (it reads files, awaits a model...): `resolveFlowAsync` awaits it. */
export type AsyncFlowFactory = ((ctx: FlowContext) => Promise<FlowSpec>) & { readonly [FACTORY]: true };
export type FlowDefinition = FlowSpec | FlowFactory;

/**
 * Declares a flow. Pass the spec object, or a function of `{ dtype, seed, params }` returning it
 * (so data and ops are built in the run's dtype — `cflow run --dtype float32` never casts). Slot,
 * data, op and transform names are checked by the type system: `terms[i].slot` completes to the
 * keys of `state`, `op` to the keys of `ops`, and so on. A factory may be `async`: `cflow` awaits it
 * (`resolveFlowAsync`); `compileFlow` takes the spec it resolves to.
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
export function defineFlow<
  const S extends Record<string, SlotSpec>,
  const D extends Record<string, DataValue> = Record<never, DataValue>,
  const O extends Record<string, OpSpec> = Record<never, OpSpec>,
  const T extends Record<string, TransformSpec> = Record<never, TransformSpec>,
>(factory: (ctx: FlowContext) => Promise<FlowSpec<S, D, O, T>>): AsyncFlowFactory;
export function defineFlow(specOrFactory: FlowSpec | ((ctx: FlowContext) => FlowSpec | Promise<FlowSpec>)): FlowDefinition | AsyncFlowFactory {
  if (typeof specOrFactory === "function") {
    const f = ((ctx: FlowContext) => specOrFactory(ctx)) as FlowFactory | AsyncFlowFactory;
    Object.defineProperty(f, FACTORY, { value: true });
    return f;
  }
  return specOrFactory;
}

export function isFlowFactory(x: unknown): x is FlowFactory | AsyncFlowFactory {
  return typeof x === "function" && (x as { [FACTORY]?: boolean })[FACTORY] === true;
}

/**
 * The spec of a definition for a run context (factories are called; objects returned as they
 * are). An `async` factory is refused with a message saying how to await it.
 */
export function resolveFlow(def: FlowDefinition | ((ctx: FlowContext) => FlowSpec), ctx: Partial<FlowContext> = {}): FlowSpec {
  if (typeof def !== "function") return def;
  const spec = def(fullContext(ctx));
  if (isPromiseLike(spec)) {
    // A rejection nobody awaits would end the process: observe it, the error below says what to do.
    Promise.resolve(spec).catch(() => {});
    throw new CflowError("SPEC_FACTORY_ASYNC", "the spec factory is async (it returned a Promise): compileFlow needs the spec itself", {
      path: "defineFlow(factory)",
      expected: "a spec object",
      found: "a Promise",
      hint: "await it first: compileFlow(await resolveFlowAsync(definition, ctx)) — cflow run does this",
    });
  }
  return spec;
}

/** The spec of a definition for a run context, awaiting an `async` factory. */
export async function resolveFlowAsync(def: AnyFlowSpec | FlowDefinition | AsyncFlowFactory | ((ctx: FlowContext) => FlowSpec | Promise<FlowSpec>), ctx: Partial<FlowContext> = {}): Promise<FlowSpec> {
  return typeof def === "function" ? await def(fullContext(ctx)) : (def as FlowSpec);
}

function fullContext(ctx: Partial<FlowContext>): FlowContext {
  return { dtype: ctx.dtype ?? "float64", seed: ctx.seed ?? 0, params: ctx.params ?? {}, ...(ctx.maxElements !== undefined ? { maxElements: ctx.maxElements } : {}) };
}

function isPromiseLike(x: unknown): x is PromiseLike<unknown> {
  return typeof x === "object" && x !== null && typeof (x as { then?: unknown }).then === "function";
}
