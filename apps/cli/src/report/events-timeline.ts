import { escapeHtml, formatDuration } from "./format.js";
import type { PhaseBand } from "./line-chart.js";
import type { EventRecord } from "./report-data.js";
import { linearScale } from "./scale.js";

/** Lanes of the timeline, and the colour of each kind of event. */
const LANES: { name: string; events: Record<string, string> }[] = [
  { name: "run", events: { RUN_STARTED: "#64748b", RUN_FINISHED: "#16a34a", TIMEOUT: "#d97706", CANCELLED: "#d97706", CHECKPOINT_WRITTEN: "#94a3b8", WARNING: "#d97706", SPEC_LINT_FAIL: "#dc2626" } },
  { name: "phase", events: { PHASE_CHANGED: "#0ea5e9" } },
  { name: "certificates", events: { CERT_PASS: "#16a34a", CERT_FAIL: "#dc2626" } },
  { name: "tuner", events: { TUNER_MOVE_TRY: "#6366f1", TUNER_MOVE_ACCEPTED: "#16a34a", TUNER_MOVE_REJECTED: "#f97316", ROLLBACK: "#dc2626" } },
  { name: "schedule", events: { SCALE_ACTIVATED: "#0d9488", LENS_SELECTED: "#a855f7", FLOW_POLICY_APPLIED: "#64748b" } },
];

function laneOf(event: string): { lane: number; color: string } {
  const i = LANES.findIndex((l) => event in l.events);
  return i >= 0 ? { lane: i, color: LANES[i].events[event] } : { lane: 0, color: "#64748b" };
}

/** A short, readable form of an event's payload. */
export function payloadText(payload: string, max = 160): string {
  let text: string;
  try {
    const v = JSON.parse(payload) as unknown;
    text =
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.entries(v as Record<string, unknown>)
            .map(([k, x]) => `${k}=${typeof x === "number" ? String(Number(x.toPrecision(4))) : JSON.stringify(x)}`)
            .join(" ")
        : JSON.stringify(v);
  } catch {
    text = payload;
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Events that happen every few iterations in a long run; thinned on the timeline past MAX_MARKERS. */
const ROUTINE = new Set(["CHECKPOINT_WRITTEN", "CERT_PASS", "TUNER_MOVE_TRY", "TUNER_MOVE_ACCEPTED"]);
const MAX_MARKERS = 1500;
/** Rows of the event table: a long run's log belongs to SQL (cflow query), not to a page. */
const MAX_TABLE_ROWS = 1000;

/** The events to draw: all of them, or in a long run every rare event and evenly spaced routine ones. */
function markersOf(events: readonly EventRecord[]): { shown: EventRecord[]; thinned: number } {
  if (events.length <= MAX_MARKERS) return { shown: [...events], thinned: 0 };
  const rare = events.filter((e) => !ROUTINE.has(e.event));
  const routine = events.filter((e) => ROUTINE.has(e.event));
  const room = Math.max(0, MAX_MARKERS - rare.length);
  const step = routine.length / Math.max(1, room);
  const kept = room > 0 ? Array.from({ length: Math.min(room, routine.length) }, (_, i) => routine[Math.floor(i * step)]) : [];
  return { shown: [...rare, ...kept], thinned: routine.length - kept.length };
}

/** The events as markers on an iteration axis, one lane per kind, phase bands behind. */
export function eventsTimeline(events: readonly EventRecord[], xDomain: [number, number], bands: readonly PhaseBand[]): string {
  if (events.length === 0) return `<figure class="chart chart-empty" id="events-timeline"><figcaption><span class="chart-title">Events</span></figcaption><p class="empty">No events were recorded.</p></figure>`;
  const width = 1120;
  const laneH = 22;
  const top = 8;
  const left = 92;
  const right = 14;
  const height = top + LANES.length * laneH + 26;
  const xs = linearScale(xDomain, [left, width - right]);
  const clampX = (iter: number) => xs(Math.min(Math.max(iter, xDomain[0]), xDomain[1]));
  const out: string[] = [];
  out.push(`<svg class="plot timeline" viewBox="0 0 ${width} ${height}" role="img" aria-label="Events timeline">`);
  const bottom = top + LANES.length * laneH;
  for (const b of bands) {
    const x0 = xs(b.x0);
    const x1 = xs(b.x1);
    if (x1 > x0) out.push(`<rect class="phase-band phase-${escapeHtml(b.phase)}" data-phase="${escapeHtml(b.phase)}" x="${x0.toFixed(1)}" y="${top}" width="${(x1 - x0).toFixed(1)}" height="${bottom - top}"/>`);
  }
  LANES.forEach((l, i) => {
    const y = top + i * laneH + laneH / 2;
    out.push(`<line class="grid" x1="${left}" x2="${width - right}" y1="${y}" y2="${y}"/><text class="tick" x="${left - 8}" y="${y + 4}" text-anchor="end">${l.name}</text>`);
  });
  for (const t of xs.ticks()) {
    if (!Number.isInteger(t)) continue;
    out.push(`<text class="tick" x="${xs(t).toFixed(1)}" y="${bottom + 16}" text-anchor="middle">${t}</text>`);
  }
  const { shown, thinned } = markersOf(events);
  for (const e of shown) {
    const { lane, color } = laneOf(e.event);
    const x = clampX(e.iter).toFixed(1);
    const y = top + lane * laneH + laneH / 2;
    const shape = /FAIL|REJECTED|ROLLBACK/.test(e.event)
      ? `<path d="M${x} ${y - 6}l6 6l-6 6l-6 -6z" fill="${color}"/>`
      : `<circle cx="${x}" cy="${y}" r="5" fill="${color}"/>`;
    out.push(
      `<g class="event-marker" data-event="${escapeHtml(e.event)}" data-iter="${e.iter}">${shape}<title>${escapeHtml(e.event)} · iteration ${e.iter} · ${escapeHtml(formatDuration(e.t_wall_ms))}\n${escapeHtml(payloadText(e.payload, 400))}</title></g>`,
    );
  }
  out.push("</svg>");
  return `<figure class="chart wide" id="events-timeline"><figcaption><span class="chart-title">Events</span> <span class="chart-sub">${events.length} events${thinned ? ` (${thinned} routine events thinned)` : ""}; hover a marker for its payload</span></figcaption>${out.join("")}</figure>`;
}

/** The events as a table (the first `limit` rows open, the rest folded). */
export function eventsTable(events: readonly EventRecord[], limit = 40): string {
  if (events.length === 0) return "";
  const row = (e: EventRecord) => {
    const { color } = laneOf(e.event);
    return `<tr><td class="num">${e.iter}</td><td class="num">${escapeHtml(formatDuration(e.t_wall_ms))}</td><td><span class="tag" style="border-color:${color};color:${color}">${escapeHtml(e.event)}</span></td><td class="payload">${escapeHtml(payloadText(e.payload))}</td></tr>`;
  };
  const head = `<thead><tr><th>iter</th><th>time</th><th>event</th><th>payload</th></tr></thead>`;
  const first = events.slice(0, limit).map(row).join("");
  const rest = events.slice(limit, MAX_TABLE_ROWS);
  const hidden = events.length - Math.max(limit, Math.min(events.length, MAX_TABLE_ROWS));
  return (
    `<table class="events">${head}<tbody>${first}</tbody></table>` +
    (rest.length ? `<details><summary>${rest.length} more events</summary><table class="events">${head}<tbody>${rest.map(row).join("")}</tbody></table></details>` : "") +
    (hidden > 0 ? `<p class="empty">${hidden} later events not listed: query the capsule for the rest (cflow query "SELECT * FROM events")</p>` : "")
  );
}
