import { resolve } from "node:path";
import { CflowError } from "@cflow/core";
import { queryRuns } from "@cflow/recorder";
import { defineCommand } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import { textTable } from "../text-table.js";

export interface QueryCommandOptions {
  sql: string;
  /** Absolute paths of capsules, runs directories or globs; default `<cwd>/runs`. */
  runDirs: string[];
}

export const queryCommand = defineCommand<QueryCommandOptions>({
  name: "query",
  summary: "SQL over run capsules (DuckDB views telemetry, events and runs, keyed by run_id)",
  description:
    'Columns are those of SCHEMA.md. `lambda` is a DuckDB keyword: write t."lambda".\n' +
    "Read-only: exactly one SELECT (DESCRIBE and SUMMARIZE included), reading only the capsules' files;\n" +
    "COPY, ATTACH, INSTALL/LOAD, EXPORT, SET, PRAGMA and a second statement are refused (exit 6). A\n" +
    "capsule without manifest.toml, of an unknown schema_version or with a damaged table is an error.",
  positionals: [
    { name: "sql", required: true, description: "a DuckDB SQL query over the views telemetry, events and runs" },
    { name: "runDirs", variadic: true, description: "capsules, runs directories or globs (default: ./runs)" },
  ],
  flags: [],
  examples: [
    { command: `cflow query "SELECT run_id, iter, payload FROM events WHERE event = 'ROLLBACK'"`, description: "which runs rolled back, and when" },
    { command: `cflow query "SELECT iter, E, eta_dd, gamma FROM telemetry ORDER BY iter" runs/<run_id>`, description: "one run's energy and certificates per iteration" },
    { command: `cflow query "SELECT run_id, status, final_phase, final_energy FROM runs" --json`, description: "every run's manifest summary as JSON rows" },
  ],
  exitCodes: ["OK", "INPUT", "USAGE", "INTERNAL"],
  options: (args, { cwd }) => {
    const dirs = (args.positionals.runDirs as string[] | undefined) ?? [];
    return { sql: String(args.positionals.sql), runDirs: (dirs.length ? dirs : ["runs"]).map((d) => resolve(cwd, d)) };
  },
  handler: async (o, ctx) => {
    let rows: Record<string, unknown>[];
    try {
      rows = await queryRuns(o.sql, o.runDirs);
    } catch (err) {
      if (err instanceof CflowError) throw err;
      const message = (err instanceof Error ? err.message : String(err)).split("\n")[0];
      throw new CflowError("QUERY_FAILED", `the query failed: ${message}`, {
        path: "<sql>",
        expected: "DuckDB SQL over the views telemetry, events and runs (columns in SCHEMA.md)",
        found: o.sql,
        hint: /lambda/i.test(o.sql) ? 'lambda is a DuckDB keyword: quote the column, t."lambda"' : "cflow query \"DESCRIBE telemetry\" lists the columns",
      });
    }
    ctx.out.result(rows, () => table(rows));
    return EXIT_CODES.OK.code;
  },
});

function cell(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isInteger(v) || !Number.isFinite(v) ? String(v) : String(Number(v.toPrecision(6)));
  const s = typeof v === "string" ? v : JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? Number(x) : x));
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Rows as an aligned text table (numbers right-aligned), with the row count. */
function table(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return "(0 rows)";
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cells = rows.map((r) => cols.map((c) => cell(r[c]).replace(/\s+/g, " ")));
  const numeric = cols.map((c) => rows.every((r) => r[c] === null || r[c] === undefined || typeof r[c] === "number"));
  return `${textTable(cols, cells, numeric)}\n(${rows.length} row${rows.length === 1 ? "" : "s"})`;
}
