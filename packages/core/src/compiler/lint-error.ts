import { CflowError } from "../errors.js";
import type { Finding } from "../spec/lint.js";

/** A spec with RED findings: compilation is refused, and the findings say why (phase RED). */
export class SpecLintError extends CflowError {
  constructor(readonly findings: Finding[]) {
    const errors = findings.filter((f) => f.severity === "error");
    super(
      "SPEC_LINT_FAIL",
      `the spec has ${errors.length} error${errors.length === 1 ? "" : "s"}:\n` + errors.map((f) => `  - ${f.message}${f.expected ? ` (expected ${f.expected}${f.found ? `, found ${f.found}` : ""})` : ""}${f.hint ? ` — ${f.hint}` : ""}`).join("\n"),
      { path: errors[0]?.path, expected: errors[0]?.expected, found: errors[0]?.found, hint: errors[0]?.hint },
    );
  }
}
