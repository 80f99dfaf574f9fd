import { CflowError } from "../errors.js";
import { nearestName } from "../registry/nearest.js";
import { type ParamRule, checkParam } from "./params.js";

type ValueOf<R extends ParamRule> = R["type"] extends "number" | "integer" ? number : R["type"] extends "boolean" ? boolean : R["type"] extends "number[]" ? number[] : string;

/** The typed parameters `readFlowParams` returns for a table of rules (absent when a rule has no default and was not given). */
export type FlowParams<R extends Record<string, ParamRule>> = {
  [K in keyof R]: R[K] extends { default: unknown } | { required: true } ? ValueOf<R[K]> : ValueOf<R[K]> | undefined;
};

/**
 * Reads the free-form parameters a spec factory receives (`cflow run --param size=256` arrives as
 * the string "256") against a table of rules: converts each value to its rule's type, checks it,
 * fills the defaults, and refuses unknown keys (naming the nearest one) and missing required ones.
 * Every refusal is a CflowError naming `--param <key>`, what was found and what was expected.
 */
export function readFlowParams<R extends Record<string, ParamRule>>(params: Record<string, unknown> | undefined, rules: R): FlowParams<R> {
  const out: Record<string, unknown> = {};
  const given = params ?? {};
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(rules, key)) {
      const near = nearestName(key, Object.keys(rules));
      throw new CflowError("PARAM_UNKNOWN", `--param ${key}: this flow has no parameter "${key}"` + (near ? ` — did you mean "${near}"?` : ""), {
        path: `--param ${key}`,
        expected: Object.keys(rules).length ? `one of ${Object.keys(rules).join(", ")}` : "no parameters",
        found: key,
        hint: near ? `did you mean --param ${near}=...?` : undefined,
      });
    }
  }
  for (const [key, rule] of Object.entries(rules)) {
    const raw = given[key];
    if (raw === undefined) {
      if (rule.required && rule.default === undefined) {
        throw new CflowError("PARAM_MISSING", `--param ${key} is required: ${rule.description}`, { path: `--param ${key}`, expected: `${key}=<${rule.type}>`, found: "nothing" });
      }
      if (rule.default !== undefined) out[key] = Array.isArray(rule.default) ? [...rule.default] : rule.default;
      continue;
    }
    const value = typeof raw === "string" ? convert(raw, rule) : raw;
    const problem = checkParam(rule, value);
    if (problem) {
      throw new CflowError("PARAM_INVALID", `--param ${key}=${String(raw)}: ${problem.message} (${rule.description})`, { path: `--param ${key}`, expected: problem.expected, found: String(raw) });
    }
    out[key] = value;
  }
  return out as FlowParams<R>;
}

/** The text as the rule's type, or the text itself when it does not read as one (checkParam then says why). */
function convert(text: string, rule: ParamRule): unknown {
  const t = text.trim();
  switch (rule.type) {
    case "number":
      return t !== "" && Number.isFinite(Number(t)) ? Number(t) : text;
    case "integer":
      return /^[-+]?\d+$/.test(t) ? Number(t) : text;
    case "boolean":
      return t === "true" || t === "1" ? true : t === "false" || t === "0" ? false : text;
    case "number[]": {
      const parts = t === "" ? [] : t.split(",").map((p) => p.trim());
      return parts.every((p) => p !== "" && Number.isFinite(Number(p))) ? parts.map(Number) : text;
    }
    case "string":
      return text;
  }
}
