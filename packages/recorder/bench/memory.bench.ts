// Streams 10^6 synthetic telemetry rows through the recorder the way the controller does
// (telemetry() every iteration, await flush() when due, default K and T) and prints resident
// memory at intervals — it must stay flat — and the per-row cost.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TelemetryRow } from "@cflow/core";
import { queryRuns, recorder } from "../src/index.js";

const ROWS = Number(process.env.CFLOW_BENCH_ROWS ?? 1_000_000);
const REPORT_EVERY = ROWS / 10;

function mb(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}

export default async function memoryBench(): Promise<void> {
  const runsDir = mkdtempSync(join(tmpdir(), "cflow-rec-bench-"));
  const rec = recorder({ runsDir, runId: "bench" });
  await rec.start({
    runId: "bench",
    startedAt: new Date().toISOString(),
    dtype: "float64",
    seed: 1,
    rngKey: [0, 1],
    deterministic: false,
    redactArtifacts: false,
    versions: {},
    slots: [{ name: "x", shape: [4], manifold: "euclidean" }],
    flowFamily: "fista",
    frameType: "unitary",
    lensName: "db4",
    gates: { etaMax: 0.9, gammaMin: 1e-6 },
    budgets: { maxIters: ROWS, maxTrials: 0, wallTimeMs: null },
    compileReport: {},
    extra: {},
  });
  const row: TelemetryRow = {
    phase: "GREEN",
    iter: 0,
    trialId: null,
    tWallMs: 0,
    alpha: 0.5,
    lambda: 2e-3,
    lambdaJ: [1, 0.5, 0.25, 0.125],
    E: 1,
    gradNorm: 1,
    etaDD: null,
    gamma: null,
    sparsityWx: 0.1,
    invariantDriftMax: null,
    phiResidual: null,
    lensName: "db4",
    levelActiveMax: 4,
    sparsityMode: "l1",
    flowFamily: "fista",
    warnings: [],
    notes: null,
  };
  console.log(`\n### recorder memory: ${ROWS} telemetry rows (K = 10 000, T = 5 s)\n`);
  console.log("| rows | RSS MB | heap used MB | µs/row since last line |");
  console.log("|---:|---:|---:|---:|");
  const t0 = performance.now();
  let tLast = t0;
  for (let i = 0; i < ROWS; i++) {
    row.iter = i;
    row.tWallMs = performance.now() - t0;
    row.E = 1 / (1 + i);
    row.gradNorm = Math.exp(-i * 1e-6);
    row.etaDD = i % 100 === 0 ? 0.5 : null;
    row.gamma = i % 100 === 0 ? 1e-3 : null;
    rec.telemetry(row);
    if (rec.flushDue()) await rec.flush();
    if ((i + 1) % REPORT_EVERY === 0) {
      const now = performance.now();
      const m = process.memoryUsage();
      console.log(`| ${i + 1} | ${mb(m.rss)} | ${mb(m.heapUsed)} | ${(((now - tLast) * 1000) / REPORT_EVERY).toFixed(2)} |`);
      tLast = now;
    }
  }
  const streamed = performance.now() - t0;
  const tf = performance.now();
  await rec.finish({ status: "FINISHED", phase: "GREEN", iters: ROWS, finalEnergy: 0, tWallMs: streamed, runCard: {}, stateSummary: {}, finalState: {} });
  const finishMs = performance.now() - tf;
  const [count] = await queryRuns("SELECT count(*) AS n FROM telemetry", [join(runsDir, "bench")]);
  console.log(
    `\nstreaming: ${(streamed / 1000).toFixed(2)} s = ${((streamed * 1000) / ROWS).toFixed(2)} µs/row (telemetry() + flushes); ` +
      `finish (compaction into telemetry.parquet): ${(finishMs / 1000).toFixed(2)} s; rows read back: ${count.n}`,
  );
  rmSync(runsDir, { recursive: true, force: true });
}
