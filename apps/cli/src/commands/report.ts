import { realpathSync, writeFileSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { withCapsuleLock, writeCapsuleFile } from "@cflow/recorder";
import { capsuleDir } from "../capsule-dir.js";
import { type CommandContext, defineCommand } from "../command.js";
import { FLAGS } from "../common-flags.js";
import { EXIT_CODES } from "../exit-codes.js";
import { packageVersion } from "../package-info.js";
import { readReportData } from "../report/read-capsule.js";
import { renderReport } from "../report/render-report.js";
import { writeSweepReport } from "../report/sweep-report.js";
import { isSweepDir, readSweepFile } from "../sweep/sweep-file.js";
import { sweepRows } from "../sweep/summary.js";

export interface ReportCommandOptions {
  /** Absolute path of the run capsule. */
  runDir: string;
  /** Absolute path of the HTML file to write (absent: report.html in the capsule). */
  outFile: string | null;
  breakLock: boolean;
}

export const reportCommand = defineCommand<ReportCommandOptions>({
  name: "report",
  summary: "write report.html for a run (energy, certificates, λ, phases, events, images) or for a sweep",
  description:
    "A single self-contained HTML file (inline CSS and SVG, images embedded, nothing loaded from the network).\n" +
    "The capsule is locked while the report is written (a second writer is refused, exit 75); a report\n" +
    "inside the capsule is never written through a symbolic link. Given a sweep or batch directory (holding\n" +
    "sweep.toml), it writes the sweep report instead: each run's last η_dd and γ and its data-fit discrepancy\n" +
    "against every swept parameter, marked GREEN/AMBER/RED, with a link to each run's own report.",
  positionals: [{ name: "runDir", required: true, description: "run capsule directory (runs/<run_id>), or a sweep directory (sweeps/<sweep_id>)" }],
  flags: [{ name: "out", type: "string", value: "file", description: "where to write the report (default: <runDir>/report.html)" }, FLAGS.breakLock],
  examples: [
    { command: "cflow report runs/<run_id>", description: "writes runs/<run_id>/report.html; open it in a browser" },
    { command: "cflow report runs/<run_id> --out /tmp/r.html", description: "write it somewhere else" },
    { command: "cflow report sweeps/<sweep_id>", description: "redraw a sweep's report.html" },
  ],
  exitCodes: ["OK", "INPUT", "LOCKED", "USAGE", "INTERNAL"],
  options: (args, { cwd }) => {
    const out = args.flags.out as string | undefined;
    return { runDir: resolve(cwd, String(args.positionals.runDir)), outFile: out ? resolve(cwd, out) : null, breakLock: args.flags["break-lock"] === true };
  },
  handler: async (o, ctx) => {
    if (isSweepDir(o.runDir)) return sweepReport(o, ctx);
    const runDir = capsuleDir(o.runDir);
    const outFile = o.outFile ?? join(runDir, "report.html");
    return withCapsuleLock(runDir, { command: "cflow report", force: o.breakLock }, async () => {
      const data = await readReportData(runDir);
      const html = renderReport(data, { generator: `@cflow/cli ${packageVersion()}`, generatedAt: new Date().toISOString() });
      const inside = relative(runDir, join(realDir(dirname(outFile)), basename(outFile)));
      // Inside the capsule: the capsule's writer (no links followed). Elsewhere: the path the user named.
      if (inside && !inside.startsWith(`..${sep}`) && inside !== ".." && !isAbsolute(inside)) writeCapsuleFile(runDir, inside.split(sep).join("/"), html);
      else writeFileSync(outFile, html);
      const rel = relative(ctx.cwd, outFile) || outFile;
      ctx.out.result(
        { report: outFile, bytes: Buffer.byteLength(html), telemetryRows: data.telemetry.length, events: data.events.length, images: data.images.map((i) => i.name), notes: data.notes ?? [] },
        () => [...(data.notes ?? []).map((n) => `note: ${n}`), `wrote ${rel}`].join("\n"),
      );
      return EXIT_CODES.OK.code;
    });
  },
});

/** The report of a sweep or batch: its runs read from their capsules, written to report.html in it (or --out). */
async function sweepReport(o: ReportCommandOptions, ctx: CommandContext): Promise<number> {
  const sweep = readSweepFile(o.runDir);
  const rows = await sweepRows(o.runDir, sweep);
  const file = writeSweepReport(o.runDir, sweep, rows, o.outFile ?? undefined);
  const rel = relative(ctx.cwd, file) || file;
  ctx.out.result({ report: file, runs: rows.length, capsules: rows.filter((r) => r.status !== null).length }, `wrote ${rel}`);
  return EXIT_CODES.OK.code;
}

/** A directory's real path (itself when it does not exist: writing there fails with a plain message). */
function realDir(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}
