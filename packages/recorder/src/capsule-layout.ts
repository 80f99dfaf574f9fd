import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { CflowError } from "@cflow/core";
import { capsulePath } from "./capsule-files.js";
import { sqlPathList } from "./sql-literal.js";

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
export const LOCK_FILE = "lock";
export const CHECKPOINT_DIR = "checkpoints";
export const ARTIFACT_DIR = "artifacts";
export const FINAL_STATE_FILE = "final_state.cfck";

export type TableName = "telemetry" | "events";
export const TABLES: readonly TableName[] = ["telemetry", "events"];

const PART = /^part-(\d{6,})\.parquet$/;

/** Capsule-relative path of a table's compacted file. */
export function compactedRel(table: TableName): string {
  return `${table}.parquet`;
}

/** Capsule-relative path of a table's parts directory. */
export function partsRel(table: TableName): string {
  return `${table}.parts`;
}

/** Capsule-relative path of part `seq` of a table. */
export function partRel(table: TableName, seq: number): string {
  return `${partsRel(table)}/part-${String(seq).padStart(6, "0")}.parquet`;
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

/**
 * The files that hold a table's rows, in row order. A file that is a symbolic link is refused
 * (CAPSULE_LINK); one whose footer cannot be read is named in CAPSULE_TABLE_DAMAGED.
 */
export async function tableFiles(conn: DuckDBConnection, runDir: string, table: TableName): Promise<TableFiles> {
  const compacted = capsulePath(runDir, compactedRel(table));
  let compactedThrough = 0;
  const hasCompacted = existsSync(compacted);
  if (hasCompacted) {
    const v = (await readKvMetadata(conn, compacted, table)).compacted_through_part;
    compactedThrough = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : 0;
  }
  const all = listParts(runDir, table);
  const lastSeq = Math.max(compactedThrough, ...all.map((p) => p.seq), 0);
  return { compacted: hasCompacted ? compacted : null, compactedThrough, parts: all.filter((p) => p.seq > compactedThrough), lastSeq };
}

export function tableFileList(f: TableFiles): string[] {
  return [...(f.compacted ? [f.compacted] : []), ...f.parts.map((p) => p.path)];
}

/** Every part file present (compacted or not), in write order; temporary files are ignored, links refused. */
export function listParts(runDir: string, table: TableName): { seq: number; path: string }[] {
  const dir = capsulePath(runDir, partsRel(table));
  if (!existsSync(dir)) return [];
  const out: { seq: number; path: string }[] = [];
  for (const name of readdirSync(dir)) {
    const m = PART.exec(name);
    if (m) out.push({ seq: Number(m[1]), path: capsulePath(runDir, `${partsRel(table)}/${name}`) });
  }
  return out.sort((a, b) => a.seq - b.seq);
}

/**
 * The key-value metadata of a capsule Parquet file. A file DuckDB cannot open (truncated,
 * overwritten, not Parquet) is reported as CAPSULE_TABLE_DAMAGED naming it.
 */
export async function readKvMetadata(conn: DuckDBConnection, file: string, table: TableName): Promise<Record<string, string>> {
  return (await readKvMetadataOf(conn, [file], table)).get(file) ?? {};
}

/**
 * The key-value metadata of many files of one table, read in one query (footers only); when one
 * cannot be opened, the files are read one by one to name it in CAPSULE_TABLE_DAMAGED.
 */
export async function readKvMetadataOf(conn: DuckDBConnection, files: readonly string[], table: TableName): Promise<Map<string, Record<string, string>>> {
  const out = new Map<string, Record<string, string>>(files.map((f) => [f, {}]));
  if (files.length === 0) return out;
  const read = async (list: readonly string[]) => {
    const r = await conn.runAndReadAll(`SELECT file_name AS f, decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata(${sqlPathList(list)})`);
    for (const x of r.getRowObjectsJS()) out.get(String(x.f))![String(x.k)] = String(x.v);
  };
  try {
    await read(files);
  } catch (batch) {
    for (const file of files) {
      try {
        await read([file]);
      } catch (e) {
        throw damagedTable(file, table, e);
      }
    }
    throw damagedTable(files.join(", "), table, batch);
  }
  return out;
}

export function damagedTable(file: string, table: TableName, cause: unknown): CflowError {
  const reason = (cause instanceof Error ? cause.message : String(cause)).split("\n")[0];
  return new CflowError("CAPSULE_TABLE_DAMAGED", `${file}: the ${table} table file is damaged — ${reason}`, {
    path: file,
    expected: `a complete Parquet file written by the cflow recorder (${table})`,
    found: reason,
    hint: "the rows of a compacted table exist only in that file (its parts were deleted when it was written); restore the capsule from a copy. Nothing in the capsule was changed",
  });
}
