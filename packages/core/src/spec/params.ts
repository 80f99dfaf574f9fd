import { describeValue } from "../dtype.js";

/** How a parameter (of an atom or an op factory) is checked by the linter and defaulted by the compiler. */
export interface ParamRule {
  type: "number" | "integer" | "boolean" | "string" | "number[]";
  description: string;
  default?: number | boolean | string | number[];
  required?: boolean;
  min?: number;
  /** The minimum itself is not allowed. */
  exclusiveMin?: boolean;
  max?: number;
  oneOf?: string[];
}

/** A problem with one parameter value, or null when it satisfies its rule. */
export function checkParam(rule: ParamRule, value: unknown): { message: string; expected: string; found: string } | null {
  const found = describeValue(value);
  const num = (v: unknown) => typeof v === "number" && Number.isFinite(v);
  const range = () => {
    const lo = rule.min === undefined ? "" : `${rule.exclusiveMin ? ">" : "≥"} ${rule.min}`;
    const hi = rule.max === undefined ? "" : `≤ ${rule.max}`;
    return [lo, hi].filter(Boolean).join(" and ");
  };
  const inRange = (v: number) =>
    (rule.min === undefined || (rule.exclusiveMin ? v > rule.min : v >= rule.min)) && (rule.max === undefined || v <= rule.max);
  switch (rule.type) {
    case "number":
    case "integer": {
      const what = rule.type === "integer" ? "an integer" : "a finite number";
      if (!num(value) || (rule.type === "integer" && !Number.isInteger(value))) return { message: `expected ${what}`, expected: what + (range() ? ` ${range()}` : ""), found };
      if (!inRange(value as number)) return { message: `out of range`, expected: `${what} ${range()}`, found };
      return null;
    }
    case "boolean":
      return typeof value === "boolean" ? null : { message: "expected a boolean", expected: "true or false", found };
    case "string":
      if (typeof value !== "string") return { message: "expected a string", expected: rule.oneOf ? rule.oneOf.join(" | ") : "a string", found };
      if (rule.oneOf && !rule.oneOf.includes(value)) return { message: `unknown value`, expected: rule.oneOf.join(" | "), found };
      return null;
    case "number[]":
      if (!Array.isArray(value) || !value.every(num)) return { message: "expected an array of finite numbers", expected: "number[]", found };
      if (!value.every((v: number) => inRange(v))) return { message: "an element is out of range", expected: `every element ${range()}`, found };
      return null;
  }
}

/** Parameters with defaults filled in for the rules that have one. */
export function withDefaults(rules: Record<string, ParamRule>, params: Record<string, unknown> | undefined): Record<string, number | string | boolean | number[]> {
  const out: Record<string, number | string | boolean | number[]> = {};
  for (const [k, r] of Object.entries(rules)) if (r.default !== undefined) out[k] = r.default;
  for (const [k, v] of Object.entries(params ?? {})) out[k] = v as number | string | boolean | number[];
  return out;
}
