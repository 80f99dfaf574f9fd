import { join } from "node:path";
import { CflowError, DtypeError, ShapeError, shapeSize, type Json, type Phase, type RealArray, type ResumePoint, type RngKey } from "@cflow/core";
import { headerRngKey } from "./checkpoint-file.js";
import { loadLatestCheckpoint, type LoadedCheckpoint } from "./checkpoint-store.js";
import { loadRunManifest, type RunManifest } from "./manifest.js";
import { appendRunLog } from "./run-log.js";
import { checkSchemaVersion } from "./schema-version.js";

export interface ResumedRun {
  /** Every array of the checkpoint: the state slots and the flow family's arrays. */
  state: Record<string, RealArray>;
  tunerState: Json;
  controllerState: Json;
  phase: Phase;
  iter: number;
  rngKey: RngKey;
  /** Whether the checkpoint was certified (GREEN). */
  good: boolean;
  manifest: RunManifest;
  /** Path of the checkpoint restored. */
  checkpoint: string;
  /** Pass as `RunStartInfo.resumedFrom` so the recorder continues this capsule. */
  resumePoint: ResumePoint;
  /** Corrupted checkpoints passed over (also logged to logs.ndjson). */
  warnings: string[];
}

/**
 * Everything a run needs to continue from its newest valid checkpoint. Refuses capsules of an
 * unknown or newer schema_version, redacted runs (their checkpoints hold no arrays), and
 * checkpoints whose dtype or arrays disagree with the manifest; a torn or corrupted newest
 * checkpoint is passed over for the previous one with a warning in logs.ndjson.
 */
export function resumeRun(runDir: string): ResumedRun {
  return loadCheckpoint(runDir);
}

/** The newest valid checkpoint — only certified (GREEN) ones with `good`, e.g. for a rollback — checked as `resumeRun` does. */
export function loadCheckpoint(runDir: string, options: { good?: boolean } = {}): ResumedRun {
  const manifest = loadRunManifest(runDir);
  if (manifest.redact_artifacts) {
    throw new CflowError("RESUME_REDACTED", `resumeRun ${runDir}: run ${manifest.run_id} was recorded with redact_artifacts = true — its checkpoints hold no array data, so it cannot be resumed`, {
      path: join(runDir, "manifest.toml"),
      found: "redact_artifacts = true",
      expected: "redact_artifacts = false",
      hint: "record runs you may want to resume without redactArtifacts",
    });
  }
  const loaded = loadLatestCheckpoint(runDir, options);
  for (const s of loaded.skipped) {
    appendRunLog(runDir, manifest.run_id, "warn", "corrupted checkpoint skipped; using an earlier one", { code: "CHECKPOINT_CORRUPT", file: s.path, reason: s.reason, used: loaded.entry.path });
  }
  checkAgainstManifest(loaded, manifest);
  const h = loaded.header;
  return {
    state: loaded.arrays,
    tunerState: h.tuner_state,
    controllerState: h.controller_state,
    phase: h.phase,
    iter: h.iter,
    rngKey: headerRngKey(h, loaded.entry.path),
    good: h.good,
    manifest,
    checkpoint: loaded.entry.path,
    resumePoint: { runId: manifest.run_id, checkpoint: loaded.entry.name, iter: h.iter, telemetryRows: h.telemetry_rows, eventRows: h.event_rows },
    warnings: loaded.skipped.map((s) => `skipped corrupted checkpoint ${s.path}: ${s.reason}`),
  };
}

/** A checkpoint must belong to the run and agree with its manifest: schema, dtype, one array per slot of the slot's size. */
export function checkAgainstManifest(c: LoadedCheckpoint, m: RunManifest): void {
  const file = c.entry.path;
  const h = c.header;
  checkSchemaVersion(h.schema_version, file);
  if (h.run_id !== m.run_id) {
    throw new CflowError("CHECKPOINT_FOREIGN", `${file}: checkpoint of run ${h.run_id}, the manifest is run ${m.run_id}`, { path: file, expected: m.run_id, found: h.run_id });
  }
  if (h.dtype !== m.dtype) throw new DtypeError(`resumeRun ${file}`, m.dtype, h.dtype, `the manifest ${join(file, "..", "..", "manifest.toml")} says ${m.dtype}`);
  if (h.redacted) {
    throw new CflowError("RESUME_REDACTED", `resumeRun ${file}: the checkpoint is redacted (no array data), so the run cannot be resumed`, { path: file, found: "redacted checkpoint" });
  }
  for (const a of h.arrays) {
    if (a.dtype !== m.dtype) throw new DtypeError(`resumeRun ${file} array ${a.name}`, m.dtype, a.dtype);
  }
  for (const slot of m.slots) {
    const a = c.arrays[slot.name];
    const expected = shapeSize(slot.shape);
    if (!a) throw new ShapeError(`resumeRun ${file} slot ${slot.name}`, slot.shape, "missing", `the manifest lists slot ${slot.name}; the checkpoint has ${Object.keys(c.arrays).join(", ") || "no arrays"}`);
    if (a.length !== expected) throw new ShapeError(`resumeRun ${file} slot ${slot.name}`, slot.shape, a.length, `the manifest says shape [${slot.shape.join(", ")}] = ${expected} elements`);
  }
}
