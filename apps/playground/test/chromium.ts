// The system's Chromium driven through playwright-core (no browser download), and pages built
// with Vite exactly as an application bundling cflow would be, served on a free local port.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type Page, chromium } from "playwright-core";
import { build, preview } from "vite";

export const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the browser tests and benchmarks need Debian's Chromium. Install it with: apt-get install -y chromium`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

export interface ServedPage {
  /** The page's URL (its index.html). */
  url: string;
  close(): Promise<void>;
}

/**
 * Builds the page in `dir` (index.html and everything it imports) with `vite build` — under the
 * dir's vite.config.ts if it has one (the playground), else Vite's defaults (the test pages) — and
 * serves the result with `vite preview`.
 */
export async function servePage(dir: string): Promise<ServedPage> {
  const outDir = mkdtempSync(join(tmpdir(), "cflow-page-"));
  const config = join(dir, "vite.config.ts");
  const common = { root: dir, configFile: existsSync(config) ? config : (false as const), logLevel: "warn" as const };
  await build({ ...common, build: { outDir, emptyOutDir: true, target: "es2022", reportCompressedSize: false } });
  const server = await preview({ ...common, build: { outDir }, preview: { host: "127.0.0.1", port: 0, strictPort: true } });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error(`vite preview of ${dir} reported no local URL`);
  return {
    url,
    async close() {
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

/** Collects a page's console errors and warnings, uncaught errors, failed requests and HTTP errors. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ""}`));
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return problems;
}
