// Resume determinism with an iterative prox: the TV prox warm-starts from its previous dual
// solution and tightens its gap target prox by prox, so that dual, its momentum and the prox count
// are flow state. A deterministic TV-denoising run cut short and resumed from its checkpoint must
// end bit-identical to an uninterrupted one, with the same energies row by row.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RealArray, type RunResult, type TelemetryRow, compileFlow, normal, resolveFlow, rngKey, runCertified } from "@cflow/core";
import { fda } from "@cflow/fda";
import { recorder, resumeRun } from "@cflow/recorder";
import { afterAll, describe, expect, test } from "vitest";
import { sameBits } from "@cflow/test-kit";

const runsDir = mkdtempSync(join(tmpdir(), "cflow-resume-tv-"));
afterAll(() => rmSync(runsDir, { recursive: true, force: true }));

const N = 24;

function tvSpec() {
  const e = normal(rngKey(3), N * N, "float64");
  const y = Float64Array.from(e, (z, i) => ((i % N) < N / 2 ? 1 : 0) + 0.1 * z);
  return resolveFlow(
    {
      state: { x: { shape: [N, N], init: { data: "y" } } },
      data: { y },
      terms: [
        { kind: "data", atom: "leastSquares", target: "y" },
        { kind: "regularizer", atom: "tvIsotropic", weight: 0.1 },
      ],
      policies: { flow: { family: "accelerated", restart: "function" }, budgets: { maxIters: 60, tol: 0, rtol: 0 } },
    },
    { dtype: "float64", seed: 1 },
  );
}

async function session(runId: string, o: { cutAt?: number; resume?: boolean } = {}): Promise<{ res: RunResult; rows: TelemetryRow[] }> {
  const spec = tvSpec();
  const { compiled } = compileFlow(spec, { dtype: "float64", seed: 1 });
  const ac = new AbortController();
  const rows: TelemetryRow[] = [];
  const res = await runCertified(compiled, {
    deterministic: true,
    checkpointEvery: 10,
    signal: ac.signal,
    resume: o.resume ? resumeRun(join(runsDir, runId)) : undefined,
    certify: fda(),
    sinks: [
      recorder({ runsDir, runId, flushEveryRows: 16, flushEverySeconds: 60, keepCheckpoints: 3 }),
      {
        name: "rows",
        telemetry: (r: TelemetryRow) => {
          rows.push(r);
          if (o.cutAt !== undefined && r.iter >= o.cutAt && !ac.signal.aborted) ac.abort("cut by the test");
        },
      },
    ],
  });
  compiled.dispose();
  return { res, rows };
}

describe("resume determinism with a warm-started TV prox", () => {
  test("a run cut at iteration 27 and resumed ends bit-identical to an uninterrupted one", async () => {
    const ref = await session("reference");
    expect(ref.res.status).toBe("FINISHED");
    const cut = await session("cut", { cutAt: 27 });
    expect(cut.res.status).toBe("CANCELLED");
    const resumed = await session("cut", { resume: true });
    expect(resumed.res.status).toBe("FINISHED");
    expect(sameBits(resumed.res.x as RealArray, ref.res.x as RealArray)).toBe(true);
    // every iteration after the resume has the reference's energy, bit for bit
    const energyAt = new Map(ref.rows.map((r) => [r.iter, r.E]));
    const after = resumed.rows.filter((r) => r.iter > 27);
    expect(after.length).toBeGreaterThan(10);
    for (const r of after) expect(r.E).toBe(energyAt.get(r.iter));
  });
});
