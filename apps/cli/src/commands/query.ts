import { resolve } from "node:path";
import { defineCommand } from "../command.js";

export interface QueryCommandOptions {
  sql: string;
  /** Absolute paths of capsules, runs directories or globs; default `<cwd>/runs`. */
  runDirs: string[];
}

export const queryCommand = defineCommand<QueryCommandOptions>({
  name: "query",
  summary: "SQL over run capsules (DuckDB views telemetry, events and runs, keyed by run_id)",
  positionals: [
    { name: "sql", required: true, description: "a DuckDB SQL query over the views telemetry, events and runs" },
    { name: "runDirs", variadic: true, description: "capsules, runs directories or globs (default: ./runs)" },
  ],
  flags: [],
  examples: [
    { command: `cflow query "SELECT run_id, iter, payload FROM events WHERE event = 'ROLLBACK'"`, description: "which runs rolled back, and when" },
    { command: `cflow query "SELECT iter, E, eta_dd, gamma FROM telemetry ORDER BY iter" runs/<run_id>`, description: "one run's energy and certificates per iteration" },
    { command: `cflow query "SELECT * FROM runs" --json`, description: "every run's manifest summary as JSON rows" },
  ],
  exitCodes: ["OK", "INPUT", "USAGE", "INTERNAL"],
  options: (args, { cwd }) => {
    const dirs = (args.positionals.runDirs as string[] | undefined) ?? [];
    return { sql: String(args.positionals.sql), runDirs: (dirs.length ? dirs : ["runs"]).map((d) => resolve(cwd, d)) };
  },
});
