import { DEFAULTS } from "@cflow/core";
import { escapeHtml, formatDuration, formatNumber } from "./format.js";
import { eventsTable, eventsTimeline, payloadText } from "./events-timeline.js";
import { imagePanels } from "./image-panels.js";
import { type Series, lineChart } from "./line-chart.js";
import { phaseBands } from "./phase-bands.js";
import { type EventRecord, type ReportData, eventPayload } from "./report-data.js";
import { REPORT_CSS } from "./styles.js";
import { targetChart } from "./target-chart.js";

const PALETTE = ["#2563eb", "#ea580c", "#0d9488", "#7c3aed", "#db2777", "#65a30d", "#0891b2", "#b45309", "#4f46e5", "#be123c"];
const END_EVENTS = ["RUN_FINISHED", "TIMEOUT", "CANCELLED", "SPEC_LINT_FAIL"];

/** What a GREEN run guarantees, in the words of the README ("What GREEN guarantees"). */
export const GREEN_GUARANTEE =
  "GREEN guarantees that the smooth part's Hessian, restricted to the active coefficients of the reported state, has its smallest eigenvalue at least γ ≥ γ_min (proven, or false with at most the stated probability) and its optimally scaled coupling at most η_max: the flow is stable on that support — not that λ is good";

export interface RenderReportOptions {
  /** Shown in the footer (e.g. "@cflow/cli 0.1.0"). */
  generator?: string;
  /** Shown in the footer; omitted by default so a report is a function of its data. */
  generatedAt?: string;
}

interface Outcome {
  status: string;
  phase: string;
}

function lastOf<T>(rows: readonly T[], pick: (r: T) => number | null): number | null {
  for (let i = rows.length - 1; i >= 0; i--) {
    const v = pick(rows[i]);
    if (v !== null && Number.isFinite(v)) return v;
  }
  return null;
}

function parseLambdaJ(s: string | null): number[] | null {
  if (s === null || s === "") return null;
  try {
    const v = JSON.parse(s) as unknown;
    return Array.isArray(v) && v.every((x) => typeof x === "number" || x === null) ? (v as number[]) : null;
  } catch {
    return null;
  }
}

/** How the run ended: the manifest's summary, else the last ending event, else the last phase. */
function outcome(data: ReportData): Outcome {
  const lastPhase = data.telemetry.length ? String(data.telemetry[data.telemetry.length - 1].phase) : "UNKNOWN";
  const s = data.manifest.summary;
  if (s?.status) return { status: String(s.status), phase: String(s.phase ?? lastPhase) };
  const end = [...data.events].reverse().find((e) => END_EVENTS.includes(e.event));
  if (end) {
    const p = eventPayload(end);
    const status = typeof p.status === "string" ? p.status : end.event === "RUN_FINISHED" ? "FINISHED" : end.event;
    return { status, phase: typeof p.phase === "string" ? p.phase : lastPhase };
  }
  return { status: "UNFINISHED", phase: lastPhase };
}

function card(label: string, value: string, sub = "", cls = ""): string {
  return `<div class="card"><div class="k">${escapeHtml(label)}</div><div class="v${cls ? ` ${cls}` : ""}">${escapeHtml(value)}</div>${sub ? `<div class="s">${escapeHtml(sub)}</div>` : ""}</div>`;
}

function flatten(prefix: string, v: unknown, out: [string, string][]): void {
  if (v && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date)) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) flatten(prefix ? `${prefix}.${k}` : k, x, out);
    return;
  }
  let s = v instanceof Date ? v.toISOString() : typeof v === "string" ? v : JSON.stringify(v);
  if (s && s.length > 300) s = `${s.slice(0, 299)}…`;
  out.push([prefix, s ?? ""]);
}

/**
 * The run report: one self-contained HTML page (inline CSS and SVG, images as data URIs, no
 * script, nothing fetched) with the run's verdict, energy and gradient-mapping norm, η_dd and γ
 * against their gates, λ and λ_j, phase bands, the events and, for 2D runs, the images.
 */
export function renderReport(data: ReportData, options: RenderReportOptions = {}): string {
  const m = data.manifest;
  const t = data.telemetry;
  // the gate defaults when the manifest does not carry them
  const gates = { etaMax: m.gates?.eta_max ?? DEFAULTS.certification.etaMax, gammaMin: m.gates?.gamma_min ?? DEFAULTS.certification.gammaMin };
  const iters = [...t.map((r) => r.iter), ...data.events.map((e) => e.iter)].filter((i) => Number.isFinite(i) && i >= 0);
  const xDomain: [number, number] = iters.length ? [Math.min(...iters), Math.max(Math.max(...iters), Math.min(...iters) + 1)] : [0, 1];
  const bands = phaseBands(t);
  const end = outcome(data);
  const runId = m.run_id ?? t[0]?.run_id ?? data.events[0]?.run_id ?? "run";
  const spec = m.extra?.spec;
  const title = spec?.name ?? runId;

  // Energy: on a log axis when positive; otherwise the gap to the lowest energy seen.
  const energies = t.map((r) => r.E).filter((e): e is number => e !== null && Number.isFinite(e));
  const allPositive = energies.every((e) => e > 0);
  const eMin = energies.length ? Math.min(...energies) : 0;
  const energySeries: Series = allPositive
    ? { name: "E", color: PALETTE[0], points: t.map((r) => [r.iter, r.E]) }
    : { name: "E − min E", color: PALETTE[0], points: t.map((r) => [r.iter, r.E === null ? null : r.E - eMin]) };

  const lambdaSeries: Series[] = [{ name: "λ", color: PALETTE[0], points: t.map((r) => [r.iter, r.lambda]) }];
  const lj = t.map((r) => parseLambdaJ(r.lambda_j));
  const bandsJ = Math.max(0, ...lj.map((a) => a?.length ?? 0));
  for (let j = 0; j < bandsJ; j++) {
    lambdaSeries.push({ name: `λ_${j + 1}`, color: PALETTE[(j + 1) % PALETTE.length], dash: "5 3", points: t.map((r, i) => [r.iter, lj[i]?.[j] ?? null]) });
  }

  const charts = [
    lineChart({
      id: "chart-energy",
      title: "Energy",
      subtitle: allPositive ? "E(x) = f(x) + g(x), log scale" : `E − min E (min E = ${formatNumber(eMin)}), log scale`,
      yScale: "log",
      xDomain,
      bands,
      series: [energySeries],
      empty: "No energy was recorded.",
    }),
    lineChart({
      id: "chart-grad",
      title: "Gradient-mapping norm",
      subtitle: "‖G_α(x)‖ = ‖x − x⁺‖/α, log scale",
      yScale: "log",
      xDomain,
      bands,
      series: [{ name: "‖G_α‖", color: PALETTE[1], points: t.map((r) => [r.iter, r.grad_norm]) }],
      empty: "No gradient-mapping norm was recorded.",
    }),
    lineChart({
      id: "chart-eta",
      title: "Diagonal dominance η_dd",
      subtitle: `passes when η_dd ≤ η_max = ${formatNumber(gates.etaMax)}`,
      yScale: "linear",
      xDomain,
      bands,
      series: [{ name: "η_dd", color: PALETTE[3], points: t.filter((r) => r.eta_dd !== null).map((r) => [r.iter, r.eta_dd]) }],
      gates: [{ y: gates.etaMax, label: `η_max ${formatNumber(gates.etaMax)}`, color: "#dc2626" }],
      empty: "No certificate was evaluated.",
    }),
    lineChart({
      id: "chart-gamma",
      title: "Spectral gap γ",
      subtitle: `passes when γ ≥ γ_min = ${formatNumber(gates.gammaMin)}; log scale, γ ≤ 0 marked on the floor`,
      yScale: "log",
      xDomain,
      bands,
      series: [{ name: "γ", color: PALETTE[2], points: t.filter((r) => r.gamma !== null).map((r) => [r.iter, r.gamma]) }],
      gates: [{ y: gates.gammaMin, label: `γ_min ${formatNumber(gates.gammaMin)}`, color: "#dc2626" }],
      empty: "No certificate was evaluated.",
    }),
    lineChart({
      id: "chart-lambda",
      title: "Sparsity weights λ and λ_j",
      subtitle: bandsJ ? `global λ and ${bandsJ} per-band λ_j (coarsest first), log scale` : "log scale",
      yScale: "log",
      xDomain,
      bands,
      series: lambdaSeries,
      empty: "This flow has no sparsity weight.",
    }),
    lineChart({
      id: "chart-step",
      title: "Step size and sparsity",
      subtitle: "α and the fraction of W-coefficients above threshold",
      yScale: "log",
      xDomain,
      bands,
      series: [
        { name: "α", color: PALETTE[5], points: t.map((r) => [r.iter, r.alpha]) },
        { name: "sparsity(Wx)", color: PALETTE[6], points: t.map((r) => [r.iter, r.sparsity_wx]) },
      ],
      empty: "No step size was recorded.",
    }),
  ];
  const target = targetChart(m, data.events);
  if (target) charts.push(target);

  const lastE = lastOf(t, (r) => r.E);
  const lastG = lastOf(t, (r) => r.grad_norm);
  const lastEta = lastOf(t, (r) => r.eta_dd);
  const lastGamma = lastOf(t, (r) => r.gamma);
  const etaOk = lastEta !== null && lastEta <= gates.etaMax;
  const gammaOk = lastGamma !== null && lastGamma >= gates.gammaMin;
  const lastRow = t[t.length - 1];
  const wall = m.summary?.t_wall_ms ?? lastRow?.t_wall_ms ?? null;
  const iterCount = m.summary?.iters ?? (lastRow ? lastRow.iter + 1 : 0);
  const rollbacks = data.events.filter((e) => e.event === "ROLLBACK").length;
  const certEvents = data.events.filter((e) => e.event === "CERT_PASS" || e.event === "CERT_FAIL");

  const bar = m.summary?.error_bar;
  const barHow = bar ? (bar.route === "inherited" ? "γ inherited from a certified support containing S" : `γ by ${bar.route}`) + ((bar.failure_probability ?? 0) > 0 ? `, holds with probability ≥ 1 − ${formatNumber(bar.failure_probability!)}` : ", proven") : "";
  const verdict =
    lastEta === null && lastGamma === null
      ? "No certificate was evaluated in this run."
      : `Last certificate: η_dd = ${formatNumber(lastEta)} ${etaOk ? "≤" : ">"} η_max = ${formatNumber(gates.etaMax)} <b class="${etaOk ? "ok" : "fail"}">${etaOk ? "pass" : "fail"}</b>` +
        ` · γ = ${formatNumber(lastGamma)} ${gammaOk ? "≥" : "<"} γ_min = ${formatNumber(gates.gammaMin)} <b class="${gammaOk ? "ok" : "fail"}">${gammaOk ? "pass" : "fail"}</b>` +
        (bar?.bound !== undefined ? ` · error bar ‖x − x*_S‖ ≤ ${formatNumber(bar.bound)} (${escapeHtml(barHow)})` : "") +
        (end.phase === "GREEN" ? `. ${GREEN_GUARANTEE}` : "");

  const cards = [
    card("status", end.status, `phase ${end.phase}`, end.phase === "GREEN" && end.status === "FINISHED" ? "ok" : end.phase === "GREEN" ? "" : "fail"),
    card("iterations", formatNumber(iterCount), `${t.length} telemetry rows`),
    card("final energy", formatNumber(m.summary?.final_energy ?? lastE), "E(x)"),
    card("‖G_α‖", formatNumber(lastG), "last gradient mapping"),
    card("η_dd", formatNumber(lastEta), `gate ≤ ${formatNumber(gates.etaMax)}`, lastEta === null ? "" : etaOk ? "ok" : "fail"),
    card("γ", formatNumber(lastGamma), `gate ≥ ${formatNumber(gates.gammaMin)}`, lastGamma === null ? "" : gammaOk ? "ok" : "fail"),
    ...(bar?.bound !== undefined ? [card("error bar", formatNumber(bar.bound), "‖x − x*_S‖ ≤, final certificate")] : []),
    card("wall time", formatDuration(wall), m.deterministic ? "deterministic" : ""),
    card("dtype", String(m.dtype ?? "—"), `seed ${m.seed ?? "—"}`),
    card("flow", String(m.flow_family ?? lastRow?.flow_family ?? "—"), m.frame_type ? `frame ${m.frame_type}` : ""),
    card("rollbacks", String(rollbacks), `${certEvents.length} certificate events`),
  ];

  const manifestRows: [string, string][] = [];
  flatten("", m, manifestRows);
  const certRow = (e: EventRecord) =>
    `<tr><td class="num">${e.iter}</td><td><span class="tag" style="border-color:${e.event === "CERT_PASS" ? "#16a34a" : "#dc2626"};color:${e.event === "CERT_PASS" ? "#16a34a" : "#dc2626"}">${e.event === "CERT_PASS" ? "pass" : "fail"}</span></td><td class="payload">${escapeHtml(payloadText(e.payload, 240))}</td></tr>`;
  const certHead = `<thead><tr><th>iter</th><th>verdict</th><th>details</th></tr></thead>`;
  const certTable = certEvents.length
    ? `<h2>Certificates</h2><table class="certs">${certHead}<tbody>${certEvents.slice(0, 12).map(certRow).join("")}</tbody></table>` +
      (certEvents.length > 12 ? `<details><summary>${certEvents.length - 12} more certificate evaluations</summary><table class="certs">${certHead}<tbody>${certEvents.slice(12, 500).map(certRow).join("")}</tbody></table>${certEvents.length > 500 ? `<p class="empty">${certEvents.length - 500} later evaluations not listed: query the capsule for the rest</p>` : ""}</details>` : "")
    : "";

  const badge = ["GREEN", "AMBER", "RED"].includes(end.phase) ? end.phase : "UNKNOWN";
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>${escapeHtml(`cflow run ${title}`)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
<header class="top"><h1>${escapeHtml(title)}</h1><span class="badge ${badge}">${escapeHtml(end.status)} · ${escapeHtml(end.phase)}</span><span class="runid">${escapeHtml(runId)}${m.started_at ? ` · started ${escapeHtml(String(m.started_at))}` : ""}</span></header>
${spec?.description ? `<p>${escapeHtml(String(spec.description))}</p>` : ""}
<p class="verdict">${verdict}</p>
${data.notes?.length ? `<div class="notes">${data.notes.map((n) => `<div>${escapeHtml(n)}</div>`).join("")}</div>` : ""}
<section class="cards">${cards.join("")}</section>
<h2>Convergence and certificates</h2>
<div class="phase-key"><span><i style="background:var(--band-RED)"></i>RED: spec invalid</span><span><i style="background:var(--band-AMBER)"></i>AMBER: not certified</span><span><i style="background:var(--band-GREEN)"></i>GREEN: certified</span></div>
<section class="charts">${charts.join("\n")}</section>
<h2>Events</h2>
<section class="charts">${eventsTimeline(data.events, xDomain, bands)}</section>
${certTable}
${imagePanels(data.images)}
<h2>Event log</h2>
${eventsTable(data.events) || "<p>No events.</p>"}
<h2>Manifest</h2>
<details><summary>${manifestRows.length} entries of manifest.toml</summary><table class="manifest"><tbody>${manifestRows.map(([k, v]) => `<tr><td class="mono">${escapeHtml(k)}</td><td class="mono">${escapeHtml(v)}</td></tr>`).join("")}</tbody></table></details>
<footer>${escapeHtml(options.generator ?? "cflow")} · run report${options.generatedAt ? ` · generated ${escapeHtml(options.generatedAt)}` : ""} · self-contained: no scripts, nothing loaded from the network</footer>
</main>
</body>
</html>
`;
  return html;
}

