import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, type Page, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderReport } from "../src/report/render-report.js";
import { capsuleOf, cflow, tempDir } from "./helpers.js";
import { syntheticReportData } from "./report-fixture.js";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

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
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const { problems, requests } = watch(page);
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
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const { problems, requests } = watch(page);
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
});

/** What a page reports: console errors and warnings, uncaught errors, and every request it makes. */
function watch(page: Page): { problems: string[]; requests: string[] } {
  const problems: string[] = [];
  const requests: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("request", (r) => requests.push(r.url()));
  return { problems, requests };
}
