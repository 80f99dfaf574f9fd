import { dirname } from "node:path";
import { CflowError, type CompileReport, type CompiledFlow, type Dtype, type FlowContext, type FlowSpec, compileFlow, resolveFlowAsync } from "@cflow/core";
import { toIoError } from "../io-error.js";
import { type HintSources, explainLintError } from "../plugin-hints.js";
import { type RunRegistry, buildRunRegistry } from "../run-registry.js";
import { type SpecDefinition, loadSpecModule, resolveSpecFile } from "../spec/load-spec.js";

export interface FlowSetupOptions {
  /** The spec module or a directory holding spec.ts. */
  spec: string;
  dtype?: Dtype;
  seed?: number;
  params: Record<string, string>;
  /** `--plugin` values as given. */
  plugins: readonly string[];
  cwd: string;
  /** Config files, in order; undefined to discover them from the spec's directory and `cwd` upward. */
  configFiles?: readonly string[];
  /** `--max-elements`: replaces the spec's policies.budgets.maxElements. */
  maxElements?: number;
}

/** A spec module loaded, its spec resolved and its registry built: what run, cert, lint and resume start from. */
export interface FlowSetup {
  /** Absolute path of the spec module. */
  file: string;
  definition: SpecDefinition;
  plugins: RunRegistry;
  /** The run context a factory spec is called with (dtype and seed default to the spec's, else float64 and 0). */
  context: FlowContext;
  /** The spec: the object, or what the factory returned (awaited when it is async). */
  spec: FlowSpec;
  /** `--max-elements`, if given. */
  maxElements?: number;
}

/**
 * Loads the spec module, builds the registry and resolves the spec. A factory that throws (or
 * rejects) something other than a CflowError — its own bug, a bad parameter it did not check — is
 * reported naming the spec file; a file-system refusal while it runs is an IoError.
 */
export async function setupFlow(o: FlowSetupOptions): Promise<FlowSetup> {
  const file = resolveSpecFile(o.spec);
  const plugins = await buildRunRegistry({ plugins: o.plugins, cwd: o.cwd, configFiles: o.configFiles, specDir: dirname(file) });
  const definition = await loadSpecModule(file);
  const fixed = typeof definition === "function" ? {} : (definition as { dtype?: Dtype; seed?: number });
  const context: FlowContext = { dtype: o.dtype ?? fixed.dtype ?? "float64", seed: o.seed ?? fixed.seed ?? 0, params: o.params };
  if (o.maxElements !== undefined) context.maxElements = o.maxElements;
  let spec: FlowSpec;
  try {
    spec = await resolveFlowAsync(definition as Parameters<typeof resolveFlowAsync>[0], context);
  } catch (err) {
    if (err instanceof CflowError) throw err;
    // the factory's own reads (its data files) failing for lack of permission or a device error
    const io = toIoError(err, { context: `while the spec factory of ${file} ran` });
    if (io) throw io;
    const e = err instanceof Error ? err : new Error(String(err));
    const wrapped = new CflowError("SPEC_FACTORY_FAILED", `${file}: the spec factory threw: ${e.message.split("\n")[0]}`, {
      path: file,
      found: `${e.name}: ${e.message.split("\n")[0]}`,
      expected: "defineFlow(({ dtype, seed, params }) => spec) returning a spec",
      hint: "CFLOW_DEBUG=1 shows the stack trace",
    });
    wrapped.stack = e.stack;
    throw wrapped;
  }
  return { file, definition, plugins, context, spec, ...(o.maxElements !== undefined ? { maxElements: o.maxElements } : {}) };
}

/**
 * Compiles the setup's spec against its registry and hands the flow to `use`; the flow's kernel
 * memory (its buffers, the ops and transforms the compiler made) is released when `use` ends,
 * however it ends — a process that runs many flows (a pool worker, a test) keeps none of them.
 * A spec that fails lint because it names something no loaded plugin registers says which known
 * plugin does, and how to load it.
 */
export async function withCompiledSetup<T>(setup: FlowSetup, cwd: string, use: (c: { compiled: CompiledFlow; report: CompileReport }) => Promise<T>): Promise<T> {
  let c: { compiled: CompiledFlow; report: CompileReport };
  try {
    c = compileFlow(resolveSpec(setup), { registry: setup.plugins.registry, dtype: setup.context.dtype, seed: setup.context.seed });
  } catch (err) {
    throw await explainLintError(err, hintSources(setup, cwd));
  }
  try {
    return await use(c);
  } finally {
    c.compiled.dispose();
  }
}

/** Where to look for the plugin of a name the spec uses but no loaded plugin registers. */
export function hintSources(setup: FlowSetup, cwd: string): HintSources {
  return { dirs: [dirname(setup.file), cwd], loadedConfigs: setup.plugins.configFiles, loadedPlugins: new Set(setup.plugins.registry.plugins.map((p) => p.plugin)), cwd };
}

/**
 * The spec a setup compiles: `--max-elements` replaces the spec's `policies.budgets.maxElements`,
 * so lint, the compiler and the controller all check against the one limit.
 */
export function resolveSpec(setup: FlowSetup): FlowSpec {
  const { spec, maxElements } = setup;
  if (maxElements === undefined || typeof spec !== "object" || spec === null) return spec;
  const policies = spec.policies ?? {};
  return { ...spec, policies: { ...policies, budgets: { ...policies.budgets, maxElements } } };
}
