import { existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { loadRunManifest, queryRuns } from "@cflow/recorder";
import { defineCommand } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import { formatDuration, formatNumber } from "../report/format.js";
import { phaseColor } from "../style.js";

export interface InspectCommandOptions {
  /** Absolute path of the run capsule. */
  runDir: string;
}

interface EventRow {
  iter: number;
  event: string;
  payload: string;
}

export const inspectCommand = defineCommand<InspectCommandOptions>({
  name: "inspect",
  summary: "summary of a run capsule: phases, certificates and their cost, final energy, events",
  description: "Reads manifest.toml and the events and telemetry tables (finished runs and killed ones alike).",
  positionals: [{ name: "runDir", required: true, description: "run capsule directory (runs/<run_id>)" }],
  flags: [],
  examples: [
    { command: "cflow inspect runs/<run_id>", description: "what happened in a run, at a glance" },
    { command: "cflow inspect runs/<run_id> --json", description: "the same summary as JSON" },
  ],
  exitCodes: ["OK", "INPUT", "USAGE", "INTERNAL"],
  options: (args, { cwd }) => ({ runDir: resolve(cwd, String(args.positionals.runDir)) }),
  handler: async (o, ctx) => {
    const m = loadRunManifest(o.runDir);
    const events = (await queryRuns("SELECT iter, event, payload FROM events", [o.runDir])) as unknown as EventRow[];
    const [tel] = await queryRuns(`SELECT count(*) AS rows, min(iter) AS first_iter, max(iter) AS last_iter, max(t_wall_ms) AS t_wall_ms FROM telemetry`, [o.runDir]);
    const payload = (e: EventRow) => JSON.parse(e.payload) as Record<string, unknown>;
    const phases = events.filter((e) => e.event === "PHASE_CHANGED").map((e) => ({ iter: e.iter, ...payload(e) }) as { iter: number; from: string; to: string; reason: string });
    const certificates = events
      .filter((e) => e.event === "CERT_PASS" || e.event === "CERT_FAIL")
      .map((e) => {
        const p = payload(e);
        return {
          iter: e.iter,
          pass: e.event === "CERT_PASS",
          stage: p.stage ?? null,
          lambda: p.lambda ?? null,
          eta_dd: p.eta_dd,
          gamma: p.gamma,
          route: p.route ?? null,
          method: p.method,
          size: p.size,
          ms: p.ms ?? null,
          phase_ms: p.phase_ms ?? null,
          reasons: p.reasons ?? [],
        } as {
          iter: number;
          pass: boolean;
          stage: string | null;
          lambda: number | null;
          eta_dd: number;
          gamma: number;
          route: string | null;
          method: string;
          size: number;
          ms: number | null;
          phase_ms: Record<string, number> | null;
          reasons: string[];
        };
      });
    // what certifying cost: the verdicts' time against the run's
    const certificateMs = certificates.reduce((a, c) => a + (c.ms ?? 0), 0);
    const runMs = m.summary?.t_wall_ms ?? null;
    const where = (c: { ms: number | null; phase_ms: Record<string, number> | null }) =>
      c.ms === null ? "" : `  ${formatDuration(c.ms)}${c.phase_ms ? ` (${Object.entries(c.phase_ms).filter(([, v]) => v >= 0.5).map(([k, v]) => `${k === "gamma" ? "γ" : k} ${formatDuration(v)}`).join(", ")})` : ""}`;
    const counts: Record<string, number> = {};
    for (const e of events) counts[e.event] = (counts[e.event] ?? 0) + 1;
    const summary = m.summary;
    const report = join(o.runDir, "report.html");
    const result = {
      run_id: m.run_id,
      run_dir: o.runDir,
      spec: (m.extra as { spec?: { name?: string; path?: string } }).spec ?? null,
      status: m.status,
      phase: summary?.phase ?? null,
      iters: summary?.iters ?? null,
      final_energy: summary?.final_energy ?? null,
      t_wall_ms: summary?.t_wall_ms ?? null,
      dtype: m.dtype,
      seed: m.seed,
      deterministic: m.deterministic,
      redact_artifacts: m.redact_artifacts,
      flow_family: m.flow_family,
      lens: m.lens ?? null,
      gates: m.gates,
      slots: m.slots,
      telemetry: tel,
      phases,
      certificates,
      certificate_ms: certificateMs,
      certificate_share: runMs ? certificateMs / runMs : null,
      events: counts,
      resumes: m.resumes ?? [],
      checkpoints: m.checkpoints,
      report: existsSync(report) ? report : null,
    };
    ctx.out.result(result, () => {
      const s = ctx.out.style;
      const rel = (p: string) => relative(ctx.cwd, p) || p;
      const phase = summary?.phase ?? "—";
      const lines = [
        `${s.bold(`run ${m.run_id}`)}${result.spec?.name ? ` — ${result.spec.name}` : ""} ${s.dim(`(${rel(o.runDir)})`)}`,
        `${m.status === "RUNNING" ? s.amber("RUNNING (or killed)") : m.status} · ${phaseColor(s, phase)(phase)} · ${summary ? `${summary.iters} iterations · E = ${formatNumber(summary.final_energy)} · ${formatDuration(summary.t_wall_ms)}` : `${tel?.rows ?? 0} telemetry rows so far`}`,
        `${m.dtype} · seed ${m.seed}${m.deterministic ? " · deterministic" : ""}${m.redact_artifacts ? " · redacted" : ""} · ${m.flow_family}${m.lens ? ` · ${m.lens} (${m.frame_type})` : ""} · ${m.slots.map((x) => `${x.name}[${x.shape.join("×")}]${x.manifold !== "euclidean" ? ` on ${x.manifold}` : ""}`).join(", ")}`,
        `gates: η_max = ${formatNumber(m.gates.eta_max)} · γ_min = ${formatNumber(m.gates.gamma_min)}`,
        "",
        s.bold("Phases"),
        ...phases.map((p) => `  iter ${String(p.iter).padStart(5)}  ${phaseColor(s, p.from)(p.from)} → ${phaseColor(s, p.to)(p.to)}  ${s.dim(p.reason)}`),
        "",
        s.bold(`Certificates (${certificates.filter((c) => c.pass).length} passed, ${certificates.filter((c) => !c.pass).length} failed)`) +
          (certificates.length > 0 ? ` · ${formatDuration(certificateMs)}${runMs ? `, ${((100 * certificateMs) / runMs).toFixed(0)}% of the run` : ""}` : ""),
        ...certificates.map(
          (c) =>
            `  iter ${String(c.iter).padStart(5)}  ${(c.pass ? s.green("pass") : s.amber("fail")).padEnd(4)}  ${String(c.stage ?? "").padEnd(11)}  η_dd ${formatNumber(c.eta_dd).padEnd(7)}  γ ${formatNumber(c.gamma).padEnd(9)}${c.lambda !== null ? `  λ ${formatNumber(c.lambda)}` : ""}  ${s.dim(`${c.method}, ${c.size}${c.route ? `, ${c.route}` : ""}${where(c)}`)}`,
        ),
        "",
        s.bold("Events"),
        `  ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(" · ")}`,
      ];
      for (const r of m.resumes ?? []) lines.push(`  resumed at ${r.at} from ${r.from_checkpoint} (iteration ${r.iter})`);
      if (result.report) lines.push("", `report: ${rel(result.report)}`);
      return lines.join("\n");
    });
    return EXIT_CODES.OK.code;
  },
});
