import { describeValue } from "../../dtype.js";
import type { LintContext } from "./context.js";
import { isRecord, read } from "./read.js";

/** `invariants`: each named, of a known kind, with a checker unless it is a symmetry, and a tolerance ≥ 0. */
export function lintInvariants(ctx: LintContext, inv: unknown): void {
  const f = ctx.findings;
  if (inv === undefined) return;
  if (!Array.isArray(inv)) {
    f.error("BAD_TYPE", "invariants", "expected an array of invariants", { expected: "[{ name, kind, check }]", found: describeValue(inv) });
    return;
  }
  inv.forEach((v, i) => {
    const path = `invariants[${i}]`;
    if (!isRecord(v)) {
      f.error("BAD_TYPE", path, "expected { name, kind, check }", { expected: "an object", found: describeValue(v) });
      return;
    }
    const name = read(v, "name");
    if (typeof name !== "string" || name.length === 0) f.error("BAD_TYPE", `${path}.name`, "an invariant needs a name", { expected: "a non-empty string", found: describeValue(name) });
    const kind = read(v, "kind");
    if (kind !== "conserved" && kind !== "constraint" && kind !== "symmetry") {
      f.error("BAD_KIND", `${path}.kind`, "unknown invariant kind", { expected: '"conserved" | "constraint" | "symmetry"', found: describeValue(kind) });
    }
    const check = read(v, "check");
    if (check === undefined && kind !== "symmetry") {
      f.error("MISSING_CHECKER", `${path}.check`, `invariant ${describeValue(name)} is declared without a checker, so it cannot be certified`, {
        expected: "check: (state) => number",
        found: "undefined",
        hint: "give a function returning the conserved quantity or the constraint residual",
      });
    } else if (check !== undefined && typeof check !== "function") {
      f.error("BAD_TYPE", `${path}.check`, "expected a function of the state", { expected: "(state) => number", found: describeValue(check) });
    }
    const tol = read(v, "tolerance");
    if (tol !== undefined && !(typeof tol === "number" && Number.isFinite(tol) && tol >= 0)) f.error("BAD_PARAM", `${path}.tolerance`, "expected a tolerance ≥ 0", { expected: "finite number ≥ 0", found: describeValue(tol) });
  });
}
