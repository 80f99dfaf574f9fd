// Synthetic runs for the recorder tests: what a controller would hand its recorder sink, with
// values that are a pure function of the iteration so a resumed record can be compared exactly.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Checkpoint, Dtype, FlowEvent, Phase, RunStartInfo, RunSummary, TelemetryRow } from "@cflow/core";
import { DuckDBInstance } from "@duckdb/node-api";

export function tempRunsDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `cflow-rec-${tag}-`));
}

export const SLOTS = [
  { name: "x", shape: [4, 3], manifold: "euclidean" },
  { name: "q", shape: [5], manifold: "sphere" },
] as const;

export function startInfo(runId: string, dtype: Dtype = "float64", overrides: Partial<RunStartInfo> = {}): RunStartInfo {
  return {
    runId,
    startedAt: "2025-01-02T03:04:05.000Z",
    dtype,
    seed: 1234,
    rngKey: [0, 1234],
    deterministic: true,
    redactArtifacts: false,
    versions: { "@cflow/core": "0.1.0", "@cflow/recorder": "0.1.0" },
    slots: SLOTS.map((s) => ({ ...s, shape: [...s.shape] })),
    flowFamily: "fista",
    frameType: "unitary",
    lensName: "db4",
    gates: { etaMax: 0.9, gammaMin: 1e-6 },
    budgets: { maxIters: 1000, maxTrials: 20, wallTimeMs: null },
    compileReport: {
      units: [{ term: "data", scale: 2.5, unit: "1/sample" }],
      transform_validation: { frame: "unitary", roundtrip_rel_err: 3e-16, seed: 7, pass: true },
      missing: null,
    },
    extra: { spec: "deblur-1d" },
    ...overrides,
  };
}

export function phaseAt(iter: number): Phase {
  return iter < 5 ? "AMBER" : "GREEN";
}

/** Row of iteration `iter` (every metric a function of iter; t_wall_ms is the only clock). */
export function row(iter: number, tWallMs = iter): TelemetryRow {
  return {
    phase: phaseAt(iter),
    iter,
    trialId: iter % 10 === 0 ? iter / 10 : null,
    tWallMs,
    alpha: 0.5 / (1 + iter),
    lambda: 1e-3 * (1 + (iter % 7)),
    lambdaJ: iter % 3 === 0 ? [1, 0.5, 0.25] : null,
    E: 100 / (1 + iter),
    gradNorm: Math.exp(-iter / 50),
    etaDD: iter % 4 === 0 ? 0.5 : null,
    gamma: iter % 4 === 0 ? 1e-3 * iter : null,
    errorBar: iter % 4 === 0 ? 1e-2 * (iter + 1) : null,
    sparsityWx: 0.1,
    invariantDriftMax: null,
    phiResidual: null,
    lensName: "db4",
    levelActiveMax: iter % 5,
    sparsityMode: "l1",
    flowFamily: "fista",
    warnings: iter % 11 === 0 ? ["slow", `w${iter}`] : [],
    notes: iter % 13 === 0 ? `note ${iter}` : null,
  };
}

export function event(iter: number, name: FlowEvent["event"], payload: FlowEvent["payload"] = {}): FlowEvent {
  return { event: name, iter, tWallMs: iter, payload };
}

/** Deterministic state of iteration `iter` for every slot, plus a family array. */
export function arraysAt(dtype: Dtype, iter: number): Record<string, Float32Array | Float64Array> {
  const make = (n: number, base: number) => {
    const a = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = base + iter + i / 8;
    return a;
  };
  return { x: make(12, 1000), q: make(5, 2000), x_prev: make(12, 3000) };
}

export function checkpointAt(dtype: Dtype, iter: number): Checkpoint {
  return {
    iter,
    phase: phaseAt(iter),
    good: phaseAt(iter) === "GREEN",
    arrays: arraysAt(dtype, iter),
    controllerState: { iter, rollbacks: 0, dials: { lambda: 1e-3, alpha: 0.5 } },
    tunerState: { trial: Math.floor(iter / 10), history: [1, 2, 3] },
    rngKey: [iter, 99],
  };
}

export function summary(dtype: Dtype, iters: number, status: RunSummary["status"] = "FINISHED"): RunSummary {
  return {
    status,
    phase: "GREEN",
    iters,
    finalEnergy: 100 / (1 + iters),
    tWallMs: 1234.5,
    runCard: { certificates: { eta_dd: 0.4, gamma: 0.01, pass: true } },
    stateSummary: { x: { min: 1000, max: 1013, mean: 1006, norm2: 3.4e6 }, q: { min: 2000, max: 2004, mean: 2002, norm2: 2e7 } },
    finalState: { x: arraysAt(dtype, iters).x, q: arraysAt(dtype, iters).q },
  };
}

/** Runs SQL on a fresh in-memory DuckDB (the tests' independent Parquet reader). */
export async function sql(query: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(":memory:", { threads: "1" });
  const conn = await db.connect();
  try {
    const r = await conn.runAndReadAll(query);
    return r.getRowObjectsJS().map((o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v])));
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}
