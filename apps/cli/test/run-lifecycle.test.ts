// A run's life through the binary: SIGINT ends it CANCELLED with a valid capsule, `resume`
// continues it, `inspect` summarises it, `query` reads several capsules, redaction holds.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadRunManifest, queryRuns } from "@cflow/recorder";
import { beforeAll, describe, expect, it } from "vitest";
import { EXIT_CODES } from "../src/exit-codes.js";
import { capsuleOf, cflow, cli, tempDir, writeLifecycleSpec } from "./helpers.js";

const dir = tempDir("lifecycle");
const SPEC = writeLifecycleSpec(dir);

describe("SIGINT and resume", () => {
  const runs = join(dir, "runs-sigint");
  let cancelled = "";
  let cancelledIters = 0;

  beforeAll(async () => {
    const r = await cflow(["run", SPEC, "--out", runs], { signalWhen: { stderr: /^GREEN /m, signal: "SIGINT" } });
    expect({ code: r.code, signal: r.signal }).toEqual({ code: EXIT_CODES.CANCELLED.code, signal: null });
    expect(r.stdout).toMatch(/^GREEN · CANCELLED · \d+ iterations/m);
    cancelled = capsuleOf(r);
    cancelledIters = loadRunManifest(cancelled).summary!.iters;
  });

  it("Ctrl-C ends the run CANCELLED with a valid capsule", async () => {
    const m = loadRunManifest(cancelled);
    expect(m).toMatchObject({ status: "CANCELLED", summary: { status: "CANCELLED", phase: "GREEN" } });
    expect(existsSync(join(cancelled, "telemetry.parquet"))).toBe(true);
    expect(existsSync(join(cancelled, "telemetry.parts"))).toBe(false);
    const events = (await queryRuns("SELECT event, payload FROM events", cancelled)).map((e) => e.event);
    expect(events).toContain("CANCELLED");
    expect(cancelledIters).toBeGreaterThan(10);
    expect(events.at(-1) === "RUN_FINISHED" || events.at(-1) === "CHECKPOINT_WRITTEN").toBe(true);
    const [t] = await queryRuns("SELECT max(iter) AS last, count(*) AS rows FROM telemetry", cancelled);
    expect(t.last).toBe(cancelledIters);
    expect(readFileSync(join(cancelled, "report.html"), "utf8")).toContain("CANCELLED");
    expect(m.checkpoints.latest_iter).toBe(cancelledIters);
  });

  it("cflow resume continues the cancelled run to its new budget, in the same capsule", async () => {
    const target = cancelledIters + 40;
    const r = await cflow(["resume", cancelled, "--max-iters", String(target)]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`(iteration ${cancelledIters}, GREEN)`);
    expect(capsuleOf(r)).toBe(cancelled);
    const m = loadRunManifest(cancelled);
    expect(m).toMatchObject({ status: "FINISHED", summary: { iters: target, phase: "GREEN" } });
    expect(m.resumes).toHaveLength(1);
    expect(m.resumes![0].iter).toBe(cancelledIters);
    const [t] = await queryRuns(`SELECT count(DISTINCT iter) FILTER (WHERE iter > ${cancelledIters}) AS after, max(iter) AS last FROM telemetry`, cancelled);
    expect(t).toEqual({ after: 40, last: target });
    const started = await queryRuns("SELECT payload FROM events WHERE event = 'RUN_STARTED'", cancelled);
    expect(started.map((e) => JSON.parse(String(e.payload)).resumed_from_iter)).toEqual([undefined, cancelledIters]);
  });
});

describe("--deterministic", () => {
  it("a cancelled and resumed run ends bit-identical to an uninterrupted one", async () => {
    const runs = join(dir, "runs-deterministic");
    const args = ["run", SPEC, "--param", "iters=1500", "--deterministic", "--out", runs];
    const whole = await cflow(args);
    expect(whole.code).toBe(0);
    const cut = await cflow(args, { signalWhen: { stderr: /^GREEN /m, signal: "SIGINT" } });
    expect(cut.code).toBe(EXIT_CODES.CANCELLED.code);
    const capsule = capsuleOf(cut);
    expect(loadRunManifest(capsule).summary!.iters).toBeLessThan(1500);
    const resumed = await cflow(["resume", capsule]);
    expect(resumed.code).toBe(0);
    const a = readFileSync(join(capsuleOf(whole), "artifacts", "result.npy"));
    const b = readFileSync(join(capsule, "artifacts", "result.npy"));
    expect(b.equals(a)).toBe(true);
    expect(loadRunManifest(capsule).summary!.final_energy).toBe(loadRunManifest(capsuleOf(whole)).summary!.final_energy);
  });
});

describe("inspect and query", () => {
  const runs = join(dir, "runs-query");
  const capsules: string[] = [];

  beforeAll(async () => {
    for (const n of [64, 128]) {
      const r = await cflow(["run", SPEC, "--param", `n=${n}`, "--param", "iters=80", "--out", runs, "--seed", String(n)]);
      expect(r.code).toBe(0);
      capsules.push(capsuleOf(r));
    }
  });

  it("cflow query reads every capsule of a runs directory (table and --json)", async () => {
    const sql = "SELECT r.seed, count(*) AS rows, max(t.iter) AS last FROM telemetry t JOIN runs r USING (run_id) GROUP BY r.seed ORDER BY r.seed";
    const json = await cflow(["query", sql, runs, "--json"]);
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.stdout).result;
    expect(rows.map((r: { seed: number; last: number }) => [r.seed, r.last])).toEqual([
      [64, 80],
      [128, 80],
    ]);
    const text = await cflow(["query", 'SELECT run_id, status, final_phase FROM runs ORDER BY run_id', ...capsules]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^run_id\s+status\s+final_phase$/m);
    expect(text.stdout.match(/FINISHED\s+GREEN/g)).toHaveLength(2);
    expect(text.stdout.trimEnd().endsWith("(2 rows)")).toBe(true);
    const lambda = await cflow(["query", 'SELECT count(*) AS n FROM telemetry t WHERE t."lambda" IS NOT NULL', runs, "--json"]);
    expect(JSON.parse(lambda.stdout).result[0].n).toBeGreaterThan(0);
  });

  it("cflow inspect summarises phases, certificates, energy and events", async () => {
    const r = await cflow(["inspect", capsules[0]]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^FINISHED · GREEN · 80 iterations · E = /m);
    expect(r.stdout).toMatch(/AMBER → GREEN {2}certified at attempt 1/);
    expect(r.stdout).toMatch(/^ {2}iter +\d+ {2}pass {2}feasibility/m);
    expect(r.stdout).toContain("RUN_FINISHED 1");
    // what certifying cost, in all and per verdict (its route and time)
    expect(r.stdout).toMatch(/^Certificates \(\d+ passed, \d+ failed\) · [\d.]+ m?s, \d+% of the run$/m);
    expect(r.stdout).toMatch(/^ {2}iter +\d+ {2}pass {2}feasibility .*, structured {2}[\d.]+ m?s$/m);
    const j = JSON.parse((await cflow(["inspect", capsules[0], "--json"])).stdout).result;
    expect(j).toMatchObject({ status: "FINISHED", phase: "GREEN", iters: 80, seed: 64, spec: { name: "lifecycle" } });
    expect(j.certificates.length).toBeGreaterThan(0);
    expect(j.certificates.every((c: { eta_dd: number; gamma: number }) => Number.isFinite(c.eta_dd) && Number.isFinite(c.gamma))).toBe(true);
    expect(j.certificates.every((c: { ms: number; route: string }) => c.ms >= 0 && typeof c.route === "string")).toBe(true);
    expect(j.certificate_ms).toBeCloseTo(j.certificates.reduce((a: number, c: { ms: number }) => a + c.ms, 0), 6);
    expect(j.certificate_share).toBeCloseTo(j.certificate_ms / j.t_wall_ms, 12);
    expect(j.certificate_share).toBeGreaterThan(0);
    expect(j.certificate_share).toBeLessThan(1);
    // closed-form verdicts time no phases (the explicit-matrix ones do: examples-run.test.ts)
    expect(j.certificates.every((c: { phase_ms: unknown }) => c.phase_ms === null)).toBe(true);
    expect(j.events.RUN_STARTED).toBe(1);
    expect(j.telemetry.rows).toBeGreaterThanOrEqual(80);
  });
});

describe("--redact-artifacts and --deterministic", () => {
  it("a redacted run keeps no array data, still reports, and cannot be resumed", async () => {
    const runs = join(dir, "runs-redact");
    const r = await cflow(["run", SPEC, "--param", "iters=60", "--out", runs, "--redact-artifacts", "--deterministic"]);
    expect(r.code).toBe(0);
    const capsule = capsuleOf(r);
    const m = loadRunManifest(capsule);
    expect(m).toMatchObject({ redact_artifacts: true, deterministic: true });
    expect(m.summary!.state.x).toEqual({ mean: expect.any(Number), norm2: expect.any(Number) });
    expect(readdirSync(join(capsule, "artifacts"))).toEqual([]);
    expect(existsSync(join(capsule, "report.html"))).toBe(true);
    const finished = await cflow(["resume", capsule]);
    expect(finished.code).toBe(0);
    expect(finished.stdout).toContain("is FINISHED (60 iterations): nothing to resume");
    const resume = await cflow(["resume", capsule, "--continue-iterations", "10"]);
    expect(resume.code).toBe(EXIT_CODES.INPUT.code);
    expect(resume.stderr).toContain("RESUME_REDACTED");
  });
});

describe("--max-iters is a hard cap, certification included", () => {
  it("a budget spent before GREEN: run ends TIMEOUT in AMBER (exit 5) with a checkpoint there; cert says why it is not certified", async () => {
    // the spec certifies after a 10-iteration warm-up: 6 iterations are not enough
    const runs = join(dir, "runs-cap");
    const r = await cli(["run", SPEC, "--param", "iters=6", "--out", runs, "--json"], { cwd: dir });
    expect(r.code).toBe(EXIT_CODES.TIMEOUT.code);
    const result = JSON.parse(r.stdout).result;
    expect(result).toMatchObject({ status: "TIMEOUT", phase: "AMBER", iters: 6, certified: false, certificate: null });
    expect(loadRunManifest(result.run_dir).checkpoints).toMatchObject({ latest_iter: 6, latest_phase: "AMBER" });
    const cert = await cli(["cert", SPEC, "--param", "iters=6"], { cwd: dir });
    expect(cert.code).toBe(EXIT_CODES.CERT_FAIL.code);
    expect(cert.stdout).toContain("AMBER — not certified (no certificate was evaluated)");
    expect(cert.stdout).toContain("the iteration budget (6) ran out first");
  });
});
