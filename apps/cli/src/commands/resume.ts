import { resolve } from "node:path";
import { defineCommand } from "../command.js";
import { FLAGS } from "../common-flags.js";
import { type BudgetOptions, budgetOptions } from "../run-options.js";

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
    "checkpoint whose checksum verifies, and continues appending to the same capsule. Refuses a capsule\n" +
    "of an unknown schema_version or a dtype that does not match.",
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
});
