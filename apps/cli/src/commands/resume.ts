import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { type CapsuleLock, checkRunDirName, loadRunManifest, resumeRun, verifyCapsule, withCapsuleLock } from "@cflow/recorder";
import { type CommandContext, defineCommand } from "../command.js";
import { capsuleDir } from "../capsule-dir.js";
import { FLAGS } from "../common-flags.js";
import { EXIT_CODES } from "../exit-codes.js";
import { warnPluginFailures } from "../plugin-failures.js";
import { type BudgetOptions, budgetOptions } from "../run-options.js";
import { executeRun } from "../run/execute-run.js";
import { compileSetup, setupFlow } from "../run/flow-setup.js";
import { readRunRecord, runExtra } from "../run/run-record.js";
import { reportRun } from "../run/run-summary.js";
import { UsageError } from "../usage-error.js";

export interface ResumeCommandOptions extends BudgetOptions {
  /** Absolute path of the run capsule. */
  runDir: string;
  plugins: string[];
  /** Run this many iterations past the capsule's last checkpoint (the only way to extend a FINISHED run). */
  continueIterations?: number;
  breakLock: boolean;
}

export const resumeCommand = defineCommand<ResumeCommandOptions>({
  name: "resume",
  summary: "continue a run from its latest good checkpoint (bit-identical with --deterministic runs)",
  description:
    "Restores the state arrays, tuner state, phase, iteration and RNG key from the capsule's latest\n" +
    "checkpoint whose checksum verifies, and continues appending to that capsule — runDir itself, whose\n" +
    "name must be the run id its manifest records. The spec, its parameters, dtype, seed, plugins and\n" +
    "budgets are those the manifest recorded (--max-iters and --budget-time replace the budgets;\n" +
    "--plugin adds plugins). The capsule is locked while the command runs: a second writer is refused\n" +
    "(exit 75). A FINISHED run is left as it is unless --continue-iterations asks for more. Refuses, before\n" +
    "writing anything, a capsule of an unknown schema_version, a redacted one, a damaged Parquet file,\n" +
    "a checkpoint of another capsule or one whose dtype does not match.",
  positionals: [{ name: "runDir", required: true, description: "run capsule directory (runs/<run_id>)" }],
  flags: [
    FLAGS.maxIters,
    FLAGS.budgetTime,
    { name: "continue-iterations", type: "integer", min: 1, value: "n", description: "run n more iterations past the last checkpoint (extends a FINISHED run; instead of --max-iters)" },
    FLAGS.plugin,
    FLAGS.breakLock,
  ],
  examples: [
    { command: "cflow resume runs/2024-05-01T10-00-00-deconv-2d-3f9a", description: "continue a cancelled or crashed run" },
    { command: "cflow resume runs/<run_id> --budget-time 10m", description: "continue with a new 10-minute budget" },
    { command: "cflow resume runs/<run_id> --continue-iterations 500", description: "polish a finished run for 500 more iterations" },
  ],
  exitCodes: ["OK", "CERT_FAIL", "TIMEOUT", "CANCELLED", "INPUT", "LOCKED", "USAGE", "INTERNAL"],
  options: (args, { cwd }) => {
    const o: ResumeCommandOptions = {
      runDir: resolve(cwd, String(args.positionals.runDir)),
      plugins: (args.flags.plugin as string[] | undefined) ?? [],
      breakLock: args.flags["break-lock"] === true,
      ...budgetOptions(args),
    };
    const more = args.flags["continue-iterations"] as number | undefined;
    if (more !== undefined) {
      if (o.maxIters !== undefined) throw new UsageError("--continue-iterations and --max-iters both set the iteration budget; give one", { path: "--continue-iterations", expected: "one of --continue-iterations, --max-iters", found: "both" }, "resume");
      o.continueIterations = more;
    }
    return o;
  },
  handler: async (o, ctx) => {
    const runDir = capsuleDir(o.runDir);
    const manifest = loadRunManifest(runDir);
    if (manifest.status === "FINISHED" && o.continueIterations === undefined) return finishedAlready(runDir, ctx);
    return withCapsuleLock(runDir, { command: "cflow resume", force: o.breakLock }, async (lock) => {
      if (lock.replaced) {
        const r = lock.replaced;
        ctx.out.warn(`took over the capsule's lock from pid ${r.pid} on ${r.host} (${r.command}, since ${r.started_at}): that process is no longer running`);
      }
      // Everything is checked before anything is written: identity, tables, checkpoint.
      checkRunDirName(runDir, await verifyCapsule(runDir));
      return resume(o, runDir, lock, ctx);
    });
  },
});

/** A FINISHED run is complete: resuming it changes nothing (its tables are still checked). */
async function finishedAlready(runDir: string, ctx: CommandContext): Promise<number> {
  const m = await verifyCapsule(runDir);
  ctx.out.result({ run_id: m.run_id, run_dir: runDir, status: m.status, iters: m.summary?.iters ?? null, resumed: false }, () =>
    [`run ${m.run_id} is FINISHED (${m.summary?.iters ?? "?"} iterations): nothing to resume — the capsule is unchanged`, "pass --continue-iterations <n> to run n more iterations"].join("\n"),
  );
  return EXIT_CODES.OK.code;
}

async function resume(o: ResumeCommandOptions, runDir: string, lock: CapsuleLock, ctx: CommandContext): Promise<number> {
  const resumed = resumeRun(runDir);
  for (const w of resumed.warnings) ctx.out.warn(w);
  const m = resumed.manifest;
  const record = readRunRecord(m, join(runDir, "manifest.toml"));
  // Plugins added now are resolved here; the recorded ones where the run was started.
  const added = o.plugins.map((p) => (p.startsWith(".") || isAbsolute(p) ? resolve(ctx.cwd, p) : p));
  const setup = await setupFlow({ spec: record.spec, dtype: m.dtype, seed: m.seed, params: record.params, plugins: [...record.plugins, ...added], cwd: record.cwd, configFiles: record.configs, maxElements: record.maxElements });
  warnPluginFailures(setup.plugins.failures, ctx.out);
  const { compiled, report } = await compileSetup(setup, ctx.cwd);
  const maxIters = o.continueIterations !== undefined ? resumed.iter + o.continueIterations : (o.maxIters ?? record.maxIters);
  const wallTimeMs = o.wallTimeMs ?? record.wallTimeMs;
  ctx.out.info(`from ${resumed.checkpoint} (iteration ${resumed.iter}, ${resumed.phase})`);
  const outcome = await executeRun(
    {
      setup,
      compiled,
      runsDir: dirname(runDir),
      runId: basename(runDir),
      lock,
      resume: { state: resumed.state, controllerState: resumed.controllerState, tunerState: resumed.tunerState, phase: resumed.phase, iter: resumed.iter, rngKey: resumed.rngKey, resumePoint: resumed.resumePoint },
      deterministic: m.deterministic,
      redactArtifacts: m.redact_artifacts,
      overrides: { maxIters, wallTimeMs, perBand: record.perBand, target: record.target, rtol: record.rtol, atol: record.atol },
      extra: runExtra({ ...record, plugins: setup.plugins.pluginSpecifiers, maxIters, wallTimeMs }, compiled.spec, report),
    },
    ctx,
  );
  return reportRun(outcome, compiled, ctx.out, ctx.cwd);
}
