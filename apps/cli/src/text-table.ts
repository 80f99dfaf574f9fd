/**
 * An aligned plain-text table: a header row, a rule, then the rows; columns marked numeric are
 * right-aligned. Cells are measured by their visible characters (colour codes take no columns).
 */
export function textTable(columns: readonly string[], rows: readonly (readonly string[])[], numeric: readonly boolean[] = []): string {
  const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "").length;
  const widths = columns.map((c, j) => Math.max(visible(c), ...rows.map((r) => visible(r[j] ?? ""))));
  const pad = (v: string, j: number) => {
    const fill = " ".repeat(Math.max(0, widths[j] - visible(v)));
    return numeric[j] ? fill + v : v + fill;
  };
  const fmt = (r: readonly string[]) => r.map((v, j) => pad(v ?? "", j)).join("  ").trimEnd();
  return [fmt(columns), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(fmt)].join("\n");
}
