// A primal–dual run recorded through runCertified (controller/run-primal-dual.ts): the capsule says
// why the iterations ended and how close to optimal they were — the telemetry's optimality and
// residual columns every step, RUN_FINISHED's stop_reason and optimality, the manifest summary and
// the runs view — and a run out of iterations says "budget".
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileFlow, resolveFlow, resolveRun, runCertified } from "@cflow/core";
import { loadRunManifest, queryRuns, recorder, SCHEMA_VERSION } from "@cflow/recorder";
import { afterAll, describe, expect, test } from "vitest";

const runsDir = mkdtempSync(join(tmpdir(), "cflow-pd-"));
afterAll(() => rmSync(runsDir, { recursive: true, force: true }));

const n = 40;
const z = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
const y = Float64Array.from({ length: n }, (_, i) => Math.cos(2 * i));

async function session(runId: string, budgets: { maxIters?: number; rtol?: number }) {
  const spec = resolveFlow(
    {
      state: { x: { shape: [n] } },
      data: { z, y },
      ops: { I: { type: "identity", shape: [n] } },
      terms: [
        { kind: "regularizer", atom: "leastSquares", target: "z" },
        { kind: "data", atom: "l1Data", op: "I", target: "y", weight: 0.4 },
      ],
      policies: { flow: { family: "primalDual" } },
    },
    { dtype: "float64", seed: 1 },
  );
  const { compiled } = compileFlow(spec, { dtype: "float64", seed: 1 });
  const res = await runCertified(compiled, { sinks: [recorder({ runsDir, runId })], config: resolveRun(compiled, { budgets }) });
  compiled.dispose();
  return res;
}

describe("a recorded primal–dual run", () => {
  test("converged: the minimiser, the stop reason and the optimality in telemetry, events, manifest and runs view", async () => {
    const res = await session("converged", { rtol: 1e-10, maxIters: 10000 });
    expect(res.status).toBe("FINISHED");
    expect(res.phase).toBe("GREEN");
    expect(res.stopReason).toBe("converged");
    expect(res.optimality).toBeLessThanOrEqual(1e-10);
    // ½(x − z)² + 0.4|x − y| per element: y + soft(z − y, 0.4)
    for (let i = 0; i < n; i++) {
      const d = z[i] - y[i];
      expect(res.x[i]).toBeCloseTo(y[i] + Math.sign(d) * Math.max(Math.abs(d) - 0.4, 0), 8);
    }
    const dir = join(runsDir, "converged");
    const m = loadRunManifest(dir);
    expect(m.schema_version).toBe(SCHEMA_VERSION);
    expect(m.summary).toMatchObject({ status: "FINISHED", stop_reason: "converged" });
    expect(m.summary!.optimality).toBeLessThanOrEqual(1e-10);
    const rows = (await queryRuns("SELECT iter, optimality, primal_residual, dual_residual FROM telemetry ORDER BY iter", [dir])) as { iter: number; optimality: number; primal_residual: number; dual_residual: number }[];
    expect(rows).toHaveLength(res.iters);
    for (const r of rows) expect([r.optimality, r.primal_residual, r.dual_residual].every((v) => typeof v === "number" && v >= 0)).toBe(true);
    expect(rows.at(-1)!.optimality).toBe(res.optimality);
    const fin = (await queryRuns("SELECT payload FROM events WHERE event = 'RUN_FINISHED'", [dir])) as { payload: string }[];
    expect(JSON.parse(fin[0].payload)).toMatchObject({ status: "FINISHED", stop_reason: "converged" });
    const policy = (await queryRuns("SELECT payload FROM events WHERE event = 'FLOW_POLICY_APPLIED'", [dir])) as { payload: string }[];
    expect(JSON.parse(policy[0].payload).params).toMatchObject({ op_norm_bound: 1, op_norm_route: "analytic" });
    const view = (await queryRuns("SELECT stop_reason, optimality FROM runs", [dir])) as { stop_reason: string; optimality: number }[];
    expect(view[0].stop_reason).toBe("converged");
  });

  test("out of iterations: TIMEOUT with stop reason budget", async () => {
    const res = await session("budget", { rtol: 1e-14, maxIters: 5 });
    expect(res.status).toBe("TIMEOUT");
    expect(res.stopReason).toBe("budget");
    expect(res.iters).toBe(5);
    expect(loadRunManifest(join(runsDir, "budget")).summary).toMatchObject({ status: "TIMEOUT", stop_reason: "budget", iters: 5 });
  });
});
