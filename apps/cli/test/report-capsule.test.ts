import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { stringify } from "smol-toml";
import { describe, expect, it } from "vitest";
import { writeNpy } from "../src/data/npy.js";
import { readReportData } from "../src/report/read-capsule.js";
import { cli, tempDir } from "./helpers.js";
import { RUN_ID, syntheticReportData } from "./report-fixture.js";

const TELEMETRY_COLUMNS = {
  run_id: "VARCHAR",
  phase: "VARCHAR",
  iter: "BIGINT",
  trial_id: "INTEGER",
  t_wall_ms: "DOUBLE",
  alpha: "DOUBLE",
  lambda: "DOUBLE",
  lambda_j: "VARCHAR",
  E: "DOUBLE",
  grad_norm: "DOUBLE",
  eta_dd: "DOUBLE",
  gamma: "DOUBLE",
  sparsity_wx: "DOUBLE",
  invariant_drift_max: "DOUBLE",
  phi_residual: "DOUBLE",
  lens_name: "VARCHAR",
  level_active_max: "INTEGER",
  sparsity_mode: "VARCHAR",
  flow_family: "VARCHAR",
  warnings: "VARCHAR[]",
  notes: "VARCHAR",
};
const EVENT_COLUMNS = { run_id: "VARCHAR", t_wall_ms: "DOUBLE", iter: "BIGINT", event: "VARCHAR", payload: "VARCHAR" };

const struct = (cols: Record<string, string>) => `{${Object.entries(cols).map(([k, v]) => `'${k}': '${v}'`).join(", ")}}`;

/** A run capsule as the recorder lays it out (docs/design.md §5), written with DuckDB and smol-toml. */
async function writeCapsule(o: { telemetry?: boolean; events?: boolean; artifacts?: boolean } = {}): Promise<string> {
  const data = syntheticReportData({ iters: 240, size: 32 });
  const dir = join(tempDir("capsule"), RUN_ID);
  mkdirSync(join(dir, "artifacts"), { recursive: true });
  mkdirSync(join(dir, "checkpoints"), { recursive: true });
  // the keys every capsule reader relies on (SCHEMA.md "Manifest")
  const manifest = { ...data.manifest, status: "FINISHED", slots: [{ name: "x", shape: [32, 32], manifold: "euclidean" }], checkpoints: {} };
  writeFileSync(join(dir, "manifest.toml"), stringify(manifest as Record<string, unknown>));
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  const copy = async (rows: object[], cols: Record<string, string>, file: string) => {
    const nd = join(dir, `${file}.ndjson`);
    writeFileSync(nd, rows.map((r) => JSON.stringify(r)).join("\n"));
    const kv = `{schema_version: '1', dtype: 'float64', run_id: '${RUN_ID}', cflow_table: '${file.replace(".parquet", "")}'}`;
    await conn.run(`COPY (SELECT * FROM read_json('${nd}', format = 'newline_delimited', columns = ${struct(cols)})) TO '${join(dir, file)}' (FORMAT parquet, KV_METADATA ${kv})`);
    rmSync(nd);
  };
  const rows = data.telemetry.map((r, i) => ({ ...r, warnings: i === 7 ? ["step shrunk"] : [] }));
  if (o.telemetry !== false) await copy(rows, TELEMETRY_COLUMNS, "telemetry.parquet");
  if (o.events !== false) await copy(data.events, EVENT_COLUMNS, "events.parquet");
  conn.closeSync();
  db.closeSync();
  if (o.artifacts !== false) {
    for (const img of data.images) writeNpy(join(dir, "artifacts", `${img.name}.npy`), Float64Array.from(img.data), img.shape);
  }
  return dir;
}

describe("readReportData", () => {
  it("reads the manifest, the Parquet telemetry and events, and the artifacts back as written", async () => {
    const dir = await writeCapsule();
    const want = syntheticReportData({ iters: 240, size: 32 });
    const got = await readReportData(dir);
    expect(got.notes).toBeUndefined();
    expect(got.manifest.run_id).toBe(RUN_ID);
    expect(got.manifest.gates).toEqual({ eta_max: 0.9, gamma_min: 1e-6 });
    expect(got.telemetry).toHaveLength(240);
    expect(got.telemetry[7].warnings).toEqual(["step shrunk"]);
    expect(got.telemetry.map(({ warnings: _w, ...r }) => r)).toEqual(want.telemetry.map(({ warnings: _w, ...r }) => r));
    expect(typeof got.telemetry[10].iter).toBe("number");
    expect(got.events).toEqual(want.events);
    expect(got.images.map((i) => [i.name, i.shape])).toEqual([
      ["input", [32, 32]],
      ["result", [32, 32]],
    ]);
    expect(Array.from(got.images[1].data)).toEqual(Array.from(want.images[1].data));
  });

  it("a capsule without rows (a run killed before its first flush) still reads, with notes", async () => {
    const dir = await writeCapsule({ telemetry: false, events: false, artifacts: false });
    const got = await readReportData(dir);
    expect(got.telemetry).toEqual([]);
    expect(got.notes).toEqual([expect.stringContaining("no telemetry recorded"), expect.stringContaining("no events recorded")]);
  });
});

describe("cflow report", () => {
  it("writes a self-contained report.html into the run directory", async () => {
    const dir = await writeCapsule();
    const r = await cli(["report", dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/wrote .*report\.html/);
    const html = readFileSync(join(dir, "report.html"), "utf8");
    expect(html).toContain("<h1>deconv-2d</h1>");
    expect(html).toContain('id="chart-energy"');
    expect(html).toContain('data-image="difference"');
    expect(html).not.toMatch(/https?:\/\//);
    const json = JSON.parse((await cli(["report", dir, "--out", join(dir, "other.html"), "--json"])).stdout);
    expect(json.result).toMatchObject({ report: join(dir, "other.html"), telemetryRows: 240, images: ["input", "result"], notes: [] });
    expect(existsSync(join(dir, "other.html"))).toBe(true);
  });

  it("refuses a directory that is not a capsule, and a broken manifest, naming them (exit 6)", async () => {
    const empty = tempDir("not-a-capsule");
    const r = await cli(["report", empty]);
    expect(r.code).toBe(6);
    expect(r.stderr).toContain(`${join(empty, "manifest.toml")}: no manifest — ${empty} is not a run capsule`);
    writeFileSync(join(empty, "manifest.toml"), "run_id = \n");
    const bad = await cli(["report", empty]);
    expect(bad.code).toBe(6);
    expect(bad.stderr).toContain(`${join(empty, "manifest.toml")}: not valid TOML`);
    const missing = await cli(["report", join(empty, "nope")]);
    expect(missing.stderr).toContain(`${join(empty, "nope")}: no such run directory`);
  });
});
