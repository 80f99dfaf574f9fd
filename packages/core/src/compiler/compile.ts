import type { Dtype } from "../dtype.js";
import { DtypeError } from "../errors.js";
import { defaultRegistry } from "../registry/default.js";
import type { Registry } from "../registry/registry.js";
import { rngKey } from "../rng.js";
import { type FlowDefinition, resolveFlow } from "../spec/define.js";
import { type OpUse, lintSpec } from "../spec/lint.js";
import { resolvePolicies } from "../spec/policies.js";
import type { AnyFlowSpec, FlowContext, FlowSpec } from "../spec/types.js";
import type { FlowFamilyPolicy } from "../runtime/families.js";
import { assembleTerms, energyFunctions } from "./energy.js";
import { chooseLens, flowTransform, validateFrames } from "./frames.js";
import { createOps, loadData } from "./inputs.js";
import { flowScratch, initialState, layoutCoefficients, layoutSlots, stateCodec } from "./layout.js";
import { linearisation } from "./linearisation.js";
import { SpecLintError } from "./lint-error.js";
import { estimateLipschitz } from "./lipschitz.js";
import { compileReport, describeLayout, unitTable } from "./report.js";
import { FlowResources } from "./resources.js";
import type { CompileReport, CompiledFlow } from "./types.js";

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
  const resources = new FlowResources(spec.dtype ?? options.dtype ?? "float64");
  try {
    const warnings = lint.findings.filter((f) => f.severity === "warning").map((f) => f.message);
    return build(spec, registry, options, resources, warnings, lint.deferred);
  } catch (err) {
    resources.dispose();
    throw err;
  }
}

/** The compiler's passes in order; the CompiledFlow is put together here and nowhere else. */
function build(spec: FlowSpec, registry: Registry, options: CompileOptions, resources: FlowResources, warnings: string[], deferred: readonly OpUse[]): { compiled: CompiledFlow; report: CompileReport } {
  const { dtype, kernel, cells } = resources;
  const seed = spec.seed ?? options.seed ?? 0;
  const key = rngKey(seed);
  const policies = resolvePolicies(spec.policies);
  if (options.family) policies.flow = { ...policies.flow, family: options.family };

  const data = loadData(spec, resources);
  const ops = createOps(spec, registry, data, deferred, resources);
  const { slots, n } = layoutSlots(spec, registry, dtype);
  const x0 = initialState(spec, slots, n, key, dtype, data, ops);
  const lens = chooseLens(spec, policies.lens.candidates, policies.lens.keepFraction, registry, slots, x0, data, resources);
  const terms = assembleTerms(spec, registry, slots, data, ops, lens?.winner ?? null, policies.flow.family, resources);
  const coeffSize = layoutCoefficients(slots);
  const W = flowTransform(slots, n, resources);
  const transformValidation = validateFrames(slots, key);

  const scratch = flowScratch(resources, n, coeffSize);
  const energy = energyFunctions(terms, n, coeffSize, scratch, resources);
  const lipschitz = estimateLipschitz(terms.smooth, key);
  const compiled: CompiledFlow = {
    spec,
    dtype,
    seed,
    key,
    registry,
    policies,
    invariants: spec.invariants ?? [],
    describe: () => describeLayout(dtype, n, coeffSize, slots, terms),
    n,
    slots,
    coeffSize,
    W,
    lens,
    x0,
    ...stateCodec(slots, n, dtype),
    ...energy,
    ...linearisation({ slots, smooth: terms.smooth, fGrad: energy.fGrad, n, x0, dtype, scratch }),
    ...lipschitz,
    kernel,
    data: data.bufs,
    ops,
    cells,
    dispose: () => resources.dispose(),
  };
  const report = compileReport({
    spec,
    dtype,
    slots,
    terms,
    W,
    lens: lens?.winner ?? null,
    lipschitz,
    alpha: (registry.policies.get(policies.flow.family, "policies.flow.family") as FlowFamilyPolicy).family.stepSize({ lipschitz: lipschitz.lipschitz, policy: policies.flow }),
    flowFamily: policies.flow.family,
    unitNormalizationTable: unitTable(spec, terms, n, x0, resources),
    transformValidation,
    warnings,
  });
  return { compiled, report };
}
