import { dirname, isAbsolute, join, resolve } from "node:path";
import { resumeRun } from "@cflow/recorder";
import { defineCommand } from "../command.js";
import { FLAGS } from "../common-flags.js";
import { warnPluginFailures } from "../plugin-failures.js";
import { type BudgetOptions, budgetOptions } from "../run-options.js";
import { executeRun } from "../run/execute-run.js";
import { compileSetup, setupFlow } from "../run/flow-setup.js";
import { readRunRecord, runExtra } from "../run/run-record.js";
import { reportRun } from "../run/run-summary.js";

export interface ResumeCommandOptions extends BudgetOptions {
  /** Absolute path of the run capsule. */
  runDir: string;
  plugins: string[];
}

export const resumeCommand = defineCommand<ResumeCommandOptions>({
  name: "resume",
  summary: "continue a run from its latest good checkpoint (bit-identical with --deterministic runs)",
  description:
    "Restores the state arrays, tuner state, phase, iteration and RNG key from the capsule's latest\n" +
    "checkpoint whose checksum verifies, and continues appending to the same capsule. The spec, its\n" +
    "parameters, dtype, seed, plugins and budgets are those the manifest recorded (--max-iters and\n" +
    "--budget-time replace the budgets; --plugin adds plugins). Refuses a capsule of an unknown\n" +
    "schema_version, a redacted one, or a checkpoint whose dtype does not match.",
  positionals: [{ name: "runDir", required: true, description: "run capsule directory (runs/<run_id>)" }],
  flags: [FLAGS.maxIters, FLAGS.budgetTime, FLAGS.plugin],
  examples: [
    { command: "cflow resume runs/2024-05-01T10-00-00-deconv-2d-3f9a", description: "continue a cancelled or crashed run" },
    { command: "cflow resume runs/<run_id> --budget-time 10m", description: "continue with a new 10-minute budget" },
  ],
  exitCodes: ["OK", "CERT_FAIL", "TIMEOUT", "CANCELLED", "INPUT", "USAGE", "INTERNAL"],
  options: (args, { cwd }) => ({
    runDir: resolve(cwd, String(args.positionals.runDir)),
    plugins: (args.flags.plugin as string[] | undefined) ?? [],
    ...budgetOptions(args),
  }),
  handler: async (o, ctx) => {
    const resumed = resumeRun(o.runDir);
    for (const w of resumed.warnings) ctx.out.warn(w);
    const m = resumed.manifest;
    const record = readRunRecord(m, join(o.runDir, "manifest.toml"));
    // Plugins added now are resolved here; the recorded ones where the run was started.
    const added = o.plugins.map((p) => (p.startsWith(".") || isAbsolute(p) ? resolve(ctx.cwd, p) : p));
    const setup = await setupFlow({ spec: record.spec, dtype: m.dtype, seed: m.seed, params: record.params, plugins: [...record.plugins, ...added], cwd: record.cwd, configFiles: record.configs, maxElements: record.maxElements });
    warnPluginFailures(setup.plugins.failures, ctx.out);
    const { compiled, report } = await compileSetup(setup, ctx.cwd);
    const maxIters = o.maxIters ?? record.maxIters;
    const wallTimeMs = o.wallTimeMs ?? record.wallTimeMs;
    ctx.out.info(`from ${resumed.checkpoint} (iteration ${resumed.iter}, ${resumed.phase})`);
    const outcome = await executeRun(
      {
        setup,
        compiled,
        runsDir: dirname(o.runDir),
        runId: m.run_id,
        resume: { state: resumed.state, controllerState: resumed.controllerState, tunerState: resumed.tunerState, phase: resumed.phase, iter: resumed.iter, rngKey: resumed.rngKey, resumePoint: resumed.resumePoint },
        deterministic: m.deterministic,
        redactArtifacts: m.redact_artifacts,
        maxIters,
        wallTimeMs,
        extra: runExtra({ ...record, plugins: setup.plugins.pluginSpecifiers, maxIters, wallTimeMs }, compiled.spec, report),
      },
      ctx,
    );
    return reportRun(outcome, compiled, ctx.out, ctx.cwd);
  },
});
