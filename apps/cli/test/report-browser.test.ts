import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, type Page, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderReport } from "../src/report/render-report.js";
import { capsuleOf, cflow, tempDir, writeSweepSpec } from "./helpers.js";
import { syntheticReportData } from "./report-fixture.js";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** A new page recording console errors and warnings, page errors, and every request it makes. */
async function watchedPage(browser: Browser): Promise<{ page: Page; problems: string[]; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("request", (r) => requests.push(r.url()));
  return { page, problems, requests };
}

describe("the run report in a browser (headless Chromium)", () => {
  let browser: Browser;
  const data = syntheticReportData({ iters: 600, size: 64 });
  const file = join(tempDir("browser"), "report.html");

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: the report's browser test needs Debian's Chromium. Install it with: apt-get install -y chromium`);
    }
    writeFileSync(file, renderReport(data, { generator: "@cflow/cli test" }));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("renders charts with data, phase bands, event markers and images, with no console errors and no network", async () => {
    const { page, problems, requests } = await watchedPage(browser);
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });

    const charts = await page.$$eval("figure.chart:not(.chart-empty) svg.plot", (svgs) =>
      svgs.map((svg) => {
        const box = svg.getBoundingClientRect();
        const series = Array.from(svg.querySelectorAll("g.series")).map((g) => ({
          points: Number(g.getAttribute("data-points")),
          pathLength: (g.querySelector("path") as SVGPathElement).getTotalLength(),
        }));
        return { id: svg.closest("figure")!.id, width: box.width, height: box.height, series };
      }),
    );
    const ids = charts.map((c) => c.id);
    expect(ids).toEqual(["chart-energy", "chart-grad", "chart-eta", "chart-gamma", "chart-lambda", "chart-step", "events-timeline"]);
    for (const c of charts.filter((c) => c.id !== "events-timeline")) {
      expect(c.width, c.id).toBeGreaterThan(300);
      expect(c.height, c.id).toBeGreaterThan(100);
      expect(c.series.length, c.id).toBeGreaterThan(0);
      for (const s of c.series) {
        expect(s.points, c.id).toBeGreaterThan(0);
        expect(s.pathLength, c.id).toBeGreaterThan(50);
      }
    }
    const energy = charts.find((c) => c.id === "chart-energy")!;
    expect(energy.series[0].points).toBe(600);

    const gates = await page.$$eval("g.gate text", (ts) => ts.map((t) => t.textContent));
    expect(gates).toEqual(["η_max 0.9", "γ_min 1.00e-6"]);

    const bands = await page.$$eval("rect.phase-band", (rs) => rs.map((r) => ({ phase: r.getAttribute("data-phase"), width: (r as SVGRectElement).getBBox().width })));
    expect(bands).toHaveLength(4 * 7);
    expect(new Set(bands.map((b) => b.phase))).toEqual(new Set(["AMBER", "GREEN"]));
    for (const b of bands) expect(b.width).toBeGreaterThan(0);

    const markers = await page.$$eval("#events-timeline g.event-marker", (gs) => gs.map((g) => ({ event: g.getAttribute("data-event"), width: (g as SVGGElement).getBBox().width })));
    expect(markers).toHaveLength(data.events.length);
    expect(markers.filter((m) => m.event === "ROLLBACK")).toHaveLength(1);
    for (const m of markers) expect(m.width).toBeGreaterThan(0);

    const images = await page.$$eval("figure.image img", (imgs) => imgs.map((i) => ({ name: i.closest("figure")!.getAttribute("data-image"), complete: (i as HTMLImageElement).complete, w: (i as HTMLImageElement).naturalWidth, h: (i as HTMLImageElement).naturalHeight })));
    expect(images).toEqual(["input", "result", "difference"].map((name) => ({ name, complete: true, w: 64, h: 64 })));

    // Chromium's own PNG decoder reads back the pixels our encoder wrote.
    const pixels = await page.$eval('figure[data-image="result"] img', (img) => {
      const c = document.createElement("canvas");
      c.width = 64;
      c.height = 64;
      const ctx = c.getContext("2d")!;
      ctx.drawImage(img as HTMLImageElement, 0, 0);
      const d = ctx.getImageData(0, 0, 64, 64).data;
      return Array.from({ length: 64 * 64 }, (_, i) => d[4 * i]);
    });
    const input = data.images[0].data;
    const result = data.images[1].data;
    let lo = Infinity;
    let hi = -Infinity;
    for (const a of [input, result]) for (let i = 0; i < a.length; i++) [lo, hi] = [Math.min(lo, a[i]), Math.max(hi, a[i])];
    expect(pixels).toEqual(Array.from(result, (v) => Math.round(((v - lo) / (hi - lo)) * 255)));

    expect(problems).toEqual([]);
    expect(requests.filter((u) => !u.startsWith("file:") && !u.startsWith("data:"))).toEqual([]);
    await page.close();
  });

  it("the report `cflow run` writes for a real 2D run renders: charts, the three images, no errors, no network", async () => {
    const r = await cflow(["run", "examples/deconv-2d", "--param", "size=64", "--out", join(tempDir("browser-run"), "runs")]);
    expect(r.code).toBe(0);
    const { page, problems, requests } = await watchedPage(browser);
    await page.goto(pathToFileURL(join(capsuleOf(r), "report.html")).href, { waitUntil: "load" });
    expect(await page.$eval("h1", (h) => h.textContent)).toBe("deconv-2d");
    const drawn = await page.$$eval("figure.chart:not(.chart-empty) svg.plot g.series path", (ps) => ps.map((p) => (p as SVGPathElement).getTotalLength()));
    expect(drawn.length).toBeGreaterThan(5);
    expect(drawn.every((len) => len > 0)).toBe(true);
    expect(await page.$$eval("figure.chart", (fs) => fs.map((f) => f.id))).toEqual(expect.arrayContaining(["chart-energy", "chart-eta", "chart-gamma", "chart-lambda", "events-timeline"]));
    const images = await page.$$eval("figure.image img", (imgs) => imgs.map((i) => ({ name: i.closest("figure")!.getAttribute("data-image"), w: (i as HTMLImageElement).naturalWidth, h: (i as HTMLImageElement).naturalHeight })));
    expect(images).toEqual(["input", "result", "difference"].map((name) => ({ name, w: 64, h: 64 })));
    expect(problems).toEqual([]);
    expect(requests.filter((u) => !u.startsWith("file:") && !u.startsWith("data:"))).toEqual([]);
    await page.close();
  });

  it("the sweep report: η_dd, γ and the data fit against each swept parameter, phase-coloured markers, links to every run's report", async () => {
    const dir = tempDir("browser-sweep");
    const spec = writeSweepSpec(dir);
    const r = await cflow(["sweep", spec, "--grid", "weight=0.05,0.2,-1", "--seeds", "0..1", "--workers", "2", "--out", join(dir, "sweeps"), "--json"]);
    // the two runs with weight -1 are refused (exit 6): the set exits with that code
    expect(r.code, r.stderr).toBe(6);
    const sweep = (JSON.parse(r.stdout) as { result: { sweep_dir: string; report: string; runs: { run_id: string; status: string | null }[] } }).result;
    expect(sweep.report).toBe(join(sweep.sweep_dir, "report.html"));
    const { page, problems, requests } = await watchedPage(browser);
    await page.goto(pathToFileURL(sweep.report).href, { waitUntil: "load" });
    expect(await page.$eval("h1", (h) => h.textContent)).toBe("sweep of sweep-spec.ts");
    const charts = await page.$$eval("figure.chart", (fs) =>
      fs.map((f) => ({
        id: f.id,
        width: f.getBoundingClientRect().width,
        points: Array.from(f.querySelectorAll("circle.run-point")).map((c) => ({ phase: c.getAttribute("data-phase"), fill: c.getAttribute("fill"), cy: Number(c.getAttribute("cy")) })),
        lines: f.querySelectorAll("path.group-line").length,
        gates: Array.from(f.querySelectorAll("g.gate text")).map((t) => t.textContent),
      })),
    );
    expect(charts.map((c) => c.id)).toEqual(["eta-weight", "gamma-weight", "fit-weight", "eta-seed", "gamma-seed", "fit-seed"]);
    for (const c of charts) {
      expect(c.width, c.id).toBeGreaterThan(300);
      // four runs recorded a capsule, all GREEN; the refused two have no point
      expect(c.points, c.id).toHaveLength(4);
      for (const p of c.points) expect(p, c.id).toMatchObject({ phase: "GREEN", fill: "#16a34a" });
    }
    // against weight, one line per seed (the refused weight has no points); against the seed, one per weight
    expect(charts.find((c) => c.id === "gamma-weight")!.lines).toBe(2);
    expect(charts.find((c) => c.id === "fit-seed")!.lines).toBe(2);
    expect(charts.find((c) => c.id === "eta-weight")!.gates).toEqual(["η_max 6"]);
    expect(charts.find((c) => c.id === "gamma-weight")!.gates).toEqual(["γ_min 1.00e-6"]);
    expect(charts.find((c) => c.id === "fit-weight")!.gates).toEqual(["target 1"]);
    // a larger l1 weight fits the data less closely: its discrepancy marker sits higher (smaller cy)
    const fit = charts.find((c) => c.id === "fit-weight")!.points;
    expect(Math.min(...fit.map((p) => p.cy))).toBeLessThan(Math.max(...fit.map((p) => p.cy)));
    const rows = await page.$$eval("table.runs tbody tr", (trs) => trs.map((tr) => ({ run: tr.getAttribute("data-run"), href: tr.querySelector("a.run-report")?.getAttribute("href") ?? null })));
    expect(rows.map((x) => x.run)).toEqual(sweep.runs.map((x) => x.run_id));
    const linked = rows.filter((x) => x.href !== null);
    expect(linked).toHaveLength(4);
    for (const x of linked) expect(x.href).toBe(`${x.run}/report.html`);
    expect(problems).toEqual([]);
    expect(requests.filter((u) => !u.startsWith("file:") && !u.startsWith("data:"))).toEqual([]);
    // each link opens that run's own report
    await page.click(`tr[data-run="${linked[1].run}"] a.run-report`);
    await page.waitForLoadState("load");
    expect(page.url()).toBe(pathToFileURL(join(sweep.sweep_dir, linked[1].href!)).href);
    expect(await page.$eval("h1", (h) => h.textContent)).toBe("sweep-test");
    await page.close();
  });
});
