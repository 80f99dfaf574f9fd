import { readdirSync, rmdirSync } from "node:fs";
import { basename, join } from "node:path";
import { CflowError } from "@cflow/core";
import { LIST, VARCHAR, type DuckDBAppender, type DuckDBConnection } from "@duckdb/node-api";
import { capsulePath, capsuleTempPath, commitCapsuleFile, ensureCapsuleDir, removeCapsuleFile, removeStaleTemps } from "./capsule-files.js";
import { compactedRel, partRel, partsRel, tableFileList, tableFiles, type TableName } from "./capsule-layout.js";
import { columnsDdl, type Column } from "./columns.js";
import { sqlKvStruct, sqlPathList, sqlString } from "./sql-literal.js";

const VARCHAR_LIST = LIST(VARCHAR);

/**
 * Streams one capsule table (telemetry or events) to Parquet with bounded memory. `append` copies
 * a row's values into a small JS buffer at once (callers may reuse their row objects); a flush
 * takes the buffer, loads it into a scratch DuckDB table, copies that to a new part file —
 * written to a temporary name, fsynced and renamed, so a flushed part survives a SIGKILL whole —
 * and drops the table. Rows keep arriving in a fresh buffer meanwhile; flushes run one at a time,
 * in order. (No appender stays open between flushes: a long-lived appender keeps DuckDB from
 * reclaiming replaced tables, and resident memory would creep up with every flush.)
 */
export class TableWriter<R> {
  private buffer: Value[][] = [];
  private nextSeq = 1;
  private lastFlushAt = Date.now();
  private chain: Promise<void> = Promise.resolve();
  private flushQueued = false;
  private failure: unknown = null;
  /** Rows handed to `append` since the capsule began (including rows of earlier sessions). */
  recorded = 0;

  constructor(
    readonly table: TableName,
    private readonly columns: readonly Column<R>[],
    private readonly runDir: string,
    private readonly runId: string,
    private readonly conn: DuckDBConnection,
    private readonly metadata: Record<string, string>,
    private readonly flushEveryRows: number,
    private readonly flushEveryMs: number,
  ) {}

  /** Continues part numbering after any existing parts and counts the rows already recorded. */
  async open(): Promise<void> {
    ensureCapsuleDir(this.runDir, partsRel(this.table));
    removeStaleTemps(this.runDir, partsRel(this.table));
    const files = await tableFiles(this.conn, this.runDir, this.table);
    this.nextSeq = files.lastSeq + 1;
    this.recorded = await this.countRows();
    await this.conn.run(`CREATE OR REPLACE TABLE "${this.emptyTable}" (${columnsDdl(this.columns)})`);
  }

  append(row: R): void {
    this.throwIfFailed();
    const values = this.columns.map((c) => c.value(row, this.runId));
    this.columns.forEach((c, i) => checkKind(this.table, c, values[i]));
    this.buffer.push(values);
    this.recorded++;
    if (this.buffer.length >= this.flushEveryRows) this.queueFlush();
  }

  /** Whether buffered rows are due: K rows, or T since the last flush. */
  due(now = Date.now()): boolean {
    const pending = this.buffer.length;
    return pending >= this.flushEveryRows || (pending > 0 && now - this.lastFlushAt >= this.flushEveryMs);
  }

  /** Queues a flush without waiting (called from synchronous code: append, the timer). */
  queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    this.enqueue(() => this.flushNow());
  }

  /** Flushes everything appended so far and waits until it is durable. */
  async flush(): Promise<void> {
    this.queueFlush();
    await this.settled();
  }

  /**
   * Folds all parts into `<table>.parquet` (keeping only the first `keepRows` rows when given),
   * then deletes the absorbed parts. Used at finish and, with `keepRows`, when a resumed run drops
   * the rows recorded after its checkpoint.
   */
  async compact(options: { keepRows?: number; removePartsDir?: boolean } = {}): Promise<void> {
    this.enqueue(async () => {
      const files = await tableFiles(this.conn, this.runDir, this.table);
      const list = tableFileList(files);
      const limit = options.keepRows === undefined ? "" : ` LIMIT ${Math.max(0, Math.floor(options.keepRows))}`;
      const source = list.length === 0 ? `SELECT * FROM "${this.emptyTable}"` : `SELECT * FROM read_parquet(${sqlPathList(list)}, union_by_name = true)${limit}`;
      const target = compactedRel(this.table);
      const tmp = capsuleTempPath(this.runDir, target);
      await this.conn.run(`COPY (${source}) TO ${sqlString(tmp)} (FORMAT parquet, KV_METADATA ${sqlKvStruct({ ...this.metadata, compacted_through_part: String(files.lastSeq) })})`);
      commitCapsuleFile(this.runDir, tmp, target);
      for (const p of files.parts) removeCapsuleFile(this.runDir, `${partsRel(this.table)}/${basename(p.path)}`);
      this.recorded = await this.countRows();
      if (options.removePartsDir) removeDirIfEmpty(capsulePath(this.runDir, partsRel(this.table)));
    });
    await this.settled();
  }

  async close(): Promise<void> {
    await this.chain;
  }

  private get emptyTable(): string {
    return `${this.table}_empty`;
  }

  private async flushNow(): Promise<void> {
    this.flushQueued = false;
    const rows = this.buffer;
    if (rows.length === 0) return;
    this.buffer = [];
    this.lastFlushAt = Date.now();
    const seq = this.nextSeq++;
    const target = partRel(this.table, seq);
    const tmp = capsuleTempPath(this.runDir, target);
    const scratch = `${this.table}_flush`;
    await this.conn.run(`CREATE OR REPLACE TABLE "${scratch}" (${columnsDdl(this.columns)})`);
    const app = await this.conn.createAppender(scratch);
    try {
      for (const values of rows) appendRow(app, this.columns, values);
    } finally {
      app.closeSync();
    }
    await this.conn.run(`COPY "${scratch}" TO ${sqlString(tmp)} (FORMAT parquet, KV_METADATA ${sqlKvStruct({ ...this.metadata, part: String(seq), rows: String(rows.length) })})`);
    commitCapsuleFile(this.runDir, tmp, target);
    await this.conn.run(`DROP TABLE "${scratch}"`);
  }

  private async countRows(): Promise<number> {
    const list = tableFileList(await tableFiles(this.conn, this.runDir, this.table));
    if (list.length === 0) return 0;
    const r = await this.conn.runAndReadAll(`SELECT count(*)::DOUBLE AS n FROM read_parquet(${sqlPathList(list)}, union_by_name = true)`);
    return r.getRowObjectsJS()[0].n as number;
  }

  private enqueue(task: () => Promise<void>): void {
    this.chain = this.chain.then(task).catch((e: unknown) => {
      this.failure ??= e;
    });
  }

  private async settled(): Promise<void> {
    await this.chain;
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure !== null) {
      const e = this.failure;
      if (e instanceof CflowError) throw e; // already says what and where (a link in the capsule, a damaged file)
      throw new CflowError("RECORDER_WRITE_FAILED", `recorder: writing ${this.table} to ${this.runDir} failed: ${e instanceof Error ? e.message : String(e)}`, {
        path: join(this.runDir, partsRel(this.table)),
        found: e instanceof Error ? e.message : String(e),
      });
    }
  }
}

type Value = string | number | null | readonly string[];

function appendRow<R>(app: DuckDBAppender, columns: readonly Column<R>[], values: readonly Value[]): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null) app.appendNull();
    else if (columns[i].type === "DOUBLE") app.appendDouble(v as number);
    else if (columns[i].type === "INTEGER") app.appendInteger(v as number);
    else if (columns[i].type === "VARCHAR") app.appendVarchar(v as string);
    else app.appendList(v as string[], VARCHAR_LIST);
  }
  app.endRow();
}

function checkKind<R>(table: string, c: Column<R>, v: unknown): void {
  const ok =
    v === null
      ? !c.required
      : c.type === "DOUBLE"
        ? typeof v === "number"
        : c.type === "INTEGER"
          ? Number.isInteger(v) && Math.abs(v as number) <= 2147483647
          : c.type === "VARCHAR"
            ? typeof v === "string"
            : Array.isArray(v) && v.every((s) => typeof s === "string");
  if (!ok) {
    const kind = { DOUBLE: "a number", INTEGER: "a 32-bit integer", VARCHAR: "a string", "VARCHAR[]": "an array of strings" }[c.type];
    const expected = c.required ? kind : `${kind} or null`;
    throw new CflowError("BAD_ROW", `recorder: ${table} column ${c.name} expected ${expected}, found ${JSON.stringify(v) ?? String(v)}`, {
      path: `${table}.${c.name}`,
      expected,
      found: v,
    });
  }
}

function removeDirIfEmpty(dir: string): void {
  try {
    if (readdirSync(dir).length === 0) rmdirSync(dir);
  } catch {
    // Already gone: nothing to tidy.
  }
}
