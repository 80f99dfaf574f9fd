/** A SQL string literal (single quotes doubled): file paths and metadata values go through here. */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** A DuckDB STRUCT literal of string values, as COPY's KV_METADATA option wants it. */
export function sqlKvStruct(kv: Record<string, string>): string {
  return `{${Object.entries(kv)
    .map(([k, v]) => `"${k.replace(/"/g, '""')}": ${sqlString(v)}`)
    .join(", ")}}`;
}

/** A DuckDB list literal of paths. */
export function sqlPathList(paths: readonly string[]): string {
  return `[${paths.map(sqlString).join(", ")}]`;
}
