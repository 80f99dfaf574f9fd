// A recorded run leaves a complete capsule: manifest, Parquet telemetry/events equal to what was
// recorded, run card, final state, logs; flushes happen on K rows and on T seconds.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DTYPES, type FlowEvent, type TelemetryRow } from "@cflow/core";
import { parse } from "smol-toml";
import { until } from "@cflow/test-kit";
import { describe, expect, test } from "vitest";
import { loadCheckpoint, loadRunManifest, readCheckpointFile, readRunLog, recorder, SCHEMA_VERSION } from "../src/index.js";
import { arraysAt, checkpointAt, event, row, sql, startInfo, summary, tempRunsDir } from "./fixtures.js";

/** The telemetry row as DuckDB reads it back from Parquet. */
function expectedColumns(r: TelemetryRow, runId: string): Record<string, unknown> {
  return {
    run_id: runId,
    phase: r.phase,
    iter: r.iter,
    trial_id: r.trialId,
    t_wall_ms: r.tWallMs,
    alpha: r.alpha,
    lambda: r.lambda,
    lambda_j: r.lambdaJ === null ? null : JSON.stringify(r.lambdaJ),
    E: r.E,
    grad_norm: r.gradNorm,
    eta_dd: r.etaDD,
    gamma: r.gamma,
    sparsity_wx: r.sparsityWx,
    invariant_drift_max: r.invariantDriftMax,
    phi_residual: r.phiResidual,
    lens_name: r.lensName,
    level_active_max: r.levelActiveMax,
    sparsity_mode: r.sparsityMode,
    flow_family: r.flowFamily,
    warnings: r.warnings,
    notes: r.notes,
    // schema_version 3: null for the families that report no optimality measure
    optimality: r.optimality ?? null,
    primal_residual: r.primalResidual ?? null,
    dual_residual: r.dualResidual ?? null,
    // schema_version 4: null on rows without a passing certificate's error bar
    error_bar: r.errorBar ?? null,
  };
}

describe.each(DTYPES)("capsule of a finished run (%s)", (dtype) => {
  test("manifest, telemetry, events, checkpoints, artifacts, run card and logs", async () => {
    const runsDir = tempRunsDir("capsule");
    const rec = recorder({ runsDir, runId: `run-${dtype}`, flushEveryRows: 8, keepCheckpoints: 2 });
    await rec.start(startInfo(rec.runId, dtype));
    const rows: TelemetryRow[] = [];
    const events: FlowEvent[] = [event(-1, "RUN_STARTED", { dtype, flow_family: "fista", deterministic: true })];
    rec.event(events[0]);
    for (let i = 0; i < 40; i++) {
      const r = row(i, i * 1.5);
      // The recorder copies values at once: mutating the row afterwards must not change the record.
      rec.telemetry(r);
      rows.push(structuredClone(r));
      r.E = -1;
      if (i === 4) {
        const e = event(i, "PHASE_CHANGED", { from: "AMBER", to: "GREEN", reason: "certified" });
        rec.event(e);
        events.push(e);
      }
      if (i % 10 === 9) {
        await rec.checkpoint(checkpointAt(dtype, i));
        events.push({ event: "CHECKPOINT_WRITTEN", iter: i, tWallMs: 0, payload: { checkpoint: `ckpt-00000${(i + 1) / 10}.cfck`, iter: i, phase: "GREEN", good: true, redacted: false } });
      }
      if (rec.flushDue()) await rec.flush();
    }
    const fin = event(40, "RUN_FINISHED", { status: "FINISHED", phase: "GREEN", iters: 40 });
    rec.event(fin);
    events.push(fin);
    await rec.finish(summary(dtype, 40));
    const dir = rec.runDir;

    expect(readdirSync(dir).sort()).toEqual(["artifacts", "checkpoints", "events.parquet", "logs.ndjson", "manifest.toml", "run_card.json", "telemetry.parquet"]);

    const m = loadRunManifest(dir);
    expect(m.capsule_id).toMatch(/^[0-9a-f]{32}$/);
    expect(m).toMatchObject({
      schema_version: SCHEMA_VERSION,
      run_id: `run-${dtype}`,
      status: "FINISHED",
      dtype,
      seed: 1234,
      rng_key: [0, 1234],
      deterministic: true,
      redact_artifacts: false,
      flow_family: "fista",
      frame_type: "unitary",
      lens: "db4",
      versions: { "@cflow/core": "0.1.0" },
      slots: [
        { name: "x", shape: [4, 3], manifold: "euclidean" },
        { name: "q", shape: [5], manifold: "sphere" },
      ],
      gates: { eta_max: 0.9, gamma_min: 1e-6 },
      budgets: { max_iters: 1000, max_trials: 20 },
      recording: { flush_every_rows: 8, keep_checkpoints: 2 },
      checkpoints: { latest: "ckpt-000004.cfck", latest_iter: 39, latest_good: "ckpt-000004.cfck" },
      compile_report: {
        units: [{ term: "data", scale: 2.5, unit: "1/sample" }],
        transform_validation: { frame: "unitary", roundtrip_rel_err: 3e-16, seed: 7, pass: true },
      },
      extra: { spec: "deblur-1d" },
      summary: { status: "FINISHED", phase: "GREEN", iters: 40, t_wall_ms: 1234.5, state: { x: { min: 1000, max: 1013, mean: 1006 } } },
      artifacts: { run_card: "run_card.json", final_state: "artifacts/final_state.cfck" },
    });
    expect(m.budgets.wall_time_ms).toBeUndefined();
    expect("missing" in m.compile_report).toBe(false);

    const tel = await sql(`SELECT * FROM '${join(dir, "telemetry.parquet")}'`);
    expect(tel).toEqual(rows.map((r) => expectedColumns(r, rec.runId)));

    const ev = await sql(`SELECT * FROM '${join(dir, "events.parquet")}'`);
    expect(ev.map((e) => [e.run_id, e.iter, e.event, JSON.parse(e.payload as string)])).toEqual(events.map((e) => [rec.runId, e.iter, e.event, e.payload]));

    // Retention: the newest 2 plus the newest good (which is the newest here).
    expect(readdirSync(join(dir, "checkpoints"))).toEqual(["ckpt-000003.cfck", "ckpt-000004.cfck"]);
    const ck = readCheckpointFile(join(dir, "checkpoints", "ckpt-000004.cfck"));
    expect(ck.header).toMatchObject({ iter: 39, phase: "GREEN", good: true, dtype, telemetry_rows: 40, event_rows: 6, rng_key: [39, 99], tuner_state: { trial: 3, history: [1, 2, 3] }, run_id: rec.runId, capsule_id: m.capsule_id });
    expect(ck.arrays).toEqual(arraysAt(dtype, 39));

    const fs = readCheckpointFile(join(dir, "artifacts", "final_state.cfck"));
    expect(fs.header).toMatchObject({ kind: "final_state", run_id: rec.runId, capsule_id: m.capsule_id });
    expect(fs.arrays).toEqual({ x: arraysAt(dtype, 40).x, q: arraysAt(dtype, 40).q });

    expect(JSON.parse(readFileSync(join(dir, "run_card.json"), "utf8"))).toEqual({ certificates: { eta_dd: 0.4, gamma: 0.01, pass: true } });
    const log = readRunLog(dir);
    expect(log.map((l) => l.msg)).toEqual(["run started", ...Array(4).fill("checkpoint written"), "run finished"]);
    expect(log.every((l) => l.run_id === rec.runId && !Number.isNaN(Date.parse(l.t)))).toBe(true);
    expect(parse(readFileSync(join(dir, "manifest.toml"), "utf8")).status).toBe("FINISHED");
  });
});

describe("streaming", () => {
  test("a flush happens every K rows and the flushed rows are readable while the run goes", async () => {
    const rec = recorder({ runsDir: tempRunsDir("k"), runId: "k-run", flushEveryRows: 5, flushEverySeconds: 3600 });
    await rec.start(startInfo("k-run"));
    for (let i = 0; i < 23; i++) {
      rec.telemetry(row(i));
      expect(rec.flushDue()).toBe((i + 1) % 5 === 0);
      if (rec.flushDue()) await rec.flush();
    }
    const parts = readdirSync(join(rec.runDir, "telemetry.parts"));
    expect(parts).toEqual(["part-000001.parquet", "part-000002.parquet", "part-000003.parquet", "part-000004.parquet"]);
    const got = await sql(`SELECT iter FROM read_parquet('${join(rec.runDir, "telemetry.parts", "*.parquet")}') ORDER BY iter`);
    expect(got.map((r) => r.iter)).toEqual([...Array(20).keys()]);
    await rec.finish(summary("float64", 23));
    expect(existsSync(join(rec.runDir, "telemetry.parts"))).toBe(false);
    expect((await sql(`SELECT count(*) AS n FROM '${join(rec.runDir, "telemetry.parquet")}'`))[0].n).toBe(23);
  });

  test("a flush happens after T seconds even when the caller never asks", async () => {
    const rec = recorder({ runsDir: tempRunsDir("t"), runId: "t-run", flushEveryRows: 1000, flushEverySeconds: 0.2 });
    await rec.start(startInfo("t-run"));
    rec.telemetry(row(0));
    rec.event(event(0, "WARNING", { message: "m", source: "test" }));
    expect(rec.flushDue()).toBe(false);
    // the flush is due 0.2 s after the rows; its parts appear whole (written under a temporary name, then renamed)
    const parts = ["telemetry.parts", "events.parts"].map((d) => join(rec.runDir, d, "part-000001.parquet"));
    await until(() => parts.every((p) => existsSync(p)), "the timed flush's part files");
    expect(readdirSync(join(rec.runDir, "telemetry.parts"))).toEqual(["part-000001.parquet"]);
    expect(readdirSync(join(rec.runDir, "events.parts"))).toEqual(["part-000001.parquet"]);
    expect(rec.flushDue()).toBe(false);
    await rec.finish(summary("float64", 1));
  });

  test("retention keeps the newest N checkpoints plus the newest good one", async () => {
    const rec = recorder({ runsDir: tempRunsDir("keep"), runId: "keep-run", keepCheckpoints: 2 });
    await rec.start(startInfo("keep-run"));
    for (let k = 1; k <= 6; k++) await rec.checkpoint({ ...checkpointAt("float64", k * 10), good: k === 2, phase: k === 2 ? "GREEN" : "AMBER" });
    expect(readdirSync(join(rec.runDir, "checkpoints"))).toEqual(["ckpt-000002.cfck", "ckpt-000005.cfck", "ckpt-000006.cfck"]);
    expect(loadRunManifest(rec.runDir).checkpoints).toEqual({ latest: "ckpt-000006.cfck", latest_iter: 60, latest_phase: "AMBER", latest_good: "ckpt-000002.cfck", latest_good_iter: 20 });
    expect(loadCheckpoint(rec.runDir, { good: true })).toMatchObject({ iter: 20, good: true, phase: "GREEN" });
    expect(loadCheckpoint(rec.runDir)).toMatchObject({ iter: 60, good: false, phase: "AMBER" });
    await rec.finish(summary("float64", 60));
  });
});

describe("bad input is refused with a clear error", () => {
  test("rows, events and checkpoints that do not fit the schema", async () => {
    const rec = recorder({ runsDir: tempRunsDir("bad"), runId: "bad-run" });
    await expect(async () => rec.telemetry(row(0))).rejects.toThrow(/telemetry called before start/);
    await rec.start(startInfo("bad-run"));
    expect(() => rec.telemetry({ ...row(0), E: "big" as unknown as number })).toThrow(/telemetry column E expected a number, found "big"/);
    expect(() => rec.telemetry({ ...row(0), iter: 1.5 })).toThrow(/telemetry column iter expected a 32-bit integer, found 1.5/);
    expect(() => rec.telemetry({ ...row(0), iter: null as unknown as number })).toThrow(/telemetry column iter expected a 32-bit integer, found null/);
    expect(() => rec.telemetry({ ...row(0), warnings: [1] as unknown as string[] })).toThrow(/telemetry column warnings expected an array of strings, found \[1\]/);
    expect(() => rec.telemetry({ ...row(0), phase: "BLUE" as "RED" })).toThrow(/phase expected RED \| AMBER \| GREEN, found "BLUE"/);
    expect(() => rec.telemetry({ ...row(0), lambdaJ: Array(1000).fill(1) })).toThrow(/lambdaJ expected null or an array of at most 256/);
    expect(() => rec.event(event(0, "EXPLODED" as "WARNING"))).toThrow(/unknown event "EXPLODED"; expected one of RUN_STARTED/);
    expect(() => rec.event(event(0, "WARNING", { data: Array(5000).fill(0.5) }))).toThrow(/payload holds an array of 5000 values/);
    const c = checkpointAt("float64", 3);
    await expect(rec.checkpoint({ ...c, arrays: { ...c.arrays, x: new Float32Array(12) } })).rejects.toThrow(/recorder.checkpoint arrays.x: dtype mismatch — expected float64, found float32/);
    await expect(rec.checkpoint({ ...c, arrays: { ...c.arrays, q: new Float64Array(6) } })).rejects.toThrow(/recorder.checkpoint arrays.q: shape mismatch — expected \[5\], found length 6/);
    await expect(rec.checkpoint({ ...c, arrays: { x: c.arrays.x } })).rejects.toThrow(/arrays.q: shape mismatch — expected \[5\], found missing/);
    await expect(rec.checkpoint({ ...c, rngKey: [1, -1] })).rejects.toThrow(/rngKey expected two uint32 words/);
    await rec.finish(summary("float64", 0));
    await expect(rec.flush()).rejects.toThrow(/flush called after finish/);
  });

  test("starting twice, a foreign run id and an existing capsule", async () => {
    const runsDir = tempRunsDir("start");
    const a = recorder({ runsDir, runId: "same" });
    await expect(a.start(startInfo("other"))).rejects.toThrow(/the run is called "other" but this recorder writes capsule "same"/);
    const b = recorder({ runsDir, runId: "same" });
    await b.start(startInfo("same"));
    await expect(b.start(startInfo("same"))).rejects.toThrow(/start called twice/);
    const c = recorder({ runsDir, runId: "same" });
    await expect(c.start(startInfo("same"))).rejects.toThrow(/already exists; choose another runId, or resume it/);
    await b.finish(summary("float64", 0));
  });

  test("options", () => {
    expect(() => recorder({ runsDir: "" })).toThrow(/runsDir expected a directory path/);
    expect(() => recorder({ runsDir: "/tmp", flushEveryRows: 0 })).toThrow(/flushEveryRows expected a positive integer, found 0/);
    expect(() => recorder({ runsDir: "/tmp", flushEverySeconds: -1 })).toThrow(/flushEverySeconds expected a positive number, found -1/);
    expect(() => recorder({ runsDir: "/tmp", keepCheckpoints: 1.5 })).toThrow(/keepCheckpoints expected a positive integer, found 1.5/);
  });
});
