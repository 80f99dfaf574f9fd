import type { AtomDef } from "../../atoms/atom.js";
import type { LintContext } from "./context.js";
import type { TermInfo } from "./terms.js";

/** Non-smooth pairs on one slot that have one exact prox (docs/design.md §2.1: one prox per slot). */
export const SUPPORTED_COMPOSITES: readonly [string, string][] = [
  ["l1", "nonneg"],
  ["l1", "box"],
];

/** At most one non-smooth term per slot, or a supported composite of two in the same space. */
export function lintComposites(ctx: LintContext, terms: readonly TermInfo[]): void {
  const bySlot = new Map<string, { index: number; atom: AtomDef }[]>();
  for (const t of terms) {
    // terms split through their op by a primal–dual flow are not proxed on the slot
    if (!t.atom || t.atom.kind !== "prox" || t.slot === null || t.split) continue;
    bySlot.set(t.slot, [...(bySlot.get(t.slot) ?? []), { index: t.index, atom: t.atom }]);
  }
  for (const [slot, list] of bySlot) {
    if (list.length < 2) continue;
    const names = list.map((t) => t.atom.name).sort();
    const supported = list.length === 2 && list[0].atom.space === list[1].atom.space && SUPPORTED_COMPOSITES.some(([a, b]) => [a, b].sort().join() === names.join());
    if (supported) continue;
    const [first, ...rest] = list;
    for (const t of rest) {
      ctx.findings.error("NONSEPARABLE_PROX", `terms[${t.index}].atom`, `slot "${slot}" already has the non-smooth term terms[${first.index}] (${first.atom.name}); ${t.atom.name} + ${first.atom.name} has no exact joint prox`, {
        expected: `one non-smooth term per slot, or a supported composite: ${SUPPORTED_COMPOSITES.map((c) => c.join(" + ")).join(", ")}`,
        found: names.join(" + "),
        hint: "replace one of them by a smooth penalty (e.g. huber or tikhonov), or move it to another slot",
      });
    }
  }
}
