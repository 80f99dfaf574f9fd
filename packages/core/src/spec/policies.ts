import { DEFAULTS } from "./defaults.js";
import type { PoliciesSpec } from "./types.js";

type Defaults = typeof DEFAULTS;

/** Every policy with the defaults filled in (what the compiler and controller read). */
export interface ResolvedPolicies {
  flow: Defaults["flow"];
  multiscale: Defaults["multiscale"];
  tuner: Defaults["tuner"];
  control: Defaults["control"];
  sparsity: Defaults["sparsity"];
  lens: Defaults["lens"];
  certification: Defaults["certification"];
  budgets: Defaults["budgets"];
}

export function resolvePolicies(p: PoliciesSpec | undefined): ResolvedPolicies {
  const s = p ?? {};
  return {
    flow: { ...DEFAULTS.flow, ...defined(s.flow) },
    multiscale: { ...DEFAULTS.multiscale, ...defined(s.multiscale) },
    tuner: { ...DEFAULTS.tuner, ...defined(s.tuner), seed: { ...DEFAULTS.tuner.seed, ...defined(s.tuner?.seed) } },
    control: { ...DEFAULTS.control, ...defined(s.control) },
    sparsity: { ...DEFAULTS.sparsity, ...defined(s.sparsity) },
    lens: { ...DEFAULTS.lens, ...defined(s.lens) },
    certification: { ...DEFAULTS.certification, ...defined(s.certification) },
    budgets: { ...DEFAULTS.budgets, ...defined(s.budgets) },
  } as ResolvedPolicies;
}

/** The keys of an object whose values are not undefined (so `{ a: undefined }` keeps a default). */
function defined<T extends object>(o: T | undefined): Partial<T> {
  const out: Partial<T> = {};
  if (!o) return out;
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
