import { sep } from "node:path";
import { CflowError } from "@cflow/core";
import { DuckDBInstance, StatementType, type DuckDBConnection } from "@duckdb/node-api";
import { sqlString } from "./sql-literal.js";

/**
 * The DuckDB session behind `queryRuns` (and `cflow query`): read-only and confined to the
 * capsules. DuckDB's own settings do the confining — `allowed_directories` lists the capsule
 * directories, `enable_external_access = false` makes them the only paths the engine opens
 * (read_csv('/etc/passwd'), glob('/etc/*'), ATTACH, INSTALL/LOAD and COPY TO elsewhere all fail
 * inside DuckDB) and `lock_configuration = true` refuses any SET that would undo it. On top, the
 * user's SQL must be exactly one statement (split by DuckDB's own parser, never on ';') and a
 * SELECT: COPY into a capsule, EXPORT, SET, PRAGMA, CREATE and the rest are refused by kind.
 */
export interface QuerySession {
  conn: DuckDBConnection;
  /** Locks the configuration, then runs `sql` if it is a single SELECT; rows as DuckDB's JS objects. */
  select(sql: string): Promise<Record<string, unknown>[]>;
  close(): void;
}

/** Statement kinds, named for the refusal message (DuckDB's StatementType). */
const KIND: Record<number, string> = {
  [StatementType.INSERT]: "INSERT",
  [StatementType.UPDATE]: "UPDATE",
  [StatementType.EXPLAIN]: "EXPLAIN",
  [StatementType.DELETE]: "DELETE",
  [StatementType.PREPARE]: "PREPARE",
  [StatementType.CREATE]: "CREATE",
  [StatementType.EXECUTE]: "EXECUTE",
  [StatementType.ALTER]: "ALTER",
  [StatementType.TRANSACTION]: "a transaction statement",
  [StatementType.COPY]: "COPY (writes or imports files)",
  [StatementType.ANALYZE]: "ANALYZE",
  [StatementType.VARIABLE_SET]: "SET VARIABLE",
  [StatementType.CREATE_FUNC]: "CREATE FUNCTION",
  [StatementType.DROP]: "DROP",
  [StatementType.EXPORT]: "EXPORT DATABASE (writes files)",
  [StatementType.PRAGMA]: "PRAGMA (changes settings)",
  [StatementType.VACUUM]: "VACUUM",
  [StatementType.CALL]: "CALL",
  [StatementType.SET]: "SET/RESET (changes settings)",
  [StatementType.LOAD]: "INSTALL/LOAD (extensions)",
  [StatementType.EXTENSION]: "an extension statement",
  [StatementType.ATTACH]: "ATTACH (opens another database)",
  [StatementType.DETACH]: "DETACH",
};

const EXPECTED = "one SELECT over the views telemetry, events and runs (DESCRIBE and SUMMARIZE are SELECTs too)";

export async function openQuerySession(capsuleDirs: readonly string[]): Promise<QuerySession> {
  const db = await DuckDBInstance.create(":memory:", { threads: "1" });
  const conn = await db.connect();
  const close = () => {
    conn.closeSync();
    db.closeSync();
  };
  try {
    const dirs = capsuleDirs.map((d) => (d.endsWith(sep) ? d : `${d}${sep}`));
    await conn.run(`SET allowed_directories = [${dirs.map(sqlString).join(", ")}]`);
    await conn.run("SET autoinstall_known_extensions = false");
    await conn.run("SET autoload_known_extensions = false");
    await conn.run("SET enable_external_access = false");
  } catch (e) {
    close();
    throw e;
  }
  return {
    conn,
    close,
    async select(sql: string) {
      await conn.run("SET lock_configuration = true");
      const statements = await conn.extractStatements(sql);
      if (statements.count !== 1) {
        throw refused(sql, `the query must be exactly one statement; found ${statements.count}`, statements.count === 0 ? "no statement" : `${statements.count} statements`);
      }
      const outside = (e: unknown): never => {
        const message = (e instanceof Error ? e.message : String(e)).split("\n")[0];
        if (/^Permission Error/.test(message)) {
          throw refused(sql, `the query may read only the capsules' files (${capsuleDirs.join(", ")}) — DuckDB refused: ${message}`, message);
        }
        throw e;
      };
      const prepared = await statements.prepare(0).catch(outside);
      try {
        const kind = prepared.statementType;
        if (kind !== StatementType.SELECT) throw refused(sql, `only a SELECT is accepted; found ${KIND[kind] ?? `statement type ${kind}`}`, KIND[kind] ?? `statement type ${kind}`);
        const reader = await prepared.runAndReadAll().catch(outside);
        return reader.getRowObjectsJS() as Record<string, unknown>[];
      } finally {
        prepared.destroySync();
      }
    },
  };
}

function refused(sql: string, why: string, found: string): CflowError {
  return new CflowError("QUERY_REFUSED", `cflow query is read-only: ${why}`, {
    path: "<sql>",
    expected: EXPECTED,
    found: `${found}: ${sql.length > 200 ? `${sql.slice(0, 197)}...` : sql}`,
    hint: "a query reads the capsules' telemetry, events and runs; it never writes, attaches, loads or changes settings",
  });
}
