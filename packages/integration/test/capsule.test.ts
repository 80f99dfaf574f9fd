// A capsule from a real certified run (the story, every hook) read back by DuckDB: the metadata
// SCHEMA.md promises (schema_version and dtype in the Parquet key-value metadata and in the
// manifest), every row and event the run produced, and a run card that agrees with the events.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FlowEvent, runCertified, type TelemetryRow } from "@cflow/core";
import { fda } from "@cflow/fda";
import { loadRunManifest, queryRuns, readCheckpointFile, recorder, SCHEMA_VERSION } from "@cflow/recorder";
import { gapDial } from "@cflow/tuner";
import { describe, expect, test } from "vitest";
import { compileStory } from "./story-problem.js";
import { DTYPES } from "./test-hooks.js";
import { sameBits } from "@cflow/test-kit";

interface RunCard {
  run_id: string;
  status: string;
  phase: string;
  certified: boolean;
  checks: { check: string; pass: boolean; value: number; threshold: number }[];
  certificates: number;
  rollbacks: number;
  trials: number;
}

describe.each(DTYPES)("the capsule of a certified run (%s)", (dtype) => {
  test("DuckDB reads it back with its metadata; the run card agrees with the events", async () => {
    const runsDir = mkdtempSync(join(tmpdir(), "cflow-capsule-"));
    const { spec, compiled } = compileStory({ dtype });
    const rows: TelemetryRow[] = [];
    const rec = recorder({ runsDir, runId: `story-${dtype}` });
    const res = await runCertified(compiled, { certify: fda(), tune: gapDial(), sinks: [rec, { name: "rows", telemetry: (r) => rows.push({ ...r }) }], versions: { "@cflow/integration": "test" } });
    compiled.dispose();
    const dir = rec.runDir;
    expect(res.status).toBe("FINISHED");

    // Parquet key-value metadata of both tables
    for (const table of ["telemetry", "events"]) {
      const file = join(dir, `${table}.parquet`);
      const kv = await queryRuns(`SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata('${file}')`, [dir]);
      const meta = Object.fromEntries(kv.map((r) => [r.k, r.v]));
      expect(meta, table).toMatchObject({ schema_version: String(SCHEMA_VERSION), dtype, run_id: `story-${dtype}`, cflow_table: table });
    }
    // the manifest, through loadRunManifest and through the runs view
    const manifest = loadRunManifest(dir);
    expect(manifest).toMatchObject({ schema_version: SCHEMA_VERSION, dtype, status: "FINISHED", frame_type: "unitary", lens: "db4", deterministic: false });
    expect(manifest.versions).toMatchObject({ "@cflow/integration": "test" });
    expect(manifest.gates).toEqual({ eta_max: 6, gamma_min: 1e-6 }); // the default gates (packages/core/src/spec/defaults.ts)
    const [run] = await queryRuns("SELECT * FROM runs", [dir]);
    expect(run).toMatchObject({ run_id: `story-${dtype}`, schema_version: SCHEMA_VERSION, dtype, status: "FINISHED", final_phase: "GREEN", iters: res.iters, final_energy: res.energy });

    // every telemetry row, in order, with the values the controller produced
    const t = await queryRuns('SELECT phase, iter, trial_id, "E", grad_norm, "lambda", eta_dd, gamma, notes FROM telemetry', [dir]);
    expect(t).toHaveLength(rows.length);
    t.forEach((r, i) => {
      const w = rows[i];
      expect(r).toEqual({ phase: w.phase, iter: w.iter, trial_id: w.trialId, E: w.E, grad_norm: w.gradNorm, lambda: w.lambda, eta_dd: w.etaDD, gamma: w.gamma, notes: w.notes });
    });
    // every event, in order, plus the recorder's CHECKPOINT_WRITTEN
    const ev = await queryRuns("SELECT event, iter, payload FROM events", [dir]);
    const mine = ev.filter((e) => e.event !== "CHECKPOINT_WRITTEN");
    expect(mine.map((e) => [e.event, e.iter, JSON.parse(e.payload as string)])).toEqual(res.events.map((e) => [e.event, e.iter, e.payload]));
    const written = ev.filter((e) => e.event === "CHECKPOINT_WRITTEN").map((e) => JSON.parse(e.payload as string) as { checkpoint: string; good: boolean });
    expect(written.length).toBeGreaterThan(1);
    expect(manifest.checkpoints.latest).toBe(written[written.length - 1].checkpoint);
    expect(manifest.checkpoints.latest_good).toBe(written.filter((w) => w.good).pop()!.checkpoint);

    // the SCHEMA.md example: which runs rolled back, and at what λ — the λ of the move that failed
    const rolled = await queryRuns(
      `SELECT e.run_id, e.iter,
         (SELECT t."lambda" FROM telemetry t
          WHERE t.run_id = e.run_id AND t.iter = e.iter AND t.notes IS NULL AND t.t_wall_ms <= e.t_wall_ms
          ORDER BY t.t_wall_ms DESC LIMIT 1) AS "lambda"
       FROM events e WHERE e.event = 'ROLLBACK' ORDER BY e.run_id, e.t_wall_ms`,
      [dir],
    );
    const rejected = res.events.filter((e) => e.event === "TUNER_MOVE_REJECTED");
    expect(rolled.map((r) => r.lambda)).toEqual(rejected.map((e) => (e.payload.to as { lambda: number }).lambda));

    // run_card.json: the controller's, consistent with the event record
    const card = JSON.parse(readFileSync(join(dir, "run_card.json"), "utf8")) as RunCard;
    expect(card).toEqual(res.runCard);
    const count = (name: FlowEvent["event"]) => res.events.filter((e) => e.event === name).length;
    expect(card).toMatchObject({ run_id: `story-${dtype}`, status: "FINISHED", phase: "GREEN", certified: true });
    expect(card.certificates).toBe(count("CERT_PASS") + count("CERT_FAIL"));
    expect(card.rollbacks).toBe(count("ROLLBACK"));
    expect(card.trials).toBe(res.events.filter((e) => e.event === "TUNER_MOVE_TRY" && (e.payload.trial as number) > 0).length);
    const final = res.events.filter((e) => e.event === "CERT_PASS").pop()!;
    expect(final.payload.stage).toBe("final");
    const check = (name: string) => card.checks.find((c) => c.check === name)!;
    expect(check("eta_dd")).toMatchObject({ pass: true, value: final.payload.eta_dd, threshold: 6 });
    expect(check("gamma")).toMatchObject({ pass: true, value: final.payload.gamma, threshold: 1e-6 });
    expect(check("lyapunov").pass).toBe(true);
    expect(manifest.artifacts).toMatchObject({ run_card: "run_card.json" });

    // the final state artifact is the run's final state
    expect(existsSync(join(dir, "artifacts", "final_state.cfck"))).toBe(true);
    expect(sameBits(readCheckpointFile(join(dir, "artifacts", "final_state.cfck")).arrays.x, res.x)).toBe(true);
    rmSync(runsDir, { recursive: true, force: true });
  });
});
