import { type Table, tableFromJSON } from "apache-arrow";
import { queryRuns } from "./query-runs.js";

/**
 * `queryRuns` as an Apache Arrow table — columnar results for notebooks, Arrow-native tools and
 * zero-copy hand-offs (`table.getChild("E")?.toArray()` is a Float64Array). Column types follow
 * the values: numbers → Float64, strings → Utf8, booleans → Bool, nulls kept.
 */
export async function queryRunsArrow(sql: string, runDirs: string | readonly string[]): Promise<Table> {
  const rows = await queryRuns(sql, runDirs);
  return tableFromJSON(rows as Record<string, unknown>[]);
}
