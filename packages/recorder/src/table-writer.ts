import { mkdirSync, rmdirSync, unlinkSync, readdirSync } from "node:fs";
import { CflowError } from "@cflow/core";
import { LIST, VARCHAR, type DuckDBAppender, type DuckDBConnection } from "@duckdb/node-api";
import { compactedPath, partPath, partsDir, tableFileList, tableFiles, type TableName } from "./capsule-layout.js";
import { columnsDdl, type Column } from "./columns.js";
import { commitFile, removeStaleTemps, tempPathFor } from "./durable-file.js";
import { sqlKvStruct, sqlPathList, sqlString } from "./sql-literal.js";

const VARCHAR_LIST = LIST(VARCHAR);

/**
 * Streams one capsule table (telemetry or events) to Parquet with bounded memory. Rows go
 * straight into a DuckDB appender (values are copied at once, so callers may reuse their row
 * objects); a flush swaps to a second buffer table, so rows keep arriving while the first is
 * copied to a new part file — written to a temporary name, fsynced and renamed, so a flushed
 * part survives a SIGKILL whole. Flushes run one at a time, in order.
 */
export class TableWriter<R> {
  private readonly buffers: [string, string];
  private readonly appenders: [DuckDBAppender | null, DuckDBAppender | null] = [null, null];
  private current = 0;
  private pending = 0;
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
    private readonly appendConn: DuckDBConnection,
    private readonly copyConn: DuckDBConnection,
    private readonly metadata: Record<string, string>,
    private readonly flushEveryRows: number,
    private readonly flushEveryMs: number,
  ) {
    this.buffers = [`${table}_buffer_0`, `${table}_buffer_1`];
  }

  /** Creates the buffer tables and continues part numbering after any existing parts. */
  async open(): Promise<void> {
    mkdirSync(partsDir(this.runDir, this.table), { recursive: true });
    removeStaleTemps(partsDir(this.runDir, this.table));
    const files = await tableFiles(this.copyConn, this.runDir, this.table);
    this.nextSeq = files.lastSeq + 1;
    this.recorded = await this.countRows();
    for (const [i, name] of this.buffers.entries()) {
      await this.copyConn.run(`CREATE OR REPLACE TABLE "${name}" (${columnsDdl(this.columns)})`);
      this.appenders[i] = await this.appendConn.createAppender(name);
    }
  }

  append(row: R): void {
    this.throwIfFailed();
    const values = this.columns.map((c) => c.value(row, this.runId));
    this.columns.forEach((c, i) => checkKind(this.table, c, values[i]));
    const app = this.appenders[this.current]!;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null) app.appendNull();
      else if (this.columns[i].type === "DOUBLE") app.appendDouble(v as number);
      else if (this.columns[i].type === "INTEGER") app.appendInteger(v as number);
      else if (this.columns[i].type === "VARCHAR") app.appendVarchar(v as string);
      else app.appendList(v as string[], VARCHAR_LIST);
    }
    app.endRow();
    this.pending++;
    this.recorded++;
    if (this.pending >= this.flushEveryRows) this.queueFlush();
  }

  /** Whether buffered rows are due: K rows, or T since the last flush. */
  due(now = Date.now()): boolean {
    return this.pending >= this.flushEveryRows || (this.pending > 0 && now - this.lastFlushAt >= this.flushEveryMs);
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
      const files = await tableFiles(this.copyConn, this.runDir, this.table);
      const list = tableFileList(files);
      const limit = options.keepRows === undefined ? "" : ` LIMIT ${Math.max(0, Math.floor(options.keepRows))}`;
      const source = list.length === 0 ? `SELECT * FROM "${this.buffers[0]}" LIMIT 0` : `SELECT * FROM read_parquet(${sqlPathList(list)}, union_by_name = true)${limit}`;
      const target = compactedPath(this.runDir, this.table);
      const tmp = tempPathFor(target);
      await this.copyConn.run(`COPY (${source}) TO ${sqlString(tmp)} (FORMAT parquet, KV_METADATA ${sqlKvStruct({ ...this.metadata, compacted_through_part: String(files.lastSeq) })})`);
      commitFile(tmp, target);
      for (const p of files.parts) unlinkSync(p.path);
      this.recorded = await this.countRows();
      if (options.removePartsDir) removeDirIfEmpty(partsDir(this.runDir, this.table));
    });
    await this.settled();
  }

  async close(): Promise<void> {
    await this.chain;
    for (const [i, app] of this.appenders.entries()) {
      app?.closeSync();
      this.appenders[i] = null;
    }
  }

  private async flushNow(): Promise<void> {
    this.flushQueued = false;
    if (this.pending === 0) return;
    const full = this.current;
    const rows = this.pending;
    this.appenders[full]!.closeSync();
    this.appenders[full] = null;
    this.current = 1 - full;
    this.pending = 0;
    this.lastFlushAt = Date.now();
    const seq = this.nextSeq++;
    const target = partPath(this.runDir, this.table, seq);
    const tmp = tempPathFor(target);
    await this.copyConn.run(
      `COPY "${this.buffers[full]}" TO ${sqlString(tmp)} (FORMAT parquet, KV_METADATA ${sqlKvStruct({ ...this.metadata, part: String(seq), rows: String(rows) })})`,
    );
    commitFile(tmp, target);
    await this.copyConn.run(`DELETE FROM "${this.buffers[full]}"`);
    this.appenders[full] = await this.appendConn.createAppender(this.buffers[full]);
  }

  private async countRows(): Promise<number> {
    const list = tableFileList(await tableFiles(this.copyConn, this.runDir, this.table));
    if (list.length === 0) return 0;
    const r = await this.copyConn.runAndReadAll(`SELECT count(*)::DOUBLE AS n FROM read_parquet(${sqlPathList(list)}, union_by_name = true)`);
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
      throw new CflowError("RECORDER_WRITE_FAILED", `recorder: writing ${this.table} to ${this.runDir} failed: ${e instanceof Error ? e.message : String(e)}`, {
        path: partsDir(this.runDir, this.table),
        found: e instanceof Error ? e.message : String(e),
      });
    }
  }
}

function checkKind<R>(table: string, c: Column<R>, v: unknown): void {
  if (v === null) return;
  const ok =
    c.type === "DOUBLE"
      ? typeof v === "number"
      : c.type === "INTEGER"
        ? Number.isInteger(v) && Math.abs(v as number) <= 2147483647
        : c.type === "VARCHAR"
          ? typeof v === "string"
          : Array.isArray(v) && v.every((s) => typeof s === "string");
  if (!ok) {
    const expected = { DOUBLE: "a number or null", INTEGER: "a 32-bit integer or null", VARCHAR: "a string or null", "VARCHAR[]": "an array of strings" }[c.type];
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
