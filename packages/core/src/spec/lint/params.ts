import { nearestName } from "../../registry/nearest.js";
import { type ParamRule, checkParam } from "../params.js";
import type { LintContext } from "./context.js";
import { didYouMean } from "./findings.js";

/**
 * Checks parameters against a declared schema (an atom's or an op type's `params`): no unknown
 * names, each value of its rule's type and range (a string may name a data array), the required
 * ones present. Returns whether all passed.
 */
export function checkParams(ctx: LintContext, path: string, rules: Record<string, ParamRule>, params: Record<string, unknown>): boolean {
  const f = ctx.findings;
  let ok = true;
  for (const [k, v] of Object.entries(params)) {
    const rule = rules[k];
    if (!rule) {
      f.error("UNKNOWN_PARAM", `${path}.${k}`, `unknown parameter "${k}"`, {
        expected: Object.keys(rules).join(", ") || "no parameters",
        found: JSON.stringify(k),
        hint: didYouMean(nearestName(k, Object.keys(rules))),
      });
      ok = false;
      continue;
    }
    if (typeof v === "string" && ctx.data.has(v) && rule.type === "string") continue;
    const problem = checkParam(rule, v);
    if (problem) {
      f.error("BAD_PARAM", `${path}.${k}`, `${problem.message} (${rule.description})`, { expected: problem.expected, found: problem.found });
      ok = false;
    }
  }
  for (const [k, rule] of Object.entries(rules)) {
    if (rule.required && params[k] === undefined) {
      f.error("MISSING_PARAM", `${path}.${k}`, `missing required parameter "${k}" (${rule.description})`, { expected: rule.type, found: "undefined" });
      ok = false;
    }
  }
  return ok;
}
