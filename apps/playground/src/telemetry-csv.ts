// The run's telemetry as CSV: the columns of the recorder's telemetry.parquet (SCHEMA.md
// "Telemetry", @cflow/recorder/columns), one line per row.
import type { TelemetryRow } from "@cflow/core";
import { TELEMETRY_COLUMNS } from "@cflow/recorder/columns";
import { stringify } from "csv-stringify/browser/esm/sync";

export function telemetryCsv(rows: readonly TelemetryRow[], runId: string): string {
  return stringify(
    rows.map((r) => TELEMETRY_COLUMNS.map((c) => {
      const v = c.value(r, runId);
      return Array.isArray(v) ? JSON.stringify(v) : v;
    })),
    { header: true, columns: TELEMETRY_COLUMNS.map((c) => c.name), cast: { number: (v) => String(v) } },
  );
}
