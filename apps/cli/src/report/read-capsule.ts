import { existsSync, readdirSync } from "node:fs";
import { basename } from "node:path";
import { capsulePath, loadRunManifest, queryRuns } from "@cflow/recorder";
import { readNpy } from "../data/npy.js";
import type { EventRecord, ReportData, ReportImage, ReportManifest, TelemetryRecord } from "./report-data.js";

/** Arrays larger than this are not drawn (a report must stay a reasonable size). */
const MAX_IMAGE_ELEMENTS = 4 * 1024 * 1024;

/**
 * Reads what a report needs from a run capsule: manifest.toml, the telemetry and events tables
 * (finished or killed: compacted files and parts alike, read through the recorder), and the
 * `.npy` arrays in artifacts/. The capsule is read honestly: a missing manifest, an unknown
 * schema_version, a damaged Parquet file or a dtype that disagrees between the manifest, the
 * tables and the checkpoints is an error naming the file. A run killed before its first flush
 * has no rows: that becomes a note in the report.
 */
export async function readReportData(runDir: string): Promise<ReportData> {
  const manifest = loadRunManifest(runDir) as unknown as ReportManifest;
  const telemetry = (await queryRuns("SELECT * FROM telemetry", runDir)).map(toTelemetry);
  const events = (await queryRuns("SELECT * FROM events", runDir)).map(toEvent);
  const notes: string[] = [];
  if (telemetry.length === 0) notes.push("no telemetry recorded: the run may have stopped before its first flush.");
  if (events.length === 0) notes.push("no events recorded: the run may have stopped before its first flush.");
  const images: ReportImage[] = [];
  const artifacts = capsulePath(runDir, "artifacts");
  if (existsSync(artifacts)) {
    for (const f of readdirSync(artifacts).filter((n) => n.endsWith(".npy")).sort()) {
      const a = readNpy(capsulePath(runDir, `artifacts/${f}`));
      if (a.data.length > MAX_IMAGE_ELEMENTS) {
        notes.push(`artifacts/${f} (${a.shape.join("×")}) is too large to draw in the report.`);
        continue;
      }
      images.push({ name: basename(f, ".npy"), shape: a.shape, data: a.data });
    }
  }
  return { manifest, telemetry, events, images, ...(notes.length ? { notes } : {}) };
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
