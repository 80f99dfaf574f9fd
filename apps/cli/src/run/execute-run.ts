import { join, relative } from "node:path";
import { CflowError, type CompiledFlow, type Json, type ResumeState, type RunResult, runCertified } from "@cflow/core";
import { type CapsuleLock, recorder, withCapsuleLock, writeCapsuleFile } from "@cflow/recorder";
import type { CommandContext } from "../command.js";
import { toIoError } from "../io-error.js";
import { packageVersion } from "../package-info.js";
import { ProgressDisplay } from "../progress.js";
import { readReportData } from "../report/read-capsule.js";
import { renderReport } from "../report/render-report.js";
import { runVersions } from "../run-registry.js";
import type { FlowSetup } from "./flow-setup.js";
import { DATA_FIT_FILE, writeDataFit } from "./data-fit.js";
import { writeRunArtifacts } from "./run-artifacts.js";
import { type RunOverrides, wireRun } from "./run-wiring.js";

export interface ExecuteRunOptions {
  setup: FlowSetup;
  compiled: CompiledFlow;
  runsDir: string;
  /** The capsule to continue (resume), or the id of the new one (`--run-id`); absent: a generated id. */
  runId?: string;
  resume?: ResumeState;
  /** The capsule's lock, held by the caller (resume); a new run's recorder takes its own. */
  lock?: CapsuleLock;
  deterministic: boolean;
  redactArtifacts: boolean;
  /** The command line's changes to the configuration (budgets, --per-band). */
  overrides: RunOverrides;
  extra: { [key: string]: Json };
}

export interface RunOutcome {
  result: RunResult;
  runDir: string;
  /** The report, or null when it could not be written (the reason was printed as a warning). */
  report: string | null;
  artifacts: string[];
  tWallMs: number;
}

/**
 * A certified run wired the CLI's way (`wireRun`: the FDA certificate hook, the tuner policy the
 * spec names), with the flight recorder and a live progress display as sinks; then the report
 * arrays (unless redacted) and `report.html`. Ctrl-C (`ctx.signal`) ends the run CANCELLED with a
 * valid capsule.
 */
export async function executeRun(o: ExecuteRunOptions, ctx: CommandContext): Promise<RunOutcome> {
  const { compiled } = o;
  const rec = recorder({ runsDir: o.runsDir, runId: o.runId, redactArtifacts: o.redactArtifacts, lock: o.lock });
  const { config, certify, tune } = wireRun(compiled, o.overrides);
  const progress = new ProgressDisplay(ctx.out, { maxIters: config.budgets.maxIters });
  const rel = relative(ctx.cwd, rec.runDir) || rec.runDir;
  const sizes = compiled.slots.map((s) => `${s.name}[${s.shape.join("×")}]${s.manifoldName !== "euclidean" ? ` on ${s.manifoldName}` : ""}`).join(", ");
  ctx.out.info(`${o.resume ? "resuming" : "run"} ${compiled.spec.name ?? "flow"} · ${compiled.dtype} · ${sizes} · ${config.flow.family} → ${rel}`);

  const t0 = performance.now();
  let result: RunResult;
  try {
    result = await runCertified(compiled, {
      config,
      certify,
      tune,
      sinks: [rec, { name: "progress", telemetry: (row) => progress.row(row) }],
      signal: ctx.signal,
      deterministic: o.deterministic,
      resume: o.resume,
      versions: runVersions(compiled.registry),
      extra: o.extra,
    });
  } catch (err) {
    progress.done();
    // The recorder refused the capsule (locked, damaged, a link inside): nothing of this run was recorded.
    if (!rec.started && err instanceof CflowError) throw err;
    // Disk full, permission, read-only file system: a plain I/O error naming the path (exit IO).
    // The recorder writes every file atomically, so what the capsule held before stays readable.
    const io = toIoError(err, { fallbackPath: rec.runDir, context: "while recording the run", hint: `the capsule ${rel} keeps what was written before the failure (cflow inspect ${rel}); free space or fix the permissions, then continue it with cflow resume ${rel}` });
    if (io) throw io;
    // The controller finished the capsule with status ERROR before rethrowing: say where it is.
    const e = err instanceof Error ? err : new Error(String(err));
    const code = err instanceof CflowError ? `[${err.code}] ` : "";
    const wrapped = new CflowError("RUN_ERROR", `the run stopped with ERROR: ${code}${e.message.split("\n")[0]}`, {
      path: rec.runDir,
      found: err instanceof CflowError ? { code: err.code, ...err.details } : `${e.name}: ${e.message.split("\n")[0]}`,
      hook: err instanceof CflowError ? err.details.hook : undefined,
      hint: `the capsule holds the record up to the failure (cflow inspect ${rel}); CFLOW_DEBUG=1 prints the stack`,
    });
    wrapped.stack = e.stack;
    throw wrapped;
  }
  progress.done();
  const tWallMs = performance.now() - t0;

  // The recorder released its own lock at finish; the report arrays and report.html are written
  // under the capsule's lock too (the caller's, when it holds one).
  const finishing = async () => {
    let artifacts: string[];
    try {
      artifacts = o.redactArtifacts ? [] : writeRunArtifacts(rec.runDir, compiled, result);
      // a redacted capsule keeps no artifacts at all
      if (!o.redactArtifacts && writeDataFit(rec.runDir, compiled, result.state)) artifacts.push(DATA_FIT_FILE);
    } catch (err) {
      // The run itself is recorded (its manifest is final): only the report arrays are missing.
      throw toIoError(err, { fallbackPath: join(rec.runDir, "artifacts"), context: `while writing the report arrays; the run ended ${result.status} and its capsule ${rel} is complete` }) ?? err;
    }
    let report: string | null = join(rec.runDir, "report.html");
    try {
      const data = await readReportData(rec.runDir);
      writeCapsuleFile(rec.runDir, "report.html", renderReport(data, { generator: `@cflow/cli ${packageVersion()}`, generatedAt: new Date().toISOString() }));
    } catch (err) {
      ctx.out.warn(`the report could not be written: ${err instanceof Error ? err.message : String(err)}`);
      report = null;
    }
    return { artifacts, report };
  };
  const { artifacts, report } = o.lock ? await finishing() : await withCapsuleLock(rec.runDir, { command: "cflow run" }, finishing);
  return { result, runDir: rec.runDir, report, artifacts, tWallMs };
}
