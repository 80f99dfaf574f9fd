import { relative } from "node:path";
import { lintSpec } from "@cflow/core";
import { defineCommand } from "../command.js";
import { FLAGS } from "../common-flags.js";
import { EXIT_CODES } from "../exit-codes.js";
import { warnPluginFailures } from "../plugin-failures.js";
import { type SpecOptions, specOptions } from "../run-options.js";
import { hintSources, resolveSpec, setupFlow } from "../run/flow-setup.js";
import { withPluginHints } from "../plugin-hints.js";

export type LintCommandOptions = SpecOptions;

export const lintCommand = defineCommand<LintCommandOptions>({
  name: "lint",
  summary: "check a spec: names, shapes, units, parameters; every finding with its spec path",
  positionals: [{ name: "spec", required: true, description: "TypeScript or JavaScript module whose default export is defineFlow(...)" }],
  flags: [FLAGS.dtype, FLAGS.plugin, FLAGS.param, FLAGS.maxElements],
  examples: [
    { command: "cflow lint spec.ts", description: "errors and warnings, each with its spec path (terms[1].op) and a hint" },
    { command: "cflow lint spec.ts --plugin ./my-plugin/dist/index.js", description: "lint a spec that names a plugin's transform or op" },
  ],
  exitCodes: ["OK", "RED", "INPUT", "IO", "USAGE", "INTERNAL"],
  options: (args, { cwd }) => specOptions(args, cwd, "lint"),
  handler: async (o, ctx) => {
    const setup = await setupFlow({ ...o, cwd: ctx.cwd });
    warnPluginFailures(setup.plugins.failures, ctx.out);
    const linted = lintSpec(resolveSpec(setup), { registry: setup.plugins.registry });
    const report = { ...linted, findings: await withPluginHints(linted.findings, hintSources(setup, ctx.cwd)) };
    const errors = report.findings.filter((f) => f.severity === "error");
    const warnings = report.findings.filter((f) => f.severity === "warning");
    const file = relative(ctx.cwd, setup.file) || setup.file;
    ctx.out.result({ spec: setup.file, ok: report.ok, phase: report.ok ? "AMBER" : "RED", errors: errors.length, warnings: warnings.length, findings: report.findings }, () => {
      const s = ctx.out.style;
      const count = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
      const lines = [`${file}: ${report.ok ? s.green("valid") : s.red("invalid (RED)")} — ${count(errors.length, "error")}, ${count(warnings.length, "warning")}`];
      for (const f of report.findings) {
        const tag = f.severity === "error" ? s.red("error  ") : s.amber("warning");
        lines.push(`  ${tag} ${s.bold(f.path || "(spec)")} ${s.dim(`[${f.code}]`)} ${f.message.startsWith(`${f.path}: `) ? f.message.slice(f.path.length + 2) : f.message}`);
        if (f.expected !== undefined) lines.push(`          expected: ${f.expected}`);
        if (f.found !== undefined) lines.push(`          found:    ${f.found}`);
        if (f.hint !== undefined) lines.push(`          hint:     ${f.hint}`);
      }
      return lines.join("\n");
    });
    return report.ok ? EXIT_CODES.OK.code : EXIT_CODES.RED.code;
  },
});
