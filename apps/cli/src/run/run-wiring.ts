import { type CompiledFlow, type RunConfig, type TunerHook, resolveRun, tunerHookFromRegistry } from "@cflow/core";
import { type FdaHook, fda } from "@cflow/fda";
import { taskTarget } from "@cflow/tuner";

/** What the command line changes in a run's configuration. */
export interface RunOverrides {
  /** `--max-iters`: policies.budgets.maxIters. */
  maxIters?: number;
  /** `--budget-time`: policies.budgets.wallTimeMs. */
  wallTimeMs?: number;
  /** `--rtol`: policies.budgets.rtol (flows that stop on optimality). */
  rtol?: number;
  /** `--atol`: policies.budgets.atol (flows that stop on optimality). */
  atol?: number;
  /** `--per-band`: policies.tuner.perBand. */
  perBand?: boolean;
  /** `--target`: policies.tuner.target. */
  target?: "discrepancy" | "sure" | "gcv" | "none";
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
 * it. The tuner is the registered policy the spec names, aiming at the spec's task target
 * (`policies.tuner.target`: Morozov's discrepancy principle by default).
 */
export function wireRun(compiled: CompiledFlow, o: RunOverrides = {}): RunWiring {
  const budgets: { maxIters?: number; wallTimeMs?: number; rtol?: number; atol?: number } = {};
  if (o.maxIters !== undefined) budgets.maxIters = o.maxIters;
  if (o.wallTimeMs !== undefined) budgets.wallTimeMs = o.wallTimeMs;
  if (o.rtol !== undefined) budgets.rtol = o.rtol;
  if (o.atol !== undefined) budgets.atol = o.atol;
  const tuner = { ...(o.perBand !== undefined ? { perBand: o.perBand } : {}), ...(o.target !== undefined ? { target: o.target } : {}) };
  const config = resolveRun(compiled, { budgets, tuner });
  const certify = fda({ rows: { sampleRows: 64 } });
  if (!config.tuner.enabled) return { config, certify };
  // the task target the tuner moves λ toward (none without a data term or a noise level)
  const t = config.tuner;
  const target = t.target === "none" ? null : taskTarget(compiled, { name: t.target, tau: t.tau, traceProbes: t.traceProbes });
  return { config, certify, tune: tunerHookFromRegistry(compiled.registry, t.policy, {}, undefined, target ?? undefined) };
}
