import { renameSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { DEFAULTS } from "@cflow/core";
import { packageVersion } from "../package-info.js";
import type { SweepFile } from "../sweep/sweep-file.js";
import type { SweepRow } from "../sweep/summary.js";
import { escapeHtml, formatDuration, formatNumber } from "./format.js";
import { type ParamPoint, parameterChart } from "./parameter-chart.js";
import type { RenderReportOptions } from "./render-report.js";
import { REPORT_CSS } from "./styles.js";


const SWEEP_CSS = `
.runs td.phase b { font-weight: 600; } .runs td.phase b.GREEN { color: var(--green); } .runs td.phase b.AMBER { color: var(--amber); } .runs td.phase b.RED { color: var(--red); }
.runs a { color: inherit; }
.legend .key i.dot { width: 9px; height: 9px; border-radius: 50%; vertical-align: -1px; }
.badge.MIXED { background: var(--amber); }
`;

/**
 * The sweep report: one self-contained HTML page (inline CSS and SVG, no script, nothing fetched)
 * drawing, for every swept parameter, each run's last η_dd and γ against their gates and its
 * data-fit discrepancy ‖Kx − y‖²/(m σ̂²) against its target 1 — markers coloured by the phase the
 * run ended in — and a table of the runs linking each one's own report.
 */
export function renderSweepReport(sweep: SweepFile, rows: readonly SweepRow[], options: RenderReportOptions = {}): string {
  const gates = {
    etaMax: rows.find((r) => r.gates.etaMax !== null)?.gates.etaMax ?? DEFAULTS.certification.etaMax,
    gammaMin: rows.find((r) => r.gates.gammaMin !== null)?.gates.gammaMin ?? DEFAULTS.certification.gammaMin,
  };
  const count = (phase: string) => rows.filter((r) => r.phase === phase).length;
  const [green, amber, red] = [count("GREEN"), count("AMBER"), count("RED")];
  const none = rows.filter((r) => r.status === null).length;
  const title = `${sweep.kind} of ${basename(sweep.options.spec) === "spec.ts" ? basename(join(sweep.options.spec, "..")) : basename(sweep.options.spec)}`;
  const badge = green === rows.length ? "GREEN" : red > 0 ? "RED" : "MIXED";

  const swept = sweep.axes.filter((a) => a.values.length > 1);
  const isPath = (axis: string) => sweep.kind === "batch" && axis === sweep.inputParam;
  const coordinate = (axis: string, v: string): number | string => (isPath(axis) ? basename(v) : Number.isFinite(Number(v)) && v.trim() !== "" ? Number(v) : v);
  const charts: string[] = [];
  const plotAxes = swept.length > 0 ? swept.map((a) => a.name) : [null];
  for (const axis of plotAxes) {
    const others = swept.filter((a) => a.name !== axis);
    const points = (pick: (r: SweepRow) => number | null): ParamPoint[] =>
      rows.map((r) => ({
        x: axis === null ? `run ${r.index}` : coordinate(axis, r.point[axis] ?? ""),
        y: pick(r),
        phase: r.phase ?? r.status ?? "none",
        group: others.map((a) => `${a.name}=${isPath(a.name) ? basename(r.point[a.name] ?? "") : r.point[a.name]}`).join(", "),
        label: `run ${r.index}${Object.keys(r.point).length ? ` (${Object.entries(r.point).map(([k, v]) => `${k}=${isPath(k) ? basename(v) : v}`).join(", ")})` : ""}`,
      }));
    const id = axis === null ? "runs" : axis.replace(/[^A-Za-z0-9_-]/g, "_");
    const xLabel = axis ?? "run";
    charts.push(
      parameterChart({ id: `eta-${id}`, title: `η_dd against ${xLabel}`, subtitle: `last certificate; passes when η_dd ≤ η_max = ${formatNumber(gates.etaMax)}`, xLabel, yScale: "linear", points: points((r) => r.etaDD), gates: [{ y: gates.etaMax, label: `η_max ${formatNumber(gates.etaMax)}`, color: "#dc2626" }], empty: "No run evaluated a certificate." }),
      parameterChart({ id: `gamma-${id}`, title: `γ against ${xLabel}`, subtitle: `last certificate; passes when γ ≥ γ_min = ${formatNumber(gates.gammaMin)}; log scale`, xLabel, yScale: "log", points: points((r) => r.gamma), gates: [{ y: gates.gammaMin, label: `γ_min ${formatNumber(gates.gammaMin)}`, color: "#dc2626" }], empty: "No run evaluated a certificate." }),
      parameterChart({ id: `fit-${id}`, title: `Data fit against ${xLabel}`, subtitle: "discrepancy ‖Kx − y‖²/(m σ̂²), σ̂ from the finest db4 detail band of y; the discrepancy principle's target is 1; log scale", xLabel, yScale: "log", points: points((r) => r.discrepancy), gates: [{ y: 1, label: "target 1", color: "#0d9488" }], empty: "No run recorded a data fit (artifacts/data_fit.json)." }),
    );
  }

  const axisNames = sweep.axes.map((a) => a.name);
  const head = ["#", ...axisNames, "status", "phase", "iters", "E", "η_dd", "γ", "λ", "fit", "wall", "exit", "report"];
  const body = rows.map((r) => {
    const cells = [
      `<td class="num">${r.index}</td>`,
      ...axisNames.map((a) => `<td class="mono">${escapeHtml(isPath(a) ? basename(r.point[a] ?? "") : (r.point[a] ?? ""))}</td>`),
      `<td>${escapeHtml(r.status ?? r.error?.code ?? "—")}</td>`,
      `<td class="phase">${r.phase ? `<b class="${escapeHtml(r.phase)}">${escapeHtml(r.phase)}</b>` : "—"}</td>`,
      ...[r.iters, r.energy, r.etaDD, r.gamma, r.lambda, r.discrepancy].map((v) => `<td class="num">${escapeHtml(formatNumber(v))}</td>`),
      `<td class="num">${escapeHtml(formatDuration(r.wallMs))}</td>`,
      `<td class="num">${r.exitCode ?? "—"}</td>`,
      `<td>${r.report ? `<a class="run-report" href="${escapeHtml(r.report)}">${escapeHtml(r.runId)}</a>` : escapeHtml(r.error?.message.split("\n")[0] ?? "—")}</td>`,
    ];
    return `<tr data-run="${escapeHtml(r.runId)}">${cells.join("")}</tr>`;
  });
  const totalWall = rows.reduce((s, r) => s + (r.wallMs ?? 0), 0);
  const card = (k: string, v: string, sub = "", cls = "") => `<div class="card"><div class="k">${escapeHtml(k)}</div><div class="v${cls ? ` ${cls}` : ""}">${escapeHtml(v)}</div>${sub ? `<div class="s">${escapeHtml(sub)}</div>` : ""}</div>`;
  const cards = [
    card("runs", String(rows.length), swept.map((a) => `${a.name} × ${a.values.length}`).join(", ") || "one point"),
    card("GREEN", String(green), "certified", green ? "ok" : ""),
    card("AMBER", String(amber), "not certified", amber ? "fail" : ""),
    card("RED", String(red), "spec invalid", red ? "fail" : ""),
    card("no capsule", String(none), "refused before recording"),
    card("run time", formatDuration(totalWall), "summed over runs"),
  ];
  const fixed = Object.entries(sweep.fixed);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>${escapeHtml(`cflow ${title}`)}</title>
<style>${REPORT_CSS}${SWEEP_CSS}</style>
</head>
<body>
<main>
<header class="top"><h1>${escapeHtml(title)}</h1><span class="badge ${badge}">${green}/${rows.length} GREEN</span><span class="runid">${escapeHtml(sweep.sweepId)} · created ${escapeHtml(sweep.createdAt)}</span></header>
<p class="verdict">Spec <span class="mono">${escapeHtml(sweep.options.spec)}</span>${fixed.length ? ` with ${escapeHtml(fixed.map(([k, v]) => `${k}=${v}`).join(", "))}` : ""}. A run is GREEN when its certificates hold (η_dd ≤ η_max and γ ≥ γ_min); each marker is one run, coloured by the phase it ended in.</p>
<section class="cards">${cards.join("")}</section>
<h2>Certificates and data fit against the swept parameters</h2>
<section class="charts">${charts.join("\n")}</section>
<h2>Runs</h2>
<table class="runs"><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead><tbody>${body.join("")}</tbody></table>
<footer>${escapeHtml(options.generator ?? "cflow")} · sweep report${options.generatedAt ? ` · generated ${escapeHtml(options.generatedAt)}` : ""} · self-contained: no scripts, nothing loaded from the network</footer>
</main>
</body>
</html>
`;
}

/**
 * Writes the sweep report — `<sweepDir>/report.html`, or `file` — atomically (a temporary sibling
 * renamed into place) and returns its path. Links to the runs' reports are relative to it.
 */
export function writeSweepReport(sweepDir: string, sweep: SweepFile, rows: readonly SweepRow[], file = join(sweepDir, "report.html")): string {
  const html = renderSweepReport(
    sweep,
    rows.map((r) => ({ ...r, report: r.report ? relative(dirname(file), r.report) : null })),
    { generator: `@cflow/cli ${packageVersion()}`, generatedAt: new Date().toISOString() },
  );
  const tmp = join(dirname(file), `.${basename(file)}.tmp`);
  writeFileSync(tmp, html);
  renameSync(tmp, file);
  return file;
}
