// SCHEMA.md is the contract: its tables must describe exactly what the recorder writes (both ways).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FLOW_EVENTS } from "@cflow/core";
import { parse } from "smol-toml";
import { beforeAll, describe, expect, test } from "vitest";
import { queryRuns, recorder, SCHEMA_VERSION } from "../src/index.js";
import { event, row, sql, startInfo, summary, tempRunsDir } from "./fixtures.js";

const SCHEMA_MD = readFileSync(join(__dirname, "../../../SCHEMA.md"), "utf8");

/** The rows of the first Markdown table after the heading `## <title>`, as objects keyed by header cell. */
function table(title: string): Record<string, string>[] {
  const start = SCHEMA_MD.indexOf(`\n## ${title}\n`);
  expect(start, `SCHEMA.md has a "## ${title}" section`).toBeGreaterThan(-1);
  const lines = SCHEMA_MD.slice(start).split("\n").slice(2);
  const first = lines.findIndex((l) => l.startsWith("|"));
  const rows: string[][] = [];
  for (const l of lines.slice(first)) {
    if (!l.startsWith("|")) break;
    rows.push(l.slice(1, -1).split("|").map((c) => c.trim()));
  }
  const [head, , ...body] = rows;
  return body.map((cells) => Object.fromEntries(head.map((h, i) => [h, cells[i].replace(/^`(.*)`$/, "$1")])));
}

/** Parquet column → notation of SCHEMA.md's "Parquet type" column, from parquet_schema's flat tree. */
function parquetTypes(schema: Record<string, unknown>[]): Map<string, string> {
  const out = new Map<string, string>();
  const leaf = (r: Record<string, unknown>) => `${r.type}${r.converted_type === "UTF8" ? " (UTF8)" : ""}`;
  let i = 1;
  while (i < schema.length) {
    const r = schema[i];
    if (r.converted_type === "LIST") {
      out.set(r.name as string, `LIST<${leaf(schema[i + 2])}>`);
      i += 3;
    } else {
      out.set(r.name as string, leaf(r));
      i += 1;
    }
  }
  return out;
}

describe("SCHEMA.md agrees with the written capsule", () => {
  let runDir = "";
  let partKv: Record<string, unknown> = {};
  beforeAll(async () => {
    const runsDir = tempRunsDir("schema");
    const rec = recorder({ runsDir, runId: "schema-run", flushEveryRows: 4 });
    await rec.start(startInfo("schema-run"));
    for (let i = 0; i < 10; i++) {
      rec.telemetry(row(i));
      if (rec.flushDue()) await rec.flush();
    }
    rec.event(event(3, "ROLLBACK", { to_iter: 1, reason: "test", rollbacks: 1 }));
    await rec.flush();
    runDir = rec.runDir;
    const kv = await sql(`SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata('${join(runDir, "telemetry.parts", "part-000001.parquet")}')`);
    partKv = Object.fromEntries(kv.map((r) => [r.k, r.v]));
    await rec.finish(summary("float64", 10));
  });

  for (const [title, file] of [
    ["Telemetry", "telemetry.parquet"],
    ["Events", "events.parquet"],
  ] as const) {
    test(`${title}: columns, DuckDB types and Parquet types match both ways`, async () => {
      const doc = table(title);
      const path = join(runDir, file);
      const described = await sql(`DESCRIBE SELECT * FROM read_parquet('${path}')`);
      expect(described.map((d) => d.column_name)).toEqual(doc.map((d) => d.column));
      for (const d of described) expect(`${d.column_name}: ${d.column_type}`).toBe(`${d.column_name}: ${doc.find((x) => x.column === d.column_name)!.type}`);
      const physical = parquetTypes(await sql(`SELECT * FROM parquet_schema('${path}')`));
      expect([...physical.keys()]).toEqual(doc.map((d) => d.column));
      for (const d of doc) expect(`${d.column}: ${physical.get(d.column)}`).toBe(`${d.column}: ${d["Parquet type"]}`);
      for (const d of doc) expect(d.unit, `unit of ${d.column}`).not.toBe("");
    });
  }

  test("key-value metadata carries schema_version and dtype (compacted files and parts)", async () => {
    expect(partKv).toMatchObject({ schema_version: String(SCHEMA_VERSION), dtype: "float64", run_id: "schema-run", cflow_table: "telemetry", part: "1", rows: "4" });
    for (const file of ["telemetry.parquet", "events.parquet"]) {
      const kv = await sql(`SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata('${join(runDir, file)}')`);
      const m = Object.fromEntries(kv.map((r) => [r.k, r.v]));
      expect(m.schema_version).toBe(String(SCHEMA_VERSION));
      expect(m.dtype).toBe("float64");
      expect(m.run_id).toBe("schema-run");
    }
    expect(SCHEMA_MD).toContain(`Current \`schema_version\`: **${SCHEMA_VERSION}**.`);
  });

  test("the event table lists exactly FLOW_EVENTS, each with payload fields", () => {
    const doc = table("Event names and payloads");
    expect(doc.map((d) => d.event).sort()).toEqual([...FLOW_EVENTS].sort());
    for (const d of doc) expect(d["payload fields"].length, d.event).toBeGreaterThan(0);
  });

  test("the runs view has exactly the documented columns and types", async () => {
    const doc = table("runs view");
    const described = await queryRuns("DESCRIBE runs", [runDir]);
    expect(described.map((d) => [d.column_name, d.column_type])).toEqual(doc.map((d) => [d.column, d.type]));
  });

  test("the manifest's top-level keys are documented, and documented required keys are present", () => {
    const doc = table("Manifest");
    const documented = new Set(doc.map((d) => d.key));
    const written = Object.keys(parse(readFileSync(join(runDir, "manifest.toml"), "utf8")));
    for (const k of written) expect(documented.has(k), `manifest key ${k} documented`).toBe(true);
    for (const d of doc) if (!d.type.endsWith("?")) expect(written, `documented key ${d.key} written`).toContain(d.key);
  });
});
