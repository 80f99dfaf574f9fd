/**
 * What a run report is drawn from: the contents of a run capsule (docs/design.md §5, SCHEMA.md). Column
 * names are the Parquet ones (snake_case); `readReportData` fills this from a capsule, tests and
 * other tools can build it directly.
 */

export type ReportPhase = "RED" | "AMBER" | "GREEN";

/** One row of telemetry.parquet (an iteration or a tuner trial). Nulls: not measured at this row. */
export interface TelemetryRecord {
  run_id: string;
  phase: ReportPhase | string;
  iter: number;
  trial_id: number | null;
  t_wall_ms: number;
  alpha: number | null;
  lambda: number | null;
  /** Per-band λ_j as a JSON array (coarsest detail band first), or null. */
  lambda_j: string | null;
  E: number | null;
  grad_norm: number | null;
  eta_dd: number | null;
  gamma: number | null;
  sparsity_wx: number | null;
  invariant_drift_max: number | null;
  phi_residual: number | null;
  lens_name: string | null;
  level_active_max: number | null;
  sparsity_mode: string | null;
  flow_family: string | null;
  /** Warnings of the row: a JSON array of strings, a list, or null. */
  warnings: string | string[] | null;
  notes: string | null;
}

/** One row of events.parquet. */
export interface EventRecord {
  run_id: string;
  t_wall_ms: number;
  /** Iteration the event belongs to (−1 before the first step). */
  iter: number;
  event: string;
  /** JSON object with the event's fields (SCHEMA.md lists them per event). */
  payload: string;
}

/** An event's payload as an object ({} when it is not a JSON object). */
export function eventPayload(e: EventRecord): Record<string, unknown> {
  try {
    const v = JSON.parse(e.payload) as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** An array artifact (artifacts/<name>.npy): `input` and `result` are drawn, with their difference. */
export interface ReportImage {
  name: string;
  shape: number[];
  data: ArrayLike<number>;
}

/**
 * manifest.toml. The keys the report reads are typed; the rest is shown as it is in the
 * manifest section.
 */
export interface ReportManifest {
  run_id?: string;
  started_at?: string;
  schema_version?: number | string;
  dtype?: string;
  seed?: number;
  deterministic?: boolean;
  redact_artifacts?: boolean;
  flow_family?: string;
  frame_type?: string | null;
  lens?: string | null;
  /** The spec's name, path and description, as `cflow run` records them (`[extra.spec]`). */
  extra?: { spec?: { name?: string; path?: string; description?: string; [key: string]: unknown }; [key: string]: unknown };
  gates?: { eta_max?: number; gamma_min?: number; [key: string]: unknown };
  budgets?: { max_iters?: number; max_trials?: number; wall_time_ms?: number | null; [key: string]: unknown };
  /** Written when the run ends (absent in the capsule of a run that is still going or was killed). */
  summary?: {
    status?: string;
    phase?: string;
    iters?: number;
    final_energy?: number | null;
    t_wall_ms?: number;
    /** The final certificate's bound on ‖x − x*_S‖ (SCHEMA.md, manifest `summary.error_bar`). */
    error_bar?: { bound?: number; gradient_mapping?: number; route?: string; failure_probability?: number };
    [key: string]: unknown;
  };
  versions?: Record<string, string>;
  [key: string]: unknown;
}

export interface ReportData {
  manifest: ReportManifest;
  telemetry: TelemetryRecord[];
  events: EventRecord[];
  images: ReportImage[];
  /** Problems met while reading the capsule (a missing telemetry file...), shown at the top. */
  notes?: string[];
}
