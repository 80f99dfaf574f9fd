// The four browser packages bundled by Vite into a page and run in headless Chromium: the page
// loads the kernel with initKernel (fetching the .wasm Vite emitted), runs the smoke scenario in
// both dtypes, and the numbers must equal the same scenario run here in Node — bit for bit in
// float64, to 1e-6 in float32.
import { fileURLToPath } from "node:url";
import { rngKey, uniform } from "@cflow/core";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServedPage, launchChromium, servePage, watchProblems } from "./chromium.js";
import type { SmokeReport } from "./smoke-page/main.js";
import { type SmokeResults, decodeResults, smokeScenario } from "./smoke-page/scenario.js";

const PAGE_DIR = fileURLToPath(new URL("./smoke-page/", import.meta.url));

/** What the scenario's numbers must satisfy whatever engine ran it, so the comparison is of a working run. */
function checkScenario(r: SmokeResults, dtype: "float64" | "float32"): void {
  const tol = dtype === "float64" ? 1e-12 : 1e-5;
  const last = (a: Float64Array) => a[a.length - 1];
  // ISTA descends monotonically (fda's Lyapunov check agrees: no violation in 39 steps); FISTA gets further
  const ista = r["core: Lasso proximal energies"];
  for (let k = 1; k < ista.length; k++) expect(ista[k]).toBeLessThanOrEqual(ista[k - 1]);
  expect(Array.from(r["fda: descent check of the ISTA trace"])).toEqual([0, 0, 39]);
  expect(last(r["core: Lasso accelerated energies"])).toBeLessThan(last(ista));
  expect(last(r["core: deblurring energies"])).toBeLessThan(r["core: deblurring energies"][0] / 10);
  // eigenvalues of AᵀA (50×50, rank 30): ascending, 20 zeros, summing to trace(AᵀA) = ‖A‖_F²
  const eig = r["fda: AᵀA eigenvalues"];
  const lmax = last(eig);
  for (let k = 1; k < eig.length; k++) expect(eig[k]).toBeGreaterThanOrEqual(eig[k - 1]);
  for (let k = 0; k < 20; k++) expect(Math.abs(eig[k])).toBeLessThan(1e-12 * lmax);
  const A = Float64Array.from(uniform(rngKey(11), 30 * 50, "float64"), (u) => 2 * u - 1);
  const frob2 = A.reduce((s, v) => s + v * v, 0);
  expect(Math.abs(eig.reduce((s, v) => s + v, 0) - frob2)).toBeLessThan(1e-12 * frob2);
  // the sphere flow stays on the sphere and descends towards −λ_max(AAᵀ)/2 (AAᵀ and AᵀA share it)
  const x = r["manifolds: sphere x"];
  expect(Math.abs(Math.sqrt(x.reduce((s, v) => s + v * v, 0)) - 1)).toBeLessThan(tol);
  const sphereE = r["manifolds: sphere energies"];
  for (let k = 1; k < sphereE.length; k++) expect(sphereE[k]).toBeLessThanOrEqual(sphereE[k - 1] + tol);
  expect(last(sphereE)).toBeGreaterThanOrEqual(-lmax / 2 - tol * lmax);
  expect(last(sphereE)).toBeLessThan(-0.97 * (lmax / 2));
  // the Gap Dial widens λ = 1e-3 by 1.7 per failed certificate while it stays under the cap 2e-2
  const lambdas = Array.from(r["tuner: widened λ"]);
  expect(lambdas).toHaveLength(5);
  lambdas.forEach((l, k) => expect(Math.abs(l - 1e-3 * 1.7 ** (k + 1))).toBeLessThan(1e-15));
}

describe("@cflow/core, fda, tuner and manifolds in Chromium", () => {
  let browser: Browser;
  let served: ServedPage;
  beforeAll(async () => {
    [browser, served] = await Promise.all([launchChromium(), servePage(PAGE_DIR)]);
  });
  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  it("runs the scenario after initKernel and matches the Node run (float64 bit for bit, float32 to 1e-6)", async () => {
    const page = await browser.newPage();
    const problems = watchProblems(page);
    const wasmRequests: string[] = [];
    page.on("response", (r) => {
      if (r.url().endsWith(".wasm")) wasmRequests.push(`${r.status()} ${r.headers()["content-type"]}`);
    });
    await page.goto(served.url);
    const report = await page.evaluate((): Promise<SmokeReport> => window.smoke);
    expect(problems).toEqual([]);
    expect(report.beforeInit).toBe("KERNEL_NOT_LOADED");
    // the default element limit reads the device's memory from navigator.deviceMemory (1/16 of it, 8 bytes per element)
    expect(report.deviceMemory).toBeGreaterThan(0);
    expect(report.maxElements).toBe(Math.floor(((report.deviceMemory as number) * 2 ** 30) / 16 / 8));
    // initKernel fetched both kernels from the files Vite emitted, served as application/wasm (streaming compile)
    expect(wasmRequests.sort()).toEqual(["200 application/wasm", "200 application/wasm"]);
    expect(await page.textContent("#out")).toContain("done in both dtypes");

    for (const dtype of ["float64", "float32"] as const) {
      const browserRun = decodeResults(report.results[dtype]);
      const nodeRun: SmokeResults = smokeScenario(dtype);
      checkScenario(nodeRun, dtype);
      expect(Object.keys(browserRun)).toEqual(Object.keys(nodeRun));
      for (const [name, want] of Object.entries(nodeRun)) {
        const got = browserRun[name];
        expect(got.length, `${dtype} ${name}`).toBe(want.length);
        expect(want.length, `${dtype} ${name}`).toBeGreaterThan(0);
        for (let i = 0; i < want.length; i++) {
          expect(Number.isFinite(want[i]), `${dtype} ${name}[${i}] = ${want[i]}`).toBe(true);
          if (dtype === "float64") expect(Object.is(got[i], want[i]), `${dtype} ${name}[${i}]: ${got[i]} vs ${want[i]}`).toBe(true);
          else expect(Math.abs(got[i] - want[i]), `${dtype} ${name}[${i}]: ${got[i]} vs ${want[i]}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want[i])));
        }
      }
    }
    await page.close();
  });
});
