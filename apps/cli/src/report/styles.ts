/** The report's stylesheet (inlined: the report must open without a network). */
export const REPORT_CSS = `
:root {
  --bg: #f6f7f9; --card: #ffffff; --ink: #0f172a; --muted: #64748b; --line: #e2e8f0; --grid: #eef2f6;
  --red: #dc2626; --amber: #d97706; --green: #16a34a;
  --band-RED: rgba(239, 68, 68, 0.10); --band-AMBER: rgba(245, 158, 11, 0.12); --band-GREEN: rgba(34, 197, 94, 0.10);
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root { --bg: #0b1020; --card: #121a2e; --ink: #e2e8f0; --muted: #94a3b8; --line: #23304d; --grid: #1a2540;
    --band-RED: rgba(239, 68, 68, 0.16); --band-AMBER: rgba(245, 158, 11, 0.16); --band-GREEN: rgba(34, 197, 94, 0.13); }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 24px 48px; }
header.top { display: flex; flex-wrap: wrap; align-items: center; gap: 12px 18px; margin-bottom: 6px; }
h1 { font-size: 22px; margin: 0; letter-spacing: -0.01em; }
h2 { font-size: 15px; margin: 28px 0 10px; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); }
.runid { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: var(--muted); }
.badge { display: inline-block; padding: 3px 10px; border-radius: 999px; font-weight: 600; font-size: 12px; letter-spacing: 0.04em; color: #fff; }
.badge.GREEN { background: var(--green); } .badge.AMBER { background: var(--amber); } .badge.RED { background: var(--red); }
.badge.UNKNOWN { background: var(--muted); }
.verdict { margin: 8px 0 18px; font-size: 15px; }
.verdict b.ok { color: var(--green); } .verdict b.fail { color: var(--red); }
.notes { background: rgba(245, 158, 11, 0.12); border: 1px solid rgba(245, 158, 11, 0.5); border-radius: 8px; padding: 8px 12px; margin: 12px 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 10px 12px; }
.card .k { color: var(--muted); font-size: 12px; }
.card .v { font-size: 18px; font-weight: 600; font-variant-numeric: tabular-nums; margin-top: 2px; }
.card .s { color: var(--muted); font-size: 12px; }
.card .v.ok { color: var(--green); } .card .v.fail { color: var(--red); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 14px; }
figure { margin: 0; }
.chart { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 10px 12px 8px; }
.chart.wide { grid-column: 1 / -1; }
.chart figcaption { margin-bottom: 4px; }
.chart-title { font-weight: 600; }
.chart-sub { color: var(--muted); font-size: 12px; }
.chart .empty { color: var(--muted); margin: 24px 0; text-align: center; }
svg.plot { width: 100%; height: auto; display: block; overflow: visible; }
svg .grid { stroke: var(--grid); stroke-width: 1; }
svg .axis { stroke: var(--muted); stroke-width: 1; }
svg .tick, svg .axis-label { fill: var(--muted); font-size: 11px; font-variant-numeric: tabular-nums; }
svg .gate text { font-size: 11px; font-weight: 600; }
svg .phase-RED { fill: var(--band-RED); } svg .phase-AMBER { fill: var(--band-AMBER); } svg .phase-GREEN { fill: var(--band-GREEN); }
svg .event-marker { cursor: default; } svg .event-marker:hover { opacity: 0.7; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12px; color: var(--muted); padding: 2px 0 2px 60px; }
.legend .key i { display: inline-block; width: 14px; height: 3px; border-radius: 2px; margin-right: 6px; vertical-align: middle; }
.phase-key { display: flex; gap: 14px; font-size: 12px; color: var(--muted); margin: 4px 0 10px; }
.phase-key i { display: inline-block; width: 12px; height: 12px; border-radius: 3px; margin-right: 5px; vertical-align: -2px; border: 1px solid var(--line); }
.images .image-row { display: flex; flex-wrap: wrap; gap: 14px; }
.image { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 10px; }
.image img { display: block; height: auto; background: #000; border-radius: 4px; }
.image img.pixelated { image-rendering: pixelated; }
.image figcaption { margin-top: 6px; font-size: 12px; } .image figcaption span { color: var(--muted); }
table { border-collapse: collapse; width: 100%; background: var(--card); border: 1px solid var(--line); border-radius: 10px; overflow: hidden; font-size: 13px; }
th, td { text-align: left; padding: 5px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
td.payload, td.mono { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; word-break: break-word; }
.tag { display: inline-block; border: 1px solid; border-radius: 4px; padding: 0 6px; font-size: 11px; font-weight: 600; white-space: nowrap; }
details { margin-top: 8px; } summary { cursor: pointer; color: var(--muted); }
footer { margin-top: 36px; color: var(--muted); font-size: 12px; }
`;
