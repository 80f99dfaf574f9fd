import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { CflowError } from "@cflow/core";
import { BIGINT, BOOLEAN, DOUBLE, DuckDBInstance, INTEGER, VARCHAR, type DuckDBConnection, type DuckDBType } from "@duckdb/node-api";
import { CHECKPOINT_DIR, compactedRel, LOG_FILE, MANIFEST_FILE, partsRel, RUN_CARD_FILE, tableFileList, TABLES, type TableName } from "./capsule-layout.js";
import { checkCapsuleTables } from "./capsule-check.js";
import { columnsDdl, EVENT_COLUMNS, TELEMETRY_COLUMNS } from "./columns.js";
import { loadRunManifest, type RunManifest } from "./manifest.js";
import { openQuerySession } from "./query-session.js";
import { sqlPathList, sqlString } from "./sql-literal.js";

/** The `runs` view: one row per capsule (SCHEMA.md "runs view"). */
export const RUNS_COLUMNS: readonly { name: string; type: DuckDBType; sql: string; value(m: RunManifest, dir: string): unknown }[] = [
  { name: "run_id", type: VARCHAR, sql: "VARCHAR", value: (m) => m.run_id },
  { name: "run_dir", type: VARCHAR, sql: "VARCHAR", value: (_, d) => d },
  { name: "status", type: VARCHAR, sql: "VARCHAR", value: (m) => m.status },
  { name: "schema_version", type: INTEGER, sql: "INTEGER", value: (m) => m.schema_version },
  { name: "dtype", type: VARCHAR, sql: "VARCHAR", value: (m) => m.dtype },
  { name: "seed", type: BIGINT, sql: "BIGINT", value: (m) => (m.seed === undefined ? null : BigInt(m.seed)) },
  { name: "deterministic", type: BOOLEAN, sql: "BOOLEAN", value: (m) => m.deterministic },
  { name: "redact_artifacts", type: BOOLEAN, sql: "BOOLEAN", value: (m) => m.redact_artifacts },
  { name: "flow_family", type: VARCHAR, sql: "VARCHAR", value: (m) => m.flow_family },
  { name: "frame_type", type: VARCHAR, sql: "VARCHAR", value: (m) => m.frame_type },
  { name: "lens", type: VARCHAR, sql: "VARCHAR", value: (m) => m.lens },
  { name: "started_at", type: VARCHAR, sql: "VARCHAR", value: (m) => m.started_at },
  { name: "finished_at", type: VARCHAR, sql: "VARCHAR", value: (m) => m.finished_at },
  { name: "eta_max", type: DOUBLE, sql: "DOUBLE", value: (m) => m.gates?.eta_max },
  { name: "gamma_min", type: DOUBLE, sql: "DOUBLE", value: (m) => m.gates?.gamma_min },
  { name: "max_iters", type: DOUBLE, sql: "DOUBLE", value: (m) => m.budgets?.max_iters },
  { name: "max_trials", type: DOUBLE, sql: "DOUBLE", value: (m) => m.budgets?.max_trials },
  { name: "wall_time_ms", type: DOUBLE, sql: "DOUBLE", value: (m) => m.budgets?.wall_time_ms },
  { name: "final_phase", type: VARCHAR, sql: "VARCHAR", value: (m) => m.summary?.phase },
  { name: "iters", type: DOUBLE, sql: "DOUBLE", value: (m) => m.summary?.iters },
  { name: "final_energy", type: DOUBLE, sql: "DOUBLE", value: (m) => m.summary?.final_energy },
  { name: "stop_reason", type: VARCHAR, sql: "VARCHAR", value: (m) => m.summary?.stop_reason },
  { name: "optimality", type: DOUBLE, sql: "DOUBLE", value: (m) => m.summary?.optimality },
  { name: "latest_checkpoint", type: VARCHAR, sql: "VARCHAR", value: (m) => m.checkpoints?.latest },
  { name: "latest_good_checkpoint", type: VARCHAR, sql: "VARCHAR", value: (m) => m.checkpoints?.latest_good },
  { name: "resumes", type: INTEGER, sql: "INTEGER", value: (m) => m.resumes?.length ?? 0 },
  { name: "manifest", type: VARCHAR, sql: "VARCHAR", value: (m) => JSON.stringify(m, (_, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v)) },
];

/**
 * Runs SQL over many capsules at once. `runDirs` is a capsule directory, a directory of capsules,
 * a glob (`runs/2025-*`), or a list of those. The query sees three views keyed by `run_id`:
 * `telemetry` and `events` (the Parquet tables of every capsule, finished or still running) and
 * `runs` (one row per manifest). Rows come back as plain objects (integers as numbers).
 *
 * The session is read-only and confined to the capsules (see `query-session.ts`): one SELECT, no
 * file outside the capsules, no COPY, ATTACH, INSTALL/LOAD, EXPORT, SET or PRAGMA. Every capsule
 * is checked first — a directory without manifest.toml, an unknown schema_version, a damaged
 * Parquet file or one whose dtype disagrees with the manifest is an error naming it.
 */
export async function queryRuns(sql: string, runDirs: string | readonly string[]): Promise<Record<string, unknown>[]> {
  const dirs = await capsuleDirs(typeof runDirs === "string" ? [runDirs] : runDirs);
  const session = await openQuerySession(dirs);
  const conn = session.conn;
  try {
    const manifests = dirs.map((d) => ({ dir: d, manifest: loadRunManifest(d) }));
    const seen = new Map<string, string>();
    for (const { dir, manifest } of manifests) {
      const other = seen.get(manifest.run_id);
      if (other !== undefined) {
        throw new CflowError("DUPLICATE_RUN_ID", `queryRuns: ${dir} and ${other} are both run ${manifest.run_id}; a run id keys every view, so each capsule must be distinct`, { path: dir, found: manifest.run_id });
      }
      seen.set(manifest.run_id, dir);
    }
    const files: Record<TableName, string[]> = { telemetry: [], events: [] };
    for (const { dir, manifest } of manifests) {
      const tables = await checkCapsuleTables(conn, dir, manifest);
      for (const table of TABLES) files[table].push(...tableFileList(tables[table]));
    }
    for (const table of TABLES) {
      const ddl = columnsDdl(table === "telemetry" ? TELEMETRY_COLUMNS : EVENT_COLUMNS);
      const list = files[table];
      await conn.run(list.length === 0 ? `CREATE TABLE ${table} (${ddl})` : `CREATE VIEW ${table} AS SELECT * FROM read_parquet(${sqlPathList(list)}, union_by_name = true)`);
    }
    await createRunsTable(conn, manifests);
    const rows = await session.select(sql);
    return rows.map((r) => plain(r) as Record<string, unknown>);
  } finally {
    session.close();
  }
}

async function createRunsTable(conn: DuckDBConnection, manifests: { dir: string; manifest: RunManifest }[]): Promise<void> {
  await conn.run(`CREATE TABLE runs (${RUNS_COLUMNS.map((c) => `"${c.name}" ${c.sql}`).join(", ")})`);
  const app = await conn.createAppender("runs");
  for (const { dir, manifest } of manifests) {
    for (const c of RUNS_COLUMNS) {
      const v = c.value(manifest, dir);
      if (v === undefined || v === null || (typeof v === "number" && !Number.isFinite(v) && c.sql !== "DOUBLE")) app.appendNull();
      else app.appendValue(v as never, c.type);
    }
    app.endRow();
  }
  app.closeSync();
}

/** Entries of a capsule's layout: a directory holding any of them (and no manifest) is a capsule that lost its manifest. */
const CAPSULE_ENTRIES = [LOG_FILE, RUN_CARD_FILE, CHECKPOINT_DIR, ...TABLES.flatMap((t) => [compactedRel(t), partsRel(t)])];

/**
 * Capsule directories named by paths, directories of capsules and globs, in a stable order. A
 * capsule without manifest.toml is an error naming it, never silently left out: a directory that
 * holds capsule files but no manifest, a subdirectory of a runs directory without one (hidden
 * directories aside), a directory a glob matches without one.
 */
async function capsuleDirs(entries: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const requireManifest = (dir: string) => {
    if (!existsSync(join(dir, MANIFEST_FILE))) loadRunManifest(dir); // throws MANIFEST_MISSING naming the file
    out.push(resolve(dir));
  };
  for (const entry of entries) {
    if (/[*?[{]/.test(entry)) {
      const explicit = entry.endsWith(MANIFEST_FILE);
      for (const file of await globFiles(explicit ? entry : join(entry, "*"))) requireManifest(dirname(file));
    } else if (existsSync(join(entry, MANIFEST_FILE))) {
      out.push(resolve(entry));
    } else if (existsSync(entry) && statSync(entry).isDirectory()) {
      const names = readdirSync(entry);
      if (CAPSULE_ENTRIES.some((n) => names.includes(n))) loadRunManifest(entry); // a capsule that lost its manifest
      for (const name of names.sort()) {
        if (name.startsWith(".") || !statSync(join(entry, name)).isDirectory()) continue;
        requireManifest(join(entry, name));
      }
    } else {
      throw new CflowError("RUN_DIR_NOT_FOUND", `queryRuns: ${entry} is neither a run capsule, a directory of capsules, nor a glob`, { path: entry, expected: "a run directory holding manifest.toml, a runs directory, or a glob" });
    }
  }
  return [...new Set(out)];
}

/** Files matching a glob (DuckDB's glob syntax), sorted. */
async function globFiles(pattern: string): Promise<string[]> {
  const db = await DuckDBInstance.create(":memory:", { threads: "1" });
  const conn = await db.connect();
  try {
    const r = await conn.runAndReadAll(`SELECT file FROM glob(${sqlString(resolve(pattern))}) ORDER BY file`);
    return r.getRowObjectsJS().map((x) => x.file as string);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

function plain(v: unknown): unknown {
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v;
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}
