import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { sqlString } from "./sql-literal.js";

/**
 * Where things live inside `runs/<run_id>/` (SCHEMA.md, "Capsule layout"). A table (telemetry or
 * events) is stored as immutable part files while the run goes — `telemetry.parts/part-000001.parquet`,
 * each written atomically by one flush — and compacted into `telemetry.parquet` when the run
 * finishes. The compacted file's key-value metadata names the last part it absorbed
 * (`compacted_through_part`), so a crash between compaction and part deletion never counts a
 * row twice: readers take the compacted file plus the parts numbered after it.
 */
export const MANIFEST_FILE = "manifest.toml";
export const LOG_FILE = "logs.ndjson";
export const RUN_CARD_FILE = "run_card.json";
export const CHECKPOINT_DIR = "checkpoints";
export const ARTIFACT_DIR = "artifacts";
export const FINAL_STATE_FILE = "final_state.cfck";

export type TableName = "telemetry" | "events";
export const TABLES: readonly TableName[] = ["telemetry", "events"];

const PART = /^part-(\d{6,})\.parquet$/;

export function compactedPath(runDir: string, table: TableName): string {
  return join(runDir, `${table}.parquet`);
}

export function partsDir(runDir: string, table: TableName): string {
  return join(runDir, `${table}.parts`);
}

export function partPath(runDir: string, table: TableName, seq: number): string {
  return join(partsDir(runDir, table), `part-${String(seq).padStart(6, "0")}.parquet`);
}

export interface TableFiles {
  compacted: string | null;
  /** Highest part number folded into the compacted file (0 when there is none). */
  compactedThrough: number;
  /** Part files not yet compacted, in write order. */
  parts: { seq: number; path: string }[];
  /** Every highest part number ever used (next part = this + 1). */
  lastSeq: number;
}

/** The files that hold a table's rows, in row order. */
export async function tableFiles(conn: DuckDBConnection, runDir: string, table: TableName): Promise<TableFiles> {
  const compacted = compactedPath(runDir, table);
  let compactedThrough = 0;
  const hasCompacted = existsSync(compacted);
  if (hasCompacted) {
    const r = await conn.runAndReadAll(`SELECT decode(value) AS v FROM parquet_kv_metadata(${sqlString(compacted)}) WHERE decode(key) = 'compacted_through_part'`);
    const v = r.getRowObjectsJS()[0]?.v;
    compactedThrough = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : 0;
  }
  const all = listParts(runDir, table);
  const lastSeq = Math.max(compactedThrough, ...all.map((p) => p.seq), 0);
  return { compacted: hasCompacted ? compacted : null, compactedThrough, parts: all.filter((p) => p.seq > compactedThrough), lastSeq };
}

export function tableFileList(f: TableFiles): string[] {
  return [...(f.compacted ? [f.compacted] : []), ...f.parts.map((p) => p.path)];
}

/** Every part file present (compacted or not), in write order; temporary files are ignored. */
export function listParts(runDir: string, table: TableName): { seq: number; path: string }[] {
  const dir = partsDir(runDir, table);
  if (!existsSync(dir)) return [];
  const out: { seq: number; path: string }[] = [];
  for (const name of readdirSync(dir)) {
    const m = PART.exec(name);
    if (m) out.push({ seq: Number(m[1]), path: join(dir, name) });
  }
  return out.sort((a, b) => a.seq - b.seq);
}
