// SIGTERM and SIGHUP end a run exactly like Ctrl-C (SIGINT): status CANCELLED, a valid capsule
// with its checkpoint and report, exit 130 — for `run` and for `resume`. Each signal is sent once
// the run has printed that it reached GREEN (waiting on output, never on a clock).
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadRunManifest, queryRuns } from "@cflow/recorder";
import { describe, expect, it } from "vitest";
import { EXIT_CODES } from "../src/exit-codes.js";
import { type ProcessResult, capsuleOf, cflow, tempDir } from "./helpers.js";

const dir = tempDir("signals");
const SPEC = join(dir, "spec.ts");
// Certified at once (L = I), no tuning, a polish that never stops on its own (tol 0).
writeFileSync(
  SPEC,
  `import { defineFlow } from "@cflow/core";
export default defineFlow({
  name: "signals",
  state: { x: { shape: [256] } },
  data: { y: Array.from({ length: 256 }, (_, i) => Math.sin(i / 7) + (i % 31 === 0 ? 3 : 0)) },
  terms: [{ kind: "data", atom: "leastSquares", target: "y" }, { kind: "regularizer", atom: "l1", weight: 0.05 }],
  policies: { tuner: { enabled: false }, budgets: { maxIters: 10000000, tol: 0, rtol: 0 } },
});
`,
);

/** What every cancelled run must leave: exit 130, a CANCELLED capsule whose record ends at its checkpoint, the signal named, a report. */
async function expectCancelled(r: ProcessResult, signal: NodeJS.Signals): Promise<string> {
  expect({ code: r.code, signal: r.signal }).toEqual({ code: EXIT_CODES.CANCELLED.code, signal: null });
  expect(r.stdout).toMatch(/^GREEN · CANCELLED · \d+ iterations/m);
  const capsule = capsuleOf(r);
  const m = loadRunManifest(capsule);
  expect(m).toMatchObject({ status: "CANCELLED", summary: { status: "CANCELLED", phase: "GREEN" } });
  const iters = m.summary!.iters;
  expect(m.checkpoints.latest_iter).toBe(iters);
  const cancelled = await queryRuns("SELECT payload FROM events WHERE event = 'CANCELLED'", capsule);
  expect(cancelled.map((e) => JSON.parse(String(e.payload)).reason).at(-1)).toBe(signal);
  const [t] = await queryRuns("SELECT max(iter) AS last FROM telemetry", capsule);
  expect(t.last).toBe(iters);
  expect(existsSync(join(capsule, "telemetry.parts"))).toBe(false);
  expect(readFileSync(join(capsule, "report.html"), "utf8")).toContain("CANCELLED");
  return capsule;
}

describe("SIGTERM and SIGHUP end a run CANCELLED, like SIGINT", () => {
  it.each(["SIGTERM", "SIGHUP"] as const)("cflow run, %s", async (signal) => {
    const r = await cflow(["run", SPEC, "--out", join(dir, `runs-${signal}`)], { signalWhen: { stderr: /^GREEN /m, signal } });
    await expectCancelled(r, signal);
  });

  it("SIGHUP after the terminal is gone (writes fail with EPIPE): the run still closes its capsule and exits 130", async () => {
    const runs = join(dir, "runs-hangup");
    const r = await cflow(["run", SPEC, "--out", runs], { signalWhen: { stderr: /^GREEN /m, signal: "SIGHUP", hangUp: true } });
    expect({ code: r.code, signal: r.signal }).toEqual({ code: EXIT_CODES.CANCELLED.code, signal: null });
    const [runId] = readdirSync(runs);
    const m = loadRunManifest(join(runs, runId));
    expect(m).toMatchObject({ status: "CANCELLED", summary: { status: "CANCELLED" } });
    expect(m.checkpoints.latest_iter).toBe(m.summary!.iters);
    expect(existsSync(join(runs, runId, "report.html"))).toBe(true);
  });

  it("cflow resume, SIGHUP then SIGTERM: each ends CANCELLED and the capsule resumes again", async () => {
    const first = await cflow(["run", SPEC, "--out", join(dir, "runs-resume")], { signalWhen: { stderr: /^GREEN /m, signal: "SIGTERM" } });
    const capsule = await expectCancelled(first, "SIGTERM");
    let iters = loadRunManifest(capsule).summary!.iters;
    for (const signal of ["SIGHUP", "SIGTERM"] as const) {
      const r = await cflow(["resume", capsule], { signalWhen: { stderr: /^GREEN /m, signal } });
      expect(r.stderr).toContain(`(iteration ${iters}, GREEN)`);
      expect(await expectCancelled(r, signal)).toBe(capsule);
      const now = loadRunManifest(capsule).summary!.iters;
      expect(now).toBeGreaterThan(iters);
      iters = now;
    }
    expect(loadRunManifest(capsule).resumes).toHaveLength(2);
  });
});
