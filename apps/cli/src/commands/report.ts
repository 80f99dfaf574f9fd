import { writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { defineCommand } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import { packageVersion } from "../package-info.js";
import { readReportData } from "../report/read-capsule.js";
import { renderReport } from "../report/render-report.js";

export interface ReportCommandOptions {
  /** Absolute path of the run capsule. */
  runDir: string;
  /** Absolute path of the HTML file to write. */
  outFile: string;
}

export const reportCommand = defineCommand<ReportCommandOptions>({
  name: "report",
  summary: "write report.html for a run: energy, certificates against their gates, λ, phases, events, images",
  description: "A single self-contained HTML file (inline CSS and SVG, images embedded, nothing loaded from the network).",
  positionals: [{ name: "runDir", required: true, description: "run capsule directory (runs/<run_id>)" }],
  flags: [{ name: "out", type: "string", value: "file", description: "where to write the report (default: <runDir>/report.html)" }],
  examples: [
    { command: "cflow report runs/<run_id>", description: "writes runs/<run_id>/report.html; open it in a browser" },
    { command: "cflow report runs/<run_id> --out /tmp/r.html", description: "write it somewhere else" },
  ],
  exitCodes: ["OK", "INPUT", "USAGE", "INTERNAL"],
  options: (args, { cwd }) => {
    const runDir = resolve(cwd, String(args.positionals.runDir));
    const out = args.flags.out as string | undefined;
    return { runDir, outFile: out ? resolve(cwd, out) : join(runDir, "report.html") };
  },
  handler: async (o, ctx) => {
    const data = await readReportData(o.runDir);
    const html = renderReport(data, { generator: `@cflow/cli ${packageVersion()}`, generatedAt: new Date().toISOString() });
    writeFileSync(o.outFile, html);
    const rel = relative(ctx.cwd, o.outFile) || o.outFile;
    ctx.out.result(
      { report: o.outFile, bytes: Buffer.byteLength(html), telemetryRows: data.telemetry.length, events: data.events.length, images: data.images.map((i) => i.name), notes: data.notes ?? [] },
      () => [...(data.notes ?? []).map((n) => `note: ${n}`), `wrote ${rel}`].join("\n"),
    );
    return EXIT_CODES.OK.code;
  },
});
