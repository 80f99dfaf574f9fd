import { type CompiledFlow, type RunConfig, type TunerHook, resolveRun, tunerHookFromRegistry } from "@cflow/core";
import { type FdaHook, fda } from "@cflow/fda";

/** What the command line changes in a run's configuration. */
export interface RunOverrides {
  /** `--max-iters`: policies.budgets.maxIters. */
  maxIters?: number;
  /** `--budget-time`: policies.budgets.wallTimeMs. */
  wallTimeMs?: number;
  /** `--per-band`: policies.tuner.perBand. */
  perBand?: boolean;
}

/** A run's configuration and hooks, as `runCertified` takes them. */
export interface RunWiring {
  config: RunConfig;
  certify: FdaHook;
  /** The tuner the spec names (`policies.tuner.policy`), absent when `policies.tuner.enabled` is false. */
  tune?: TunerHook;
}

/**
 * The configuration and hooks of `cflow run`, `resume` and `cert` — one wiring for the three.
 * Above the exact path's size the matrix-free η_dd is the maximum over sampled rows — a lower
 * bound of the true one — so the CLI's certificate hook samples more rows than the library
 * default: a tuner walking λ down to the gate otherwise accepts moves whose unsampled rows break
 * it. The tuner is the registered policy the spec names.
 */
export function wireRun(compiled: CompiledFlow, o: RunOverrides = {}): RunWiring {
  const budgets: { maxIters?: number; wallTimeMs?: number } = {};
  if (o.maxIters !== undefined) budgets.maxIters = o.maxIters;
  if (o.wallTimeMs !== undefined) budgets.wallTimeMs = o.wallTimeMs;
  const config = resolveRun(compiled, { budgets, ...(o.perBand !== undefined ? { tuner: { perBand: o.perBand } } : {}) });
  const certify = fda({ rows: { sampleRows: 64 } });
  if (!config.tuner.enabled) return { config, certify };
  return { config, certify, tune: tunerHookFromRegistry(compiled.registry, config.tuner.policy) };
}
