// The playground page, built by Vite and driven in headless Chromium as a user would: pick the 2D
// deconvolution, load a PNG, set the parameters, press Run and wait for the run to end; the phase
// went AMBER → GREEN, the plots have points, the final certificate is shown, the downloads hold
// the result and the telemetry, and the result equals the same request run here in Node through
// the same code (src/examples.ts, src/worker/run.ts) — bit for bit in float64, to 1e-6 in float32.
// Cancel stops a long run, and the worker takes the next one.
//
// Engine-independent inputs: JS engines' Math.log/exp/sin/cos may differ by an ulp (see
// ./browser-smoke.test.ts), so the picture is whole grey levels (a PNG, decoded by the browser
// and by pngjs here) and the noise is 0 (the example draws it with normal(), i.e. Math.log/cos).
// What remains engine-dependent is the 13 Gaussian taps exp(−t²/8) of σ = 2 (Math.exp): they
// round alike in Node 20 and Debian's Chromium; if a Chromium upgrade changes that, the float64
// comparison fails from the first iteration on.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FlowEvent, TelemetryRow } from "@cflow/core";
import { TELEMETRY_COLUMNS } from "@cflow/recorder/columns";
import { parse } from "csv-parse/sync";
import type { Browser, Page } from "playwright-core";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunRequest, compileRequest } from "../src/examples.js";
import { greyToRgba, rgbaToGrey } from "../src/image.js";
import type { PlaygroundRun } from "../src/main.js";
import { runPlayground } from "../src/worker/run.js";
import { type ServedPage, launchChromium, servePage, watchProblems } from "./chromium.js";

const APP_DIR = fileURLToPath(new URL("../", import.meta.url));
const SIZE = 64;
/** 64×64, db4 × 3, the reference problem's blur, no noise; λ = 0.1 starts close to certified: GREEN at the second attempt, 151 iterations in all. */
const PARAMS = { size: SIZE, levels: 3, sigma: 2, noise: 0, lambda: 0.1, dataSeed: 1 };
const SEED = 3;

/** A 64×64 picture of whole grey levels: a disc, a bar and a ramp. */
function testPng(): Buffer {
  const png = new PNG({ width: SIZE, height: SIZE });
  for (let i = 0; i < SIZE; i++) {
    for (let j = 0; j < SIZE; j++) {
      const disc = (i - 30) ** 2 + (j - 34) ** 2 < 18 ** 2 ? 160 : 0;
      const bar = Math.abs(i - 44) < 3 && Math.abs(j - 30) < 20 ? 80 : 0;
      const v = Math.min(255, disc + bar + 2 * j);
      png.data.set([v, v, v, 255], 4 * (i * SIZE + j));
    }
  }
  return PNG.sync.write(png);
}

interface NodeRun {
  x: Float64Array;
  rows: TelemetryRow[];
  events: FlowEvent[];
  status: string;
}

/** The page's request made here from the same PNG bytes, run through the worker's code. */
async function runNode(png: Buffer, dtype: "float64" | "float32"): Promise<NodeRun> {
  const decoded = PNG.sync.read(png);
  const request: RunRequest = { example: "deconv-2d", params: PARAMS, dtype, seed: SEED, image: { name: "test.png", size: SIZE, pixels: rgbaToGrey(decoded.data, SIZE * SIZE) } };
  const { compiled } = compileRequest(request);
  const out: NodeRun = { x: new Float64Array(0), rows: [], events: [], status: "" };
  try {
    const r = await runPlayground(compiled, { gates: () => {}, progress: (rows, events) => (out.rows.push(...rows), out.events.push(...events)), state: () => {} });
    out.x = Float64Array.from(r.x);
    out.status = r.status;
    return out;
  } finally {
    compiled.dispose();
  }
}

/** Waits for the run to end (the worker's "done", or an error) and returns what the page holds. */
async function runEnded(page: Page): Promise<PlaygroundRun> {
  await page.waitForFunction(() => window.cflowPlayground.end !== null || window.cflowPlayground.error !== null, undefined, { timeout: 0, polling: 50 });
  return page.evaluate(() => window.cflowPlayground);
}

/** A row without its wall-clock time (the one field two runs never share). */
/**
 * A row without the columns a γ route may derive from random draws: the inertia route shifts at
 * fractions of a short Lanczos estimate whose start vector is core's normal() (Math.log, Math.cos —
 * V8 builds may round those an ulp apart), so γ and the error bar built on it can differ in their
 * last bits between Chromium and Node; they are compared to 1e-12 instead.
 */
const exactPart = ({ tWallMs: _, gamma: _g, errorBar: _e, ...rest }: TelemetryRow) => rest;

async function download(page: Page, button: string): Promise<Buffer> {
  const [d] = await Promise.all([page.waitForEvent("download"), page.click(button)]);
  return readFileSync(await d.path());
}

describe("the playground in Chromium", () => {
  let browser: Browser;
  let served: ServedPage;
  let dir: string;
  let pngPath: string;
  beforeAll(async () => {
    [browser, served] = await Promise.all([launchChromium(), servePage(APP_DIR)]);
    dir = mkdtempSync(join(tmpdir(), "cflow-playground-"));
    pngPath = join(dir, "test.png");
    writeFileSync(pngPath, testPng());
  });
  afterAll(async () => {
    await browser?.close();
    await served?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(["float64", "float32"] as const)("runs the 2D deconvolution of a loaded PNG AMBER → GREEN and matches the Node run (%s)", async (dtype) => {
    const page = await browser.newPage({ acceptDownloads: true });
    const problems = watchProblems(page);
    await page.goto(served.url);
    await page.selectOption("#example", "deconv-2d");
    for (const [k, v] of Object.entries(PARAMS)) await page.fill(`#param-${k}`, String(v));
    await page.selectOption("#dtype", dtype);
    await page.fill("#seed", String(SEED));
    await page.setInputFiles("#image", pngPath);
    await page.click("#run");
    // the page's run (in Chromium's worker) and the Node run go side by side
    const [run, node] = await Promise.all([runEnded(page), runNode(testPng(), dtype)]);
    expect(run.error).toBeNull();
    expect(node.status).toBe("FINISHED");
    const end = run.end!;
    expect(end.status).toBe("FINISHED");
    expect(run.phases).toEqual(["AMBER", "GREEN"]);
    expect(await page.textContent("#phase")).toBe("GREEN");
    expect(await page.textContent("#status")).toMatch(/^FINISHED · \d+ iterations/);
    // the image was updated while the run went (the start, certificates, checkpoints; at most one every 50 ms)
    expect(run.images.length).toBeGreaterThanOrEqual(3);
    expect(run.images[0]).toMatchObject({ iter: 0, phase: "AMBER" });

    // the result and the telemetry: bit for bit in float64, to 1e-6 in float32
    expect(end.x.length).toBe(SIZE * SIZE);
    for (let i = 0; i < end.x.length; i++) {
      expect(Number.isFinite(node.x[i]), `x[${i}] = ${node.x[i]}`).toBe(true);
      if (dtype === "float64") expect(Object.is(end.x[i], node.x[i]), `x[${i}]: ${end.x[i]} in Chromium, ${node.x[i]} in Node`).toBe(true);
      else expect(Math.abs(end.x[i] - node.x[i]), `x[${i}]: ${end.x[i]} in Chromium, ${node.x[i]} in Node`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(node.x[i])));
    }
    expect(run.rows.length).toBe(node.rows.length);
    if (dtype === "float64") {
      expect(run.rows.map(exactPart)).toEqual(node.rows.map(exactPart));
      for (const [i, r] of run.rows.entries()) {
        for (const key of ["gamma", "errorBar"] as const) {
          const [a, b] = [r[key], node.rows[i][key]];
          if (a === null || b === null || a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b)) expect(a, `${key} of row ${i}`).toBe(b);
          else expect(Math.abs(a - b), `${key} of row ${i}: ${a} in Chromium, ${b} in Node`).toBeLessThanOrEqual(1e-12 * Math.abs(b));
        }
      }
    }
    expect(run.events.map((e) => e.event)).toEqual(node.events.map((e) => e.event));

    // the plots: every row's energy and λ, a point per certificate for η_dd and γ
    const points = (id: string) => page.getAttribute(`#plot-${id}`, "data-points").then(Number);
    await page.waitForFunction((n) => document.querySelector("#plot-energy")?.getAttribute("data-points") === String(n), node.rows.length, { timeout: 0, polling: 50 });
    const certRows = node.rows.filter((r) => r.etaDD !== null);
    expect(certRows.length).toBeGreaterThan(2);
    expect(await points("eta")).toBe(certRows.length);
    expect(await points("gamma")).toBe(certRows.filter((r) => (r.gamma as number) > 0).length);
    expect(await points("lambda")).toBe(node.rows.length);

    // the final certificate shown: the last one the run took, passed
    const certText = (await page.textContent("#certificate")) ?? "";
    const last = certRows[certRows.length - 1];
    expect(certText).toMatch(/^final certificate \((tuning|polish|final), iteration \d+\): PASS/);
    expect(certText).toContain(`η_dd = ${(last.etaDD as number).toPrecision(4)}`);
    expect(certText).toContain(`γ = ${(last.gamma as number).toPrecision(4)}`);

    // downloads: the result as shown (grey levels on [0, 1]) and the telemetry in the capsule's columns
    const want = greyToRgba(node.x, 0, 1);
    const png = PNG.sync.read(await download(page, "#download-png"));
    expect([png.width, png.height]).toEqual([SIZE, SIZE]);
    let off = 0;
    for (let i = 0; i < want.length; i++) off = Math.max(off, Math.abs(png.data[i] - want[i]));
    expect(off).toBeLessThanOrEqual(dtype === "float64" ? 0 : 1);
    const csv: Record<string, string>[] = parse(await download(page, "#download-csv"), { columns: true });
    expect(Object.keys(csv[0])).toEqual(TELEMETRY_COLUMNS.map((c) => c.name));
    expect(csv.every((r) => r.run_id === end.runId)).toBe(true);
    expect(csv.length).toBe(node.rows.length);
    expect(csv.map((r) => Number(r.E))).toEqual(run.rows.map((r) => r.E));
    expect(csv.map((r) => r.phase).at(-1)).toBe("GREEN");

    expect(problems).toEqual([]);
    await page.close();
  });

  it("draws the image live while the run is AMBER: distinct updates at the feasibility attempts before the first GREEN certificate", async () => {
    const page = await browser.newPage();
    const problems = watchProblems(page);
    await page.goto(served.url);
    // the built-in phantom at 64×64 from λ = 1e-4: three failed feasibility attempts (every 30 iterations, the scaled
    // dominance above η_max = 6 until λ has widened to 6.4e-3) before GREEN
    await page.selectOption("#example", "deconv-2d");
    await page.fill("#param-size", "64");
    await page.fill("#param-lambda", "1e-4");
    await page.click("#run");
    const run = await runEnded(page);
    expect(run.error).toBeNull();
    expect(run.end!.status).toBe("FINISHED");
    const firstPass = run.events.findIndex((e) => e.event === "CERT_PASS");
    expect(firstPass).toBeGreaterThan(0);
    expect(run.events[firstPass].payload.stage).toBe("feasibility");
    // the updates the page drew before it had received the first passing certificate: all AMBER, all of the start or a failed attempt's state
    const before = run.images.filter((im) => im.events <= firstPass);
    const failed = run.events.slice(0, firstPass).filter((e) => e.event === "CERT_FAIL" && e.payload.stage === "feasibility");
    expect(failed.length).toBeGreaterThanOrEqual(2);
    for (const im of before) {
      expect(im.phase).toBe("AMBER");
      expect([0, ...failed.map((e) => e.iter)]).toContain(im.iter);
    }
    expect(new Set(before.map((im) => im.fingerprint)).size).toBeGreaterThanOrEqual(2);
    expect(new Set(before.map((im) => im.iter)).size).toBe(before.length);
    // meanwhile the page said AMBER (GREEN only came with the certificate's phase change)
    expect(run.events.slice(0, firstPass).some((e) => e.event === "PHASE_CHANGED" && e.payload.to === "GREEN")).toBe(false);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("cancels a long run from the page, which stays responsive, and runs the next request", async () => {
    const page = await browser.newPage();
    const problems = watchProblems(page);
    await page.goto(served.url);
    // 2^18 samples: each certification attempt takes seconds, the whole run tens of them
    await page.selectOption("#example", "deconv-1d");
    await page.fill("#param-size", String(2 ** 18));
    await page.click("#run");
    await page.waitForFunction(() => window.cflowPlayground.rows.length > 0, undefined, { timeout: 0, polling: 50 });
    // the page renders frames and answers input while the worker computes
    expect(await page.evaluate(() => new Promise<boolean>((resolve) => requestAnimationFrame(() => resolve(true))))).toBe(true);
    expect(await page.isEnabled("#cancel")).toBe(true);
    expect(await page.isDisabled("#run")).toBe(true);
    await page.click("#cancel");
    const run = await runEnded(page);
    expect(run.error).toBeNull();
    expect(run.end!.status).toBe("CANCELLED");
    expect(run.end!.iters).toBeLessThan(300);
    expect(run.events.at(-1)?.event).toBe("RUN_FINISHED");
    expect(await page.textContent("#status")).toMatch(/^CANCELLED/);
    expect(await page.isEnabled("#run")).toBe(true);
    expect(await page.isDisabled("#cancel")).toBe(true);

    // the same worker takes the next run: a small Lasso, to the end
    await page.selectOption("#example", "lasso");
    await page.click("#run");
    const next = await runEnded(page);
    expect(next.error).toBeNull();
    expect(next.end!.status).toBe("FINISHED");
    expect(next.end!.x.length).toBe(500);
    expect(problems).toEqual([]);
    await page.close();
  });
});
