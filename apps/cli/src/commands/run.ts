import { resolve } from "node:path";
import { compileFlow } from "@cflow/core";
import { defineCommand } from "../command.js";
import { FLAGS } from "../common-flags.js";
import { warnPluginFailures } from "../plugin-failures.js";
import { type BudgetOptions, type SpecOptions, budgetOptions, specOptions } from "../run-options.js";
import { executeRun } from "../run/execute-run.js";
import { resolveSpec, setupFlow } from "../run/flow-setup.js";
import { runExtra } from "../run/run-record.js";
import { reportRun } from "../run/run-summary.js";

export interface RunCommandOptions extends SpecOptions, BudgetOptions {
  deterministic: boolean;
  /** Absolute path of the runs directory the capsule goes under. */
  runsDir: string;
  redactArtifacts: boolean;
}

export const runCommand = defineCommand<RunCommandOptions>({
  name: "run",
  summary: "certified run of a spec: lint, certify, tune, polish; writes a run capsule",
  description:
    "Compiles the spec, certifies the flow (η_dd ≤ η_max and γ ≥ γ_min, remediating with the Gap Dial),\n" +
    "tunes under the certificates and polishes to the budget. The capsule (manifest.toml, telemetry and\n" +
    "events in Parquet, checkpoints, artifacts) is written under the runs directory and its path printed.\n" +
    "Ctrl-C ends the run CANCELLED with a valid capsule that `cflow resume` continues.",
  positionals: [{ name: "spec", required: true, description: "TypeScript or JavaScript module whose default export is defineFlow(...)" }],
  flags: [FLAGS.dtype, FLAGS.seed, FLAGS.deterministic, FLAGS.maxIters, FLAGS.budgetTime, FLAGS.out, FLAGS.redactArtifacts, FLAGS.plugin, FLAGS.param],
  examples: [
    { command: "cflow run examples/deconv-2d/spec.ts", description: "certified 2D deconvolution; prints the capsule path" },
    { command: "cflow run spec.ts --dtype float32 --seed 7 --max-iters 500", description: "single precision, a fixed seed, at most 500 iterations" },
    { command: "cflow run spec.ts --deterministic --budget-time 5m --out /tmp/runs", description: "reproducible run with a 5-minute budget, capsules under /tmp/runs" },
    { command: "cflow run spec.ts --plugin @cflow/plugin-graph --param size=64", description: "load a plugin and pass size=64 to the spec factory" },
  ],
  exitCodes: ["OK", "RED", "CERT_FAIL", "TIMEOUT", "CANCELLED", "INPUT", "LOCKED", "USAGE", "INTERNAL"],
  options: (args, { cwd }) => ({
    ...specOptions(args, cwd, "run"),
    ...budgetOptions(args),
    deterministic: args.flags.deterministic === true,
    runsDir: resolve(cwd, (args.flags.out as string | undefined) ?? "runs"),
    redactArtifacts: args.flags["redact-artifacts"] === true,
  }),
  handler: async (o, ctx) => {
    const setup = await setupFlow({ ...o, cwd: ctx.cwd });
    warnPluginFailures(setup.plugins.failures, ctx.out);
    const { compiled, report } = compileFlow(resolveSpec(setup), { registry: setup.plugins.registry, dtype: setup.context.dtype, seed: setup.context.seed });
    const record = {
      spec: setup.file,
      params: o.params,
      plugins: setup.plugins.pluginSpecifiers,
      config: setup.plugins.configFile ?? undefined,
      cwd: ctx.cwd,
      maxIters: o.maxIters,
      wallTimeMs: o.wallTimeMs,
    };
    const outcome = await executeRun(
      { setup, compiled, runsDir: o.runsDir, deterministic: o.deterministic, redactArtifacts: o.redactArtifacts, maxIters: o.maxIters, wallTimeMs: o.wallTimeMs, extra: runExtra(record, compiled.spec, report) },
      ctx,
    );
    return reportRun(outcome, compiled, ctx.out, ctx.cwd);
  },
});
