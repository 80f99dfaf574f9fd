import type { CompiledFlow } from "../compiler/types.js";
import { type ResolvedPolicies, resolvePolicies } from "../spec/policies.js";
import type { PoliciesSpec } from "../spec/types.js";

type DeepReadonly<T> = T extends string | number | boolean | null | undefined ? T : { readonly [K in keyof T]: DeepReadonly<T[K]> };

/**
 * Everything a run is configured by, frozen: the certificate gates and cadence
 * (`certification`), the budgets, the tuner's options (`tuner`), the controller's limits on
 * trials and dials (`control`), and the flow, multiscale and sparsity policies. Its sections
 * are the spec's `policies` sections with every default filled in (`DEFAULTS`, the one set of
 * defaults).
 */
export type RunConfig = DeepReadonly<ResolvedPolicies>;

/**
 * The run's configuration: the compiled flow's policies (its spec's over `DEFAULTS`), then
 * `overrides` section by section (a caller's budgets, a CLI's `--per-band`...). Frozen.
 */
export function resolveRun(compiled: CompiledFlow, overrides: PoliciesSpec = {}): RunConfig {
  const base = compiled.policies;
  const merged: PoliciesSpec = {};
  for (const key of Object.keys(base) as (keyof ResolvedPolicies)[]) {
    const over = overrides[key] as object | undefined;
    (merged as Record<string, unknown>)[key] = over ? { ...base[key], ...definedOnly(over) } : base[key];
  }
  if (overrides.tuner?.seed) merged.tuner = { ...merged.tuner, seed: { ...base.tuner.seed, ...definedOnly(overrides.tuner.seed) } };
  return frozenCopy(resolvePolicies(merged));
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A frozen deep copy of plain data (the spec's own arrays are never frozen). */
function frozenCopy<T>(o: T): DeepReadonly<T> {
  if (Array.isArray(o)) return Object.freeze(o.map(frozenCopy)) as DeepReadonly<T>;
  if (o !== null && typeof o === "object") return Object.freeze(Object.fromEntries(Object.entries(o).map(([k, v]) => [k, frozenCopy(v)]))) as DeepReadonly<T>;
  return o as DeepReadonly<T>;
}
