import { describeValue, isDtype } from "../dtype.js";
import type { Registry } from "../registry/registry.js";
import { PRIMAL_DUAL_FAMILIES } from "./defaults.js";
import { elementLimit } from "./element-limit.js";
import { lintComposites } from "./lint/composites.js";
import { LintContext } from "./lint/context.js";
import { lintData, lintNoise } from "./lint/data.js";
import { Findings, type LintReport } from "./lint/findings.js";
import { lintInvariants } from "./lint/invariants.js";
import { lintOps } from "./lint/ops.js";
import { lintPolicies } from "./lint/policies.js";
import { isRecord, ownKeys, read } from "./lint/read.js";
import { lintState } from "./lint/state.js";
import { lintTerms } from "./lint/terms.js";
import { lintTransforms } from "./lint/transforms.js";

export type { Finding, LintReport } from "./lint/findings.js";
export type { OpUse } from "./lint/op-shapes.js";
export { SUPPORTED_COMPOSITES } from "./lint/composites.js";

export interface LintOptions {
  registry: Registry;
}

const TOP_KEYS = ["name", "description", "dtype", "seed", "state", "data", "noise", "ops", "transforms", "terms", "invariants", "policies"];

/**
 * Checks a spec's declarations and returns every problem found, each with its spec path. Never
 * throws, whatever it is given (non-objects, cycles, `__proto__` keys, getters that throw, NaN
 * weights): a value it cannot read becomes a finding. Runs no op factory: op shapes come from
 * Op instances and from registered op types' `declare`; the uses of other ops are left to the
 * compiler (`deferred`).
 */
export function lintSpec(spec: unknown, options: LintOptions): LintReport {
  const findings = new Findings();
  let ctx: LintContext | null = null;
  try {
    ctx = lintStructure(spec, options.registry, findings);
  } catch (err) {
    findings.error("LINT_UNREADABLE", "", `the spec could not be read: ${err instanceof Error ? err.message : String(err)}`, {
      hint: "pass a plain object built with defineFlow({...})",
    });
  }
  return { ok: !findings.list.some((f) => f.severity === "error"), findings: findings.list, deferred: ctx?.deferred ?? [] };
}

/** The top level (keys, name, dtype, seed), then each section in dependency order. */
function lintStructure(spec: unknown, registry: Registry, f: Findings): LintContext | null {
  if (!isRecord(spec)) {
    f.error("SPEC_NOT_OBJECT", "", "expected a spec object", { expected: "an object from defineFlow({...})", found: describeValue(spec) });
    return null;
  }
  for (const k of ownKeys(spec)) if (!TOP_KEYS.includes(k)) f.unknownKey(k, k, TOP_KEYS);
  const name = read(spec, "name");
  if (name !== undefined && typeof name !== "string") f.error("BAD_TYPE", "name", "expected a string", { expected: "string", found: describeValue(name) });
  const dtype = read(spec, "dtype");
  if (dtype !== undefined && !isDtype(dtype)) f.error("BAD_DTYPE", "dtype", "unknown dtype", { expected: '"float32" | "float64"', found: describeValue(dtype) });
  const seed = read(spec, "seed");
  if (seed !== undefined && !(typeof seed === "number" && Number.isSafeInteger(seed) && seed >= 0)) {
    f.error("BAD_SEED", "seed", "expected a non-negative integer seed", { expected: "integer ≥ 0", found: describeValue(seed) });
  }
  const runDtype = isDtype(dtype) ? dtype : "float64";
  const ctx = new LintContext(registry, runDtype, f, elementLimit(runDtype, givenMaxElements(read(spec, "policies")), "policies.budgets.maxElements (cflow: --max-elements)"));
  lintData(ctx, read(spec, "data"));
  lintNoise(ctx, read(spec, "noise"));
  lintOps(ctx, read(spec, "ops"));
  lintTransforms(ctx, read(spec, "transforms"));
  lintState(ctx, read(spec, "state"));
  const policies = read(spec, "policies");
  const flowPolicy = isRecord(policies) ? read(policies, "flow") : undefined;
  ctx.primalDual = isRecord(flowPolicy) && PRIMAL_DUAL_FAMILIES.includes(String(read(flowPolicy, "family")));
  const terms = lintTerms(ctx, read(spec, "terms"));
  lintComposites(ctx, terms);
  lintInvariants(ctx, read(spec, "invariants"));
  lintPolicies(ctx, read(spec, "policies"), terms);
  return ctx;
}

/** `policies.budgets.maxElements` when it is a valid count (an invalid one is reported with the policies, and the default applies). */
function givenMaxElements(policies: unknown): number | undefined {
  const budgets = isRecord(policies) ? read(policies, "budgets") : undefined;
  const v = isRecord(budgets) ? read(budgets, "maxElements") : undefined;
  return typeof v === "number" && Number.isInteger(v) && v >= 1 ? v : undefined;
}
