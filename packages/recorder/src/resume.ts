import { basename } from "node:path";
import { CflowError, DtypeError, ShapeError, shapeSize, type Json, type Phase, type RealArray, type ResumePoint, type RngKey } from "@cflow/core";
import { capsulePath, capsuleRoot } from "./capsule-files.js";
import { MANIFEST_FILE } from "./capsule-layout.js";
import { headerRngKey, type CheckpointHeader } from "./checkpoint-file.js";
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
 * unknown or newer schema_version, a capsule whose directory name is not its manifest's run id (a
 * copy under another name: a resume writes into `runDir` and nowhere else), redacted runs (their
 * checkpoints hold no arrays), checkpoints of another run or capsule, and checkpoints whose dtype
 * or arrays disagree with the manifest; a torn or corrupted newest checkpoint is passed over for
 * the previous one with a warning in logs.ndjson.
 */
export function resumeRun(runDir: string): ResumedRun {
  return loadCheckpoint(runDir);
}

/** The newest valid checkpoint — only certified (GREEN) ones with `good`, e.g. for a rollback — checked as `resumeRun` does. */
export function loadCheckpoint(runDir: string, options: { good?: boolean } = {}): ResumedRun {
  const manifest = loadRunManifest(runDir);
  checkRunDirName(runDir, manifest);
  if (manifest.redact_artifacts) {
    throw new CflowError("RESUME_REDACTED", `resumeRun ${runDir}: run ${manifest.run_id} was recorded with redact_artifacts = true — its checkpoints hold no array data, so it cannot be resumed`, {
      path: capsulePath(runDir, MANIFEST_FILE),
      found: "redact_artifacts = true",
      expected: "redact_artifacts = false",
      hint: "record runs you may want to resume without redactArtifacts",
    });
  }
  const loaded = loadLatestCheckpoint(runDir, options);
  for (const s of loaded.skipped) {
    appendRunLog(runDir, manifest.run_id, "warn", "corrupted checkpoint skipped; using an earlier one", { code: "CHECKPOINT_CORRUPT", file: s.path, reason: s.reason, used: loaded.entry.path });
  }
  checkAgainstManifest(loaded, manifest, runDir);
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

/**
 * A capsule is continued only in the directory named after its run: the manifest's run id must be
 * the directory's name. A copy (`run.bak`) or a forged manifest naming another run is refused
 * naming both, so nothing is ever written into a capsule other than the one given.
 */
export function checkRunDirName(runDir: string, m: RunManifest): void {
  const root = capsuleRoot(runDir);
  const name = basename(root);
  if (m.run_id !== name) {
    throw new CflowError("RUN_DIR_MISMATCH", `${root}: the manifest says run ${JSON.stringify(m.run_id)} but the directory is ${JSON.stringify(name)} — a run is continued only in the capsule named after it`, {
      path: capsulePath(root, MANIFEST_FILE),
      expected: `run_id = ${JSON.stringify(name)} (the directory's name)`,
      found: `run_id = ${JSON.stringify(m.run_id)}`,
      hint: `a copied capsule keeps its run id: resume the original, or rename the copy to ${m.run_id} in another runs directory`,
    });
  }
}

/**
 * A checkpoint belongs to the capsule it sits in: its header names the manifest's run id and,
 * from schema_version 2, the manifest's capsule_id (its trailing SHA-256 covers both), so a
 * checkpoint copied in from another capsule — another run, or another run of the same id — is
 * refused before anything is written.
 */
export function checkCheckpointBinding(h: CheckpointHeader, file: string, m: RunManifest, runDir: string): void {
  const manifestFile = capsulePath(runDir, MANIFEST_FILE);
  checkSchemaVersion(h.schema_version, file);
  if (h.run_id !== m.run_id) {
    throw new CflowError("CHECKPOINT_FOREIGN", `${file}: checkpoint of run ${h.run_id}, the manifest ${manifestFile} is run ${m.run_id}`, { path: file, expected: `run_id ${m.run_id}`, found: `run_id ${h.run_id}` });
  }
  // Checkpoints of schema_version 1 predate capsule ids; the run id and directory name bind them.
  const legacy = h.schema_version < 2 && h.capsule_id === undefined;
  if (!legacy && (m.capsule_id === undefined || h.capsule_id !== m.capsule_id)) {
    throw new CflowError("CHECKPOINT_FOREIGN", `${file}: checkpoint of capsule ${h.capsule_id ?? "(none)"}, but ${manifestFile} is capsule ${m.capsule_id ?? "(none)"} — it was copied in from another capsule`, {
      path: file,
      expected: `capsule_id ${m.capsule_id ?? "(none)"}`,
      found: `capsule_id ${h.capsule_id ?? "(none)"}`,
    });
  }
}

/** A checkpoint must belong to the capsule and agree with its manifest: schema, binding, dtype, one array per slot of the slot's size. */
export function checkAgainstManifest(c: LoadedCheckpoint, m: RunManifest, runDir: string): void {
  const file = c.entry.path;
  const h = c.header;
  checkCheckpointBinding(h, file, m, runDir);
  if (h.dtype !== m.dtype) throw new DtypeError(`resumeRun ${file}`, m.dtype, h.dtype, `the manifest ${capsulePath(runDir, MANIFEST_FILE)} says ${m.dtype}`);
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
