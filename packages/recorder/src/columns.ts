import { CflowError, FLOW_EVENTS, type FlowEvent, type Json, type TelemetryRow } from "@cflow/core";

/** DuckDB column types used by the capsule tables (SCHEMA.md spells them the same way). */
export type ColumnType = "VARCHAR" | "INTEGER" | "DOUBLE" | "VARCHAR[]";

export interface Column<R> {
  name: string;
  type: ColumnType;
  /** Never null (the row type requires it). */
  required?: true;
  value(row: R, runId: string): string | number | null | readonly string[];
}

/** Longest numeric array a telemetry field or event payload may carry: longer ones would be raw data. */
export const MAX_METRIC_ARRAY = 256;

/** telemetry.parquet, in column order (SCHEMA.md "Telemetry"). */
export const TELEMETRY_COLUMNS: readonly Column<TelemetryRow>[] = [
  { name: "run_id", type: "VARCHAR", required: true, value: (_, id) => id },
  { name: "phase", type: "VARCHAR", required: true, value: (r) => r.phase },
  { name: "iter", type: "INTEGER", required: true, value: (r) => r.iter },
  { name: "trial_id", type: "INTEGER", value: (r) => r.trialId },
  { name: "t_wall_ms", type: "DOUBLE", required: true, value: (r) => r.tWallMs },
  { name: "alpha", type: "DOUBLE", required: true, value: (r) => r.alpha },
  { name: "lambda", type: "DOUBLE", value: (r) => r.lambda },
  { name: "lambda_j", type: "VARCHAR", value: (r) => (r.lambdaJ === null ? null : JSON.stringify(r.lambdaJ)) },
  { name: "E", type: "DOUBLE", required: true, value: (r) => r.E },
  { name: "grad_norm", type: "DOUBLE", required: true, value: (r) => r.gradNorm },
  { name: "eta_dd", type: "DOUBLE", value: (r) => r.etaDD },
  { name: "gamma", type: "DOUBLE", value: (r) => r.gamma },
  { name: "sparsity_wx", type: "DOUBLE", value: (r) => r.sparsityWx },
  { name: "invariant_drift_max", type: "DOUBLE", value: (r) => r.invariantDriftMax },
  { name: "phi_residual", type: "DOUBLE", value: (r) => r.phiResidual },
  { name: "lens_name", type: "VARCHAR", value: (r) => r.lensName },
  { name: "level_active_max", type: "INTEGER", value: (r) => r.levelActiveMax },
  { name: "sparsity_mode", type: "VARCHAR", value: (r) => r.sparsityMode },
  { name: "flow_family", type: "VARCHAR", required: true, value: (r) => r.flowFamily },
  { name: "warnings", type: "VARCHAR[]", required: true, value: (r) => r.warnings },
  { name: "notes", type: "VARCHAR", value: (r) => r.notes },
  { name: "optimality", type: "DOUBLE", value: (r) => r.optimality ?? null },
  { name: "primal_residual", type: "DOUBLE", value: (r) => r.primalResidual ?? null },
  { name: "dual_residual", type: "DOUBLE", value: (r) => r.dualResidual ?? null },
  { name: "error_bar", type: "DOUBLE", value: (r) => r.errorBar ?? null },
];

/** events.parquet, in column order (SCHEMA.md "Events"). */
export const EVENT_COLUMNS: readonly Column<FlowEvent>[] = [
  { name: "run_id", type: "VARCHAR", required: true, value: (_, id) => id },
  { name: "t_wall_ms", type: "DOUBLE", required: true, value: (e) => e.tWallMs },
  { name: "iter", type: "INTEGER", required: true, value: (e) => e.iter },
  { name: "event", type: "VARCHAR", required: true, value: (e) => e.event },
  { name: "payload", type: "VARCHAR", required: true, value: (e) => JSON.stringify(e.payload ?? {}) },
];

/** `CREATE TABLE` column list (identifiers quoted: `lambda` is a DuckDB keyword, `E` is upper case). */
export function columnsDdl(columns: readonly Column<never>[]): string {
  return columns.map((c) => `"${c.name}" ${c.type}`).join(", ");
}

const PHASES = new Set(["RED", "AMBER", "GREEN"]);
const EVENTS = new Set<string>(FLOW_EVENTS);

/** Rejects what column kinds alone would let through: an unknown phase, a raw-data-sized λ_j. */
export function checkTelemetryRow(r: TelemetryRow): void {
  const bad = (field: string, expected: string, found: unknown): never => {
    throw new CflowError("BAD_TELEMETRY_ROW", `recorder.telemetry: field ${field} expected ${expected}, found ${JSON.stringify(found) ?? String(found)}`, {
      path: `telemetry.${field}`,
      expected,
      found,
    });
  };
  if (!PHASES.has(r.phase)) bad("phase", "RED | AMBER | GREEN", r.phase);
  if (r.lambdaJ !== null && (!Array.isArray(r.lambdaJ) || r.lambdaJ.length > MAX_METRIC_ARRAY)) {
    bad("lambdaJ", `null or an array of at most ${MAX_METRIC_ARRAY} numbers (telemetry holds metrics, never raw data)`, Array.isArray(r.lambdaJ) ? `an array of ${r.lambdaJ.length}` : r.lambdaJ);
  }
}

export function checkFlowEvent(e: FlowEvent): void {
  if (!EVENTS.has(e.event)) {
    throw new CflowError("BAD_EVENT", `recorder.event: unknown event ${JSON.stringify(e.event)}; expected one of ${FLOW_EVENTS.join(", ")}`, {
      path: "event.event",
      expected: FLOW_EVENTS,
      found: e.event,
    });
  }
  if (!Number.isInteger(e.iter)) {
    throw new CflowError("BAD_EVENT", `recorder.event ${e.event}: iter expected an integer, found ${e.iter}`, { path: "event.iter", expected: "an integer", found: e.iter });
  }
  const long = longestArray(e.payload);
  if (long > MAX_METRIC_ARRAY) {
    throw new CflowError("BAD_EVENT", `recorder.event ${e.event}: payload holds an array of ${long} values; events carry metrics, never raw data (at most ${MAX_METRIC_ARRAY})`, {
      path: "event.payload",
      expected: `arrays of at most ${MAX_METRIC_ARRAY}`,
      found: long,
    });
  }
}

function longestArray(v: Json | undefined): number {
  if (v === null || typeof v !== "object") return 0;
  let m = Array.isArray(v) ? v.length : 0;
  for (const x of Array.isArray(v) ? v : Object.values(v)) m = Math.max(m, longestArray(x));
  return m;
}
