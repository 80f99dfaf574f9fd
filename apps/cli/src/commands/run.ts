import { existsSync } from "node:fs";
import { join } from "node:path";
import { CflowError } from "@cflow/core";
import { checkRunId, runDirFor } from "@cflow/recorder";
import { defineCommand } from "../command.js";
import { FLAGS } from "../common-flags.js";
import { prepareOutDir } from "../out-dir.js";
import { warnPluginFailures } from "../plugin-failures.js";
import { type BudgetOptions, type SpecOptions, type TunerFlagOptions, budgetOptions, specOptions, tunerFlagOptions } from "../run-options.js";
import { executeRun } from "../run/execute-run.js";
import { compileSetup, setupFlow } from "../run/flow-setup.js";
import { runExtra } from "../run/run-record.js";
import { reportRun } from "../run/run-summary.js";

export interface RunCommandOptions extends SpecOptions, BudgetOptions, TunerFlagOptions {
  deterministic: boolean;
  /** `--out` as given: the runs directory the capsule goes under (default ./runs). */
  out?: string;
  /** `--run-id`: the capsule's name (default: generated). */
  runId?: string;
  redactArtifacts: boolean;
}

export const runCommand = defineCommand<RunCommandOptions>({
  name: "run",
  summary: "certified run of a spec: lint, certify, tune, polish; writes a run capsule",
  description:
    "Compiles the spec, certifies the flow (η_dd ≤ η_max and γ ≥ γ_min, remediating with the Gap Dial),\n" +
    "tunes under the certificates and polishes to the budget. The capsule (manifest.toml, telemetry and\n" +
    "events in Parquet, checkpoints, artifacts) is written under the runs directory and its path printed.\n" +
    "Ctrl-C, SIGTERM or SIGHUP ends the run CANCELLED (exit 130) with a valid capsule that `cflow resume` continues.",
  positionals: [{ name: "spec", required: true, description: "TypeScript or JavaScript module whose default export is defineFlow(...)" }],
  flags: [FLAGS.dtype, FLAGS.seed, FLAGS.deterministic, FLAGS.maxIters, FLAGS.budgetTime, FLAGS.perBand, FLAGS.target, FLAGS.rtol, FLAGS.atol, FLAGS.out, FLAGS.runId, FLAGS.redactArtifacts, FLAGS.plugin, FLAGS.param, FLAGS.maxElements],
  examples: [
    { command: "cflow run examples/deconv-2d/spec.ts", description: "certified 2D deconvolution; prints the capsule path" },
    { command: "cflow run spec.ts --dtype float32 --seed 7 --max-iters 500", description: "single precision, a fixed seed, at most 500 iterations" },
    { command: "cflow run spec.ts --deterministic --budget-time 5m --out /tmp/runs", description: "reproducible run with a 5-minute budget, capsules under /tmp/runs" },
    { command: "cflow run spec.ts --plugin @cflow/plugin-graph --param size=64", description: "load a plugin and pass size=64 to the spec factory" },
  ],
  exitCodes: ["OK", "RED", "CERT_FAIL", "TIMEOUT", "CANCELLED", "INPUT", "IO", "LOCKED", "USAGE", "INTERNAL"],
  options: (args, { cwd }) => ({
    ...specOptions(args, cwd, "run"),
    ...budgetOptions(args),
    ...tunerFlagOptions(args),
    deterministic: args.flags.deterministic === true,
    out: args.flags.out as string | undefined,
    runId: args.flags["run-id"] as string | undefined,
    redactArtifacts: args.flags["redact-artifacts"] === true,
  }),
  handler: async (o, ctx) => {
    // Checked (and created) before anything else, so a bad --out costs no compile.
    const runsDir = prepareOutDir(o.out, { cwd: ctx.cwd, fallback: "runs", flag: "--out", what: "runs directory" });
    // a bad or taken --run-id costs no compile either
    if (o.runId !== undefined) runDirFor(runsDir, checkRunId(o.runId, "--run-id"));
    if (o.runId !== undefined && existsSync(join(runsDir, o.runId))) {
      throw new CflowError("RUN_EXISTS", `--run-id ${o.runId}: ${join(runsDir, o.runId)} already exists`, { path: "--run-id", found: "an existing capsule directory", expected: "the id of a new run", hint: `continue that run with cflow resume ${join(runsDir, o.runId)}` });
    }
    const setup = await setupFlow({ ...o, cwd: ctx.cwd });
    warnPluginFailures(setup.plugins.failures, ctx.out);
    const { compiled, report } = await compileSetup(setup, ctx.cwd);
    const record = {
      spec: setup.file,
      params: o.params,
      plugins: setup.plugins.pluginSpecifiers,
      configs: setup.plugins.configFiles,
      cwd: ctx.cwd,
      maxIters: o.maxIters,
      wallTimeMs: o.wallTimeMs,
      rtol: o.rtol,
      atol: o.atol,
      maxElements: o.maxElements,
      perBand: o.perBand,
      target: o.target,
    };
    const outcome = await executeRun(
      {
        setup,
        compiled,
        runsDir,
        runId: o.runId,
        deterministic: o.deterministic,
        redactArtifacts: o.redactArtifacts,
        overrides: { maxIters: o.maxIters, wallTimeMs: o.wallTimeMs, perBand: o.perBand, target: o.target, rtol: o.rtol, atol: o.atol },
        extra: runExtra(record, compiled.spec, report),
      },
      ctx,
    );
    return reportRun(outcome, compiled, ctx.out, ctx.cwd);
  },
});
