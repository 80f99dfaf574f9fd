import { defineCommand } from "../command.js";
import { FLAGS } from "../common-flags.js";
import { type SpecOptions, specOptions } from "../run-options.js";

export type CertCommandOptions = SpecOptions;

export const certCommand = defineCommand<CertCommandOptions>({
  name: "cert",
  summary: "certificate rehearsal: η_dd, γ, the gates and the verdict, without tuning or running",
  description:
    "Compiles the spec and evaluates the certificates once on the core operator in W-space\n" +
    "(restricted to the active set when the flow has a sparsity prox). Nothing is tuned, no capsule is written.",
  positionals: [{ name: "spec", required: true, description: "TypeScript or JavaScript module whose default export is defineFlow(...)" }],
  flags: [FLAGS.dtype, FLAGS.seed, FLAGS.plugin, FLAGS.param],
  examples: [
    { command: "cflow cert examples/naive-deconv/spec.ts", description: "shows why plain least-squares deconvolution cannot be certified (γ ≈ 0)" },
    { command: "cflow cert spec.ts --json", description: "η_dd, γ, gates and verdict as JSON" },
  ],
  exitCodes: ["OK", "RED", "CERT_FAIL", "INPUT", "USAGE", "INTERNAL"],
  options: (args, { cwd }) => specOptions(args, cwd, "cert"),
});
