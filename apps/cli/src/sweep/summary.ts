import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { MANIFEST_FILE, queryRuns } from "@cflow/recorder";
import { EXIT_CODES, type ExitCodeName, type RunStatus, exitCodeForRun } from "../exit-codes.js";
import type { Output } from "../output.js";
import { formatDuration, formatNumber } from "../report/format.js";
import { DATA_FIT_FILE, type DataFit } from "../run/data-fit.js";
import { phaseColor } from "../style.js";
import { textTable } from "../text-table.js";
import type { MemberResult } from "./member.js";
import type { SweepFile } from "./sweep-file.js";

/** One run of a sweep as the summary table, `--json` and the sweep report show it. */
export interface SweepRow {
  index: number;
  runId: string;
  runDir: string;
  /** The run's values on the sweep's axes. */
  point: Record<string, string>;
  /** The capsule's status (RUNNING for a killed run), or null when the run left no capsule. */
  status: string | null;
  /** The phase it ended in (its last telemetry row's while it is not finished). */
  phase: string | null;
  iters: number | null;
  /** Final energy (the last recorded one while it is not finished). */
  energy: number | null;
  /** The last certificate's η_dd and γ (and the λ it certified). */
  etaDD: number | null;
  gamma: number | null;
  lambda: number | null;
  gates: { etaMax: number | null; gammaMin: number | null };
  wallMs: number | null;
  /** From `artifacts/data_fit.json`: ‖Kx − y‖²/(m σ̂²) and √(‖Kx − y‖²/m) of the first data term. */
  discrepancy: number | null;
  residualRms: number | null;
  /** The exit code of its `cflow run`/`resume` (or, read back later, of its capsule's status). */
  exitCode: number | null;
  error: { code: string; message: string } | null;
  /** Its run report, when written. */
  report: string | null;
}

/** Which run's exit code a set of runs exits with, most severe first (see README, "Many runs"). */
const SEVERITY: readonly ExitCodeName[] = ["CANCELLED", "INTERNAL", "IO", "LOCKED", "INPUT", "UNAVAILABLE", "RED", "TIMEOUT", "CERT_FAIL", "OK"];

/**
 * The exit code of a sweep or batch: 0 when every run exited 0 (FINISHED GREEN), otherwise the
 * most severe code among its runs in the order CANCELLED (130) > INTERNAL (1) > IO (7) > LOCKED
 * (75) > INPUT (6) > RED (3) > TIMEOUT (5) > CERT_FAIL (4). A run that left no result counts as
 * CANCELLED (the set did not finish).
 */
export function setExitCode(rows: readonly SweepRow[]): number {
  let worst = SEVERITY.length - 1;
  for (const r of rows) {
    const code = r.exitCode ?? EXIT_CODES.CANCELLED.code;
    const k = SEVERITY.findIndex((n) => EXIT_CODES[n].code === code);
    worst = Math.min(worst, k < 0 ? SEVERITY.indexOf("INTERNAL") : k);
  }
  return EXIT_CODES[SEVERITY[worst]].code;
}

/**
 * The rows of a sweep: every capsule of it read through one DuckDB session (manifests, the last
 * certificate values from telemetry), its data fit, and the results of this invocation (exit
 * codes, errors of runs that left no capsule).
 */
export async function sweepRows(sweepDir: string, sweep: SweepFile, results: ReadonlyMap<string, MemberResult> = new Map()): Promise<SweepRow[]> {
  const dirs = sweep.runs.map((r) => join(sweepDir, r.runId)).filter((d) => existsSync(join(d, MANIFEST_FILE)));
  const byRun = new Map<string, Record<string, unknown>>();
  if (dirs.length > 0) {
    // Rows come in the order they were recorded (the session scans one thread, parts in order):
    // row_number() over that order finds the last certificate and the last row even in a resumed
    // run, whose clock restarts and whose tuner trials may run past the final iteration.
    const rows = await queryRuns(
      `WITH cert AS (
         SELECT run_id, payload, row_number() OVER () AS seq FROM events WHERE event IN ('CERT_PASS', 'CERT_FAIL')),
       last_cert AS (
         SELECT run_id, arg_max(payload, seq) AS payload FROM cert GROUP BY run_id),
       tel AS (
         SELECT run_id, E, phase, iter, row_number() OVER () AS seq FROM telemetry),
       last_row AS (
         SELECT run_id, arg_max(E, seq) AS last_e, arg_max(phase, seq) AS last_phase, arg_max(iter, seq) AS last_iter FROM tel GROUP BY run_id)
       SELECT r.run_id, r.status, r.final_phase, r.iters, r.final_energy, r.eta_max, r.gamma_min,
         TRY_CAST(r.manifest->>'$.summary.t_wall_ms' AS DOUBLE) AS t_wall_ms,
         TRY_CAST(c.payload->>'eta_dd' AS DOUBLE) AS eta_dd,
         TRY_CAST(c.payload->>'gamma' AS DOUBLE) AS gamma,
         TRY_CAST(c.payload->>'lambda' AS DOUBLE) AS lam,
         l.last_e, l.last_phase, l.last_iter
       FROM runs r LEFT JOIN last_cert c USING (run_id) LEFT JOIN last_row l USING (run_id)`,
      dirs,
    );
    for (const r of rows) byRun.set(String(r.run_id), r);
  }
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : typeof v === "bigint" ? Number(v) : null);
  return sweep.runs.map((run) => {
    const runDir = join(sweepDir, run.runId);
    const q = byRun.get(run.runId);
    const result = results.get(run.runId);
    const status = q ? String(q.status) : null;
    const phase = q ? ((q.final_phase as string | null) ?? (q.last_phase as string | null)) : null;
    const fit = readDataFit(runDir);
    let exitCode = result?.exitCode ?? null;
    if (exitCode === null && status && status !== "RUNNING") exitCode = exitCodeForRun(status as RunStatus, phase === "GREEN" || phase === "RED" ? phase : "AMBER");
    const lastIter = num(q?.last_iter);
    return {
      index: run.index,
      runId: run.runId,
      runDir,
      point: run.point,
      status,
      phase,
      iters: num(q?.iters) ?? (lastIter !== null ? lastIter + 1 : null),
      energy: num(q?.final_energy) ?? num(q?.last_e),
      etaDD: num(q?.eta_dd),
      gamma: num(q?.gamma),
      lambda: num(q?.lam),
      gates: { etaMax: num(q?.eta_max), gammaMin: num(q?.gamma_min) },
      wallMs: num(q?.t_wall_ms),
      discrepancy: fit?.discrepancy ?? null,
      residualRms: fit?.terms[0]?.rms ?? null,
      exitCode,
      error: result?.error ?? null,
      report: existsSync(join(runDir, "report.html")) ? join(runDir, "report.html") : null,
    };
  });
}

function readDataFit(runDir: string): DataFit | null {
  const file = join(runDir, DATA_FIT_FILE);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as DataFit;
  } catch {
    return null;
  }
}

/** Prints the summary table (text) or the whole set as JSON, and returns the set's exit code. */
export function printSummary(sweep: SweepFile, sweepDir: string, rows: readonly SweepRow[], out: Output, cwd: string, extra: { report: string | null; wallMs: number }): number {
  const code = setExitCode(rows);
  const green = rows.filter((r) => r.exitCode === EXIT_CODES.OK.code).length;
  const rel = (p: string) => relative(cwd, p) || p;
  out.result(
    {
      sweep_id: sweep.sweepId,
      sweep_dir: sweepDir,
      kind: sweep.kind,
      spec: sweep.options.spec,
      axes: sweep.axes,
      runs: rows.map((r) => ({
        index: r.index,
        run_id: r.runId,
        run_dir: r.runDir,
        point: r.point,
        status: r.status,
        phase: r.phase,
        iters: r.iters,
        energy: r.energy,
        eta_dd: r.etaDD,
        gamma: r.gamma,
        lambda: r.lambda,
        discrepancy: r.discrepancy,
        t_wall_ms: r.wallMs,
        exit_code: r.exitCode,
        error: r.error,
        report: r.report,
      })),
      counts: { total: rows.length, green, failed: rows.length - green },
      exit_code: code,
      report: extra.report,
      t_wall_ms: extra.wallMs,
    },
    () => {
      const s = out.style;
      const axes = sweep.axes.map((a) => a.name);
      const columns = ["#", ...axes, "status", "phase", "iters", "E", "η_dd", "γ", "λ", "fit", "wall", "exit"];
      const cells = rows.map((r) => [
        String(r.index),
        ...axes.map((a) => shorten(r.point[a] ?? "", sweep.kind === "batch" && a === sweep.inputParam)),
        r.status ?? (r.error ? r.error.code : "—"),
        r.phase ? phaseColor(s, r.phase)(r.phase) : "—",
        r.iters === null ? "—" : String(r.iters),
        formatNumber(r.energy),
        formatNumber(r.etaDD),
        formatNumber(r.gamma),
        formatNumber(r.lambda),
        formatNumber(r.discrepancy),
        formatDuration(r.wallMs),
        r.exitCode === null ? "—" : String(r.exitCode),
      ]);
      const numeric = columns.map((c) => ["#", "iters", "E", "η_dd", "γ", "λ", "fit", "wall", "exit"].includes(c));
      const lines = [textTable(columns, cells, numeric)];
      for (const r of rows) if (r.error && r.error.code !== "CANCELLED") lines.push(`${s.red("run")} ${r.index} (${r.runId}): [${r.error.code}] ${r.error.message.split("\n")[0]}`);
      lines.push(`${green}/${rows.length} runs GREEN in ${formatDuration(extra.wallMs)} · exit ${code}${code === 0 ? "" : ` (${Object.entries(EXIT_CODES).find(([, v]) => v.code === code)?.[0]})`}`);
      if (extra.report) lines.push(`report: ${rel(extra.report)}`);
      lines.push(`sweep:  ${rel(sweepDir)}`);
      return lines.join("\n");
    },
  );
  return code;
}

/** A batch's input paths are long: the table shows the file name. */
function shorten(v: string, isPath: boolean): string {
  if (isPath) return v.split("/").pop() ?? v;
  return v.length > 24 ? `${v.slice(0, 21)}...` : v;
}
