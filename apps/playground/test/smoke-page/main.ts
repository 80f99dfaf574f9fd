// The smoke page: @cflow/core, fda, tuner and manifolds as ES modules in a browser. Before
// initKernel the kernel is refused with KERNEL_NOT_LOADED; after it the scenario runs in both
// dtypes. `window.smoke` resolves to the report (the test reads it with page.evaluate).
import { CflowError, elementLimit, initKernel } from "@cflow/core";
import { Kernel } from "@cflow/core/kernel";
import { encodeResults, smokeScenario } from "./scenario.js";

export interface SmokeReport {
  /** What Kernel.get did before initKernel: the error code, or "loaded". */
  beforeInit: string;
  /** navigator.deviceMemory (GiB) and the default float64 element limit taken from it. */
  deviceMemory: number | null;
  maxElements: number;
  results: Record<"float64" | "float32", Record<string, string>>;
}

declare global {
  interface Window {
    smoke: Promise<SmokeReport>;
  }
}

async function run(): Promise<SmokeReport> {
  let beforeInit = "loaded";
  try {
    Kernel.get("float64");
  } catch (e) {
    beforeInit = e instanceof CflowError ? e.code : String(e);
  }
  await initKernel();
  const deviceMemory = (navigator as { deviceMemory?: number }).deviceMemory ?? null;
  const report: SmokeReport = { beforeInit, deviceMemory, maxElements: elementLimit("float64").maxElements, results: { float64: encodeResults(smokeScenario("float64")), float32: encodeResults(smokeScenario("float32")) } };
  const out = document.getElementById("out") as HTMLElement;
  out.textContent = `Kernel.get before initKernel: ${beforeInit}\n${Object.keys(report.results.float64).join("\n")}\n— done in both dtypes`;
  return report;
}

window.smoke = run();
