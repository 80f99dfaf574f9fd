// ms per iteration of reference problem 2's flow step in headless Chromium (the four packages
// bundled by Vite, the kernel loaded by initKernel) against Node, measured in one run: Node and
// the page take turns, a few steps each, so both see the same machine load; the ratio is the
// median of the per-turn ratios (immune to the load drifting between turns). Target: Chromium
// within 1.3× of Node.
import { fileURLToPath } from "node:url";
import { DTYPES } from "@cflow/core";
import { launchChromium, servePage, watchProblems } from "../test/chromium.js";
import { FlowStepTimer } from "./flow-step.js";

const TARGET = 1.3;
const STEPS_PER_TURN = 3;
const MIN_ROUNDS = 10;
const MAX_ROUNDS = 60;
const MIN_MS = 8000;
const PAGE_DIR = fileURLToPath(new URL("./flow-step-page/", import.meta.url));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const served = await servePage(PAGE_DIR);
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  const problems = watchProblems(page);
  await page.goto(served.url);
  console.log(`cflow in the browser — reference problem 2 (512×512, db4 × 4), node ${process.version} (V8 ${process.versions.v8}), Chromium ${browser.version()}, ${new Date().toISOString()}`);
  console.log("\n| dtype | Node ms/iter | Chromium ms/iter | Chromium / Node | turns | target |");
  console.log("|---|---:|---:|---:|---:|---|");
  for (const dtype of DTYPES) {
    const node = new FlowStepTimer(dtype);
    await page.evaluate((d) => window.flowStep.setup(d), dtype);
    const samples = { node: [] as number[], chromium: [] as number[], ratio: [] as number[] };
    const t0 = performance.now();
    let rounds = 0;
    for (; rounds < MAX_ROUNDS && (rounds < MIN_ROUNDS || performance.now() - t0 < MIN_MS); rounds++) {
      const n = median(node.time(STEPS_PER_TURN));
      const c = median(await page.evaluate(([d, k]) => window.flowStep.time(d, k), [dtype, STEPS_PER_TURN] as const));
      samples.node.push(n);
      samples.chromium.push(c);
      samples.ratio.push(c / n);
    }
    node.dispose();
    const ratio = median(samples.ratio);
    console.log(`| ${dtype} | ${median(samples.node).toFixed(2)} | ${median(samples.chromium).toFixed(2)} | ${ratio.toFixed(2)}× | ${rounds} | ≤ ${TARGET}× ${ratio <= TARGET ? "met" : "NOT met"} |`);
  }
  if (problems.length > 0) throw new Error(`the benchmark page reported problems:\n${problems.join("\n")}`);
} finally {
  await browser.close();
  await served.close();
}
