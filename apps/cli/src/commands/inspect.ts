import { resolve } from "node:path";
import { defineCommand } from "../command.js";

export interface InspectCommandOptions {
  /** Absolute path of the run capsule. */
  runDir: string;
}

export const inspectCommand = defineCommand<InspectCommandOptions>({
  name: "inspect",
  summary: "summary of a run capsule: phases, certificates, final energy, events",
  positionals: [{ name: "runDir", required: true, description: "run capsule directory (runs/<run_id>)" }],
  flags: [],
  examples: [
    { command: "cflow inspect runs/<run_id>", description: "what happened in a run, at a glance" },
    { command: "cflow inspect runs/<run_id> --json", description: "the same summary as JSON" },
  ],
  exitCodes: ["OK", "INPUT", "USAGE", "INTERNAL"],
  options: (args, { cwd }) => ({ runDir: resolve(cwd, String(args.positionals.runDir)) }),
});
