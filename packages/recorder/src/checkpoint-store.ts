import { existsSync, readdirSync } from "node:fs";
import { CflowError } from "@cflow/core";
import { capsulePath, removeCapsuleFile } from "./capsule-files.js";
import { CHECKPOINT_DIR } from "./capsule-layout.js";
import { peekCheckpointHeader, readCheckpointFile, type DecodedCheckpoint } from "./checkpoint-file.js";

const CHECKPOINT_NAME = /^ckpt-(\d{6,})\.cfck$/;

export interface CheckpointEntry {
  seq: number;
  name: string;
  path: string;
}

export function checkpointName(seq: number): string {
  return `ckpt-${String(seq).padStart(6, "0")}.cfck`;
}

export function checkpointSeq(name: string): number | null {
  const m = CHECKPOINT_NAME.exec(name);
  return m ? Number(m[1]) : null;
}

/** Capsule-relative path of a checkpoint file. */
export function checkpointRel(name: string): string {
  return `${CHECKPOINT_DIR}/${name}`;
}

/**
 * Checkpoint files of a capsule, oldest first (temporary files of an interrupted write are
 * ignored; a linked checkpoints/ directory or checkpoint file is refused with CAPSULE_LINK).
 */
export function listCheckpoints(runDir: string): CheckpointEntry[] {
  const dir = capsulePath(runDir, CHECKPOINT_DIR);
  if (!existsSync(dir)) return [];
  const out: CheckpointEntry[] = [];
  for (const name of readdirSync(dir)) {
    const seq = checkpointSeq(name);
    if (seq !== null) out.push({ seq, name, path: capsulePath(runDir, checkpointRel(name)) });
  }
  return out.sort((a, b) => a.seq - b.seq);
}

export interface LoadedCheckpoint extends DecodedCheckpoint {
  entry: CheckpointEntry;
  /** Newer checkpoints that failed verification and were passed over, with the reason. */
  skipped: { path: string; reason: string }[];
}

/**
 * The newest checkpoint that verifies (only GREEN ones with `good`), falling back past torn or
 * corrupted files; the caller logs `skipped`. Throws when none verifies.
 */
export function loadLatestCheckpoint(runDir: string, options: { good?: boolean } = {}): LoadedCheckpoint {
  const all = listCheckpoints(runDir).reverse();
  const skipped: { path: string; reason: string }[] = [];
  for (const entry of all) {
    let decoded: DecodedCheckpoint;
    try {
      decoded = readCheckpointFile(entry.path);
    } catch (e) {
      if (e instanceof CflowError && (e.code === "CHECKPOINT_CORRUPT" || e.code === "CHECKPOINT_UNREADABLE")) {
        skipped.push({ path: entry.path, reason: e.message });
        continue;
      }
      throw e;
    }
    if (options.good && !decoded.header.good) continue;
    return { ...decoded, entry, skipped };
  }
  const what = options.good ? "good (GREEN) checkpoint" : "checkpoint";
  const dir = capsulePath(runDir, CHECKPOINT_DIR);
  throw new CflowError(
    all.length === 0 ? "NO_CHECKPOINT" : "NO_VALID_CHECKPOINT",
    all.length === 0
      ? `${dir}: no ${what} to resume from`
      : `${dir}: no valid ${what} — ${skipped.length} corrupted (${skipped.map((s) => s.reason).join("; ")})`,
    { path: dir, expected: `a verified ${what}`, found: skipped.map((s) => s.path) },
  );
}

/**
 * Deletes checkpoints beyond retention: the newest `keep` by sequence number and the newest good
 * one survive. Called after the manifest points at the new checkpoint, so the pointer never dangles.
 */
export function pruneCheckpoints(runDir: string, keep: number, goodSeq: number | null): void {
  const all = listCheckpoints(runDir);
  const survivors = new Set(all.slice(Math.max(0, all.length - keep)).map((c) => c.seq));
  if (goodSeq !== null) survivors.add(goodSeq);
  for (const c of all) if (!survivors.has(c.seq)) removeCapsuleFile(runDir, checkpointRel(c.name));
}

/** The newest checkpoint whose header says GREEN/good (header only: used for retention, not restore). */
export function newestGoodSeq(runDir: string): number | null {
  for (const c of listCheckpoints(runDir).reverse()) if (peekCheckpointHeader(c.path)?.good === true) return c.seq;
  return null;
}
