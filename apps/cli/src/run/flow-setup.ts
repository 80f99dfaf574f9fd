import { dirname } from "node:path";
import { CflowError, type Dtype, type FlowContext, type FlowSpec, resolveFlow } from "@cflow/core";
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
  /** Config file: a path, null for none, undefined to look for one from `cwd` upward. */
  configFile?: string | null;
}

/** A spec module loaded and its registry built: what run, cert, lint and resume start from. */
export interface FlowSetup {
  /** Absolute path of the spec module. */
  file: string;
  definition: SpecDefinition;
  plugins: RunRegistry;
  /** The run context a factory spec is called with (dtype and seed default to the spec's, else float64 and 0). */
  context: FlowContext;
}

export async function setupFlow(o: FlowSetupOptions): Promise<FlowSetup> {
  const file = resolveSpecFile(o.spec);
  const plugins = await buildRunRegistry({ plugins: o.plugins, cwd: o.cwd, configFile: o.configFile, fallbackDirs: [dirname(file)] });
  const definition = await loadSpecModule(file);
  const fixed = typeof definition === "function" ? {} : (definition as { dtype?: Dtype; seed?: number });
  const context: FlowContext = { dtype: o.dtype ?? fixed.dtype ?? "float64", seed: o.seed ?? fixed.seed ?? 0, params: o.params };
  return { file, definition, plugins, context };
}

/**
 * The spec of a setup: the object, or the factory called with the run context. A factory that
 * throws something other than a CflowError (its own bug, a bad parameter it did not check) is
 * reported naming the spec file.
 */
export function resolveSpec(setup: FlowSetup): FlowSpec {
  try {
    return resolveFlow(setup.definition as Parameters<typeof resolveFlow>[0], setup.context);
  } catch (err) {
    if (err instanceof CflowError) throw err;
    const e = err instanceof Error ? err : new Error(String(err));
    throw new CflowError("SPEC_FACTORY_FAILED", `${setup.file}: the spec factory threw: ${e.message.split("\n")[0]}`, {
      path: setup.file,
      found: `${e.name}: ${e.message.split("\n")[0]}`,
      expected: "defineFlow(({ dtype, seed, params }) => spec) returning a spec",
      hint: "CFLOW_DEBUG=1 shows the stack trace",
    });
  }
}
