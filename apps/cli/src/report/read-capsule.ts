import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { CflowError } from "@cflow/core";
import { DuckDBInstance } from "@duckdb/node-api";
import { parse as parseToml } from "smol-toml";
import { readNpy } from "../data/npy.js";
import type { EventRecord, ReportData, ReportImage, ReportManifest, TelemetryRecord } from "./report-data.js";

/** Arrays larger than this are not drawn (a report must stay a reasonable size). */
const MAX_IMAGE_ELEMENTS = 4 * 1024 * 1024;

/**
 * Reads what a report needs from a run capsule: manifest.toml, telemetry.parquet and
 * events.parquet (through DuckDB), and the `.npy` arrays in artifacts/. A capsule whose run was
 * killed may lack the Parquet files: that becomes a note in the report, not an error.
 */
export async function readReportData(runDir: string): Promise<ReportData> {
  const manifestPath = join(runDir, "manifest.toml");
  if (!existsSync(runDir) || !statSync(runDir).isDirectory()) {
    throw new CflowError("CAPSULE_NOT_FOUND", `${runDir}: no such run directory`, { path: runDir, expected: "a run capsule directory (runs/<run_id>)", found: "nothing at this path" });
  }
  if (!existsSync(manifestPath)) {
    throw new CflowError("CAPSULE_NO_MANIFEST", `${runDir}: not a run capsule (no manifest.toml)`, {
      path: manifestPath,
      expected: "a directory written by cflow run, with manifest.toml",
      found: `${readdirSync(runDir).length} entries without manifest.toml`,
      hint: "capsules live under runs/<run_id>",
    });
  }
  let manifest: ReportManifest;
  try {
    manifest = parseToml(readFileSync(manifestPath, "utf8")) as ReportManifest;
  } catch (e) {
    throw new CflowError("CAPSULE_BAD_MANIFEST", `${manifestPath}: cannot parse the manifest: ${(e as Error).message.split("\n")[0]}`, {
      path: manifestPath,
      expected: "valid TOML",
      found: (e as Error).message.split("\n")[0],
    });
  }
  const notes: string[] = [];
  const telemetryPath = join(runDir, "telemetry.parquet");
  const eventsPath = join(runDir, "events.parquet");
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  let telemetry: TelemetryRecord[] = [];
  let events: EventRecord[] = [];
  try {
    if (existsSync(telemetryPath)) telemetry = (await readParquet(conn, telemetryPath)).map(toTelemetry);
    else notes.push("telemetry.parquet is missing: the run may not have flushed any telemetry.");
    if (existsSync(eventsPath)) events = (await readParquet(conn, eventsPath)).map(toEvent);
    else notes.push("events.parquet is missing: the run may not have flushed any events.");
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  const images: ReportImage[] = [];
  const artifacts = join(runDir, "artifacts");
  if (existsSync(artifacts)) {
    for (const f of readdirSync(artifacts).filter((n) => n.endsWith(".npy")).sort()) {
      const a = readNpy(join(artifacts, f));
      if (a.data.length > MAX_IMAGE_ELEMENTS) {
        notes.push(`artifacts/${f} (${a.shape.join("×")}) is too large to draw in the report.`);
        continue;
      }
      images.push({ name: basename(f, ".npy"), shape: a.shape, data: a.data });
    }
  }
  return { manifest, telemetry, events, images, ...(notes.length ? { notes } : {}) };
}

async function readParquet(conn: Awaited<ReturnType<DuckDBInstance["connect"]>>, path: string): Promise<Record<string, unknown>[]> {
  try {
    const reader = await conn.runAndReadAll(`SELECT * FROM read_parquet('${path.replaceAll("'", "''")}')`);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  } catch (e) {
    throw new CflowError("CAPSULE_BAD_PARQUET", `${path}: cannot read the Parquet file: ${(e as Error).message.split("\n")[0]}`, {
      path,
      expected: "a Parquet file written by the cflow recorder",
      found: (e as Error).message.split("\n")[0],
    });
  }
}

function num(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = typeof v === "bigint" ? Number(v) : typeof v === "number" ? v : Number(v);
  return Number.isNaN(n) ? null : n;
}

function str(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === "string" ? v : JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? Number(x) : x));
}

function toTelemetry(r: Record<string, unknown>): TelemetryRecord {
  return {
    run_id: str(r.run_id) ?? "",
    phase: str(r.phase) ?? "AMBER",
    iter: num(r.iter) ?? 0,
    trial_id: num(r.trial_id),
    t_wall_ms: num(r.t_wall_ms) ?? 0,
    alpha: num(r.alpha),
    lambda: num(r.lambda),
    lambda_j: str(r.lambda_j),
    E: num(r.E ?? r.e),
    grad_norm: num(r.grad_norm),
    eta_dd: num(r.eta_dd),
    gamma: num(r.gamma),
    sparsity_wx: num(r.sparsity_wx),
    invariant_drift_max: num(r.invariant_drift_max),
    phi_residual: num(r.phi_residual),
    lens_name: str(r.lens_name),
    level_active_max: num(r.level_active_max),
    sparsity_mode: str(r.sparsity_mode),
    flow_family: str(r.flow_family),
    warnings: Array.isArray(r.warnings) ? r.warnings.map(String) : str(r.warnings),
    notes: str(r.notes),
  };
}

function toEvent(r: Record<string, unknown>): EventRecord {
  return {
    run_id: str(r.run_id) ?? "",
    t_wall_ms: num(r.t_wall_ms) ?? 0,
    iter: num(r.iter) ?? -1,
    event: str(r.event) ?? "",
    payload: str(r.payload) ?? "{}",
  };
}
