import { defineCommand } from "../command.js";
import { FLAGS } from "../common-flags.js";
import { type SpecOptions, specOptions } from "../run-options.js";

export type LintCommandOptions = SpecOptions;

export const lintCommand = defineCommand<LintCommandOptions>({
  name: "lint",
  summary: "check a spec: names, shapes, units, parameters; every finding with its spec path",
  positionals: [{ name: "spec", required: true, description: "TypeScript or JavaScript module whose default export is defineFlow(...)" }],
  flags: [FLAGS.dtype, FLAGS.plugin, FLAGS.param],
  examples: [
    { command: "cflow lint spec.ts", description: "errors and warnings, each with its spec path (terms[1].op) and a hint" },
    { command: "cflow lint spec.ts --plugin ./my-plugin/dist/index.js", description: "lint a spec that names a plugin's transform or op" },
  ],
  exitCodes: ["OK", "RED", "INPUT", "USAGE", "INTERNAL"],
  options: (args, { cwd }) => specOptions(args, cwd, "lint"),
});
