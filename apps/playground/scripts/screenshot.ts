// docs/playground.png: the playground after a 2D deconvolution of the Shepp–Logan phantom run to
// GREEN at its defaults (128×128), in headless Chromium at 1280×900.
//   pnpm --filter @cflow/playground screenshot
import { fileURLToPath } from "node:url";
import { launchChromium, servePage, watchProblems } from "../test/chromium.js";

const APP_DIR = fileURLToPath(new URL("../", import.meta.url));
const OUT = fileURLToPath(new URL("../docs/playground.png", import.meta.url));

const served = await servePage(APP_DIR);
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = watchProblems(page);
  await page.goto(served.url);
  await page.selectOption("#example", "deconv-2d");
  await page.click("#run");
  await page.waitForFunction(() => window.cflowPlayground.end !== null || window.cflowPlayground.error !== null, undefined, { timeout: 0, polling: 100 });
  const { end, error } = await page.evaluate(() => window.cflowPlayground);
  if (error || end?.phase !== "GREEN") throw new Error(`the run ended ${error ?? `${end?.status} in ${end?.phase}`}`);
  // the plots redraw on the next animation frame
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  if (problems.length) throw new Error(`the page reported: ${problems.join("; ")}`);
  await page.screenshot({ path: OUT, fullPage: true });
  console.log(`${OUT}: ${end.status} in ${end.phase} after ${end.iters} iterations`);
} finally {
  await browser.close();
  await served.close();
}
