// SQL over many capsules: telemetry, events and runs views keyed by run_id, finished or killed.
import { cpSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CflowError } from "@cflow/core";
import { beforeAll, describe, expect, test } from "vitest";
import { queryRuns, queryRunsArrow, recorder } from "../src/index.js";
import { event, row, startInfo, summary, tempRunsDir } from "./fixtures.js";

const ROLLBACK_QUERY = `
  SELECT e.run_id, e.iter, t."lambda"
  FROM events e JOIN telemetry t ON t.run_id = e.run_id AND t.iter = e.iter
  WHERE e.event = 'ROLLBACK'
  ORDER BY e.run_id, e.iter`;

describe("queryRuns", () => {
  let runsDir = "";
  beforeAll(async () => {
    runsDir = tempRunsDir("query");
    // run-a rolls back at 12; run-b never; run-c (killed: parts only, never finished) at 5 and 17.
    const plan: [string, number[], boolean][] = [
      ["run-a", [12], true],
      ["run-b", [], true],
      ["run-c", [5, 17], false],
    ];
    for (const [id, rollbacks, finish] of plan) {
      const rec = recorder({ runsDir, runId: id, flushEveryRows: 6 });
      await rec.start(startInfo(id, id === "run-b" ? "float32" : "float64"));
      for (let i = 0; i < 20; i++) {
        rec.telemetry(row(i));
        if (rollbacks.includes(i)) rec.event(event(i, "ROLLBACK", { to_iter: i - 3, reason: "energy rose", rollbacks: 1 }));
        if (rec.flushDue()) await rec.flush();
      }
      await rec.flush();
      if (finish) await rec.finish(summary(id === "run-b" ? "float32" : "float64", 20));
    }
  });

  test("which runs rolled back, and at what λ — one query", async () => {
    const got = await queryRuns(ROLLBACK_QUERY, runsDir);
    const lambdaAt = (i: number) => row(i).lambda;
    expect(got).toEqual([
      { run_id: "run-a", iter: 12, lambda: lambdaAt(12) },
      { run_id: "run-c", iter: 5, lambda: lambdaAt(5) },
      { run_id: "run-c", iter: 17, lambda: lambdaAt(17) },
    ]);
  });

  test("the runs view has one row per manifest, finished or still RUNNING", async () => {
    const got = await queryRuns("SELECT run_id, status, dtype, iters, resumes, manifest->>'$.compile_report.transform_validation.frame' AS frame FROM runs ORDER BY run_id", runsDir);
    expect(got).toEqual([
      { run_id: "run-a", status: "FINISHED", dtype: "float64", iters: 20, resumes: 0, frame: "unitary" },
      { run_id: "run-b", status: "FINISHED", dtype: "float32", iters: 20, resumes: 0, frame: "unitary" },
      { run_id: "run-c", status: "RUNNING", dtype: "float64", iters: null, resumes: 0, frame: "unitary" },
    ]);
  });

  test("joins, aggregates and integer results come back as plain numbers", async () => {
    const got = await queryRuns(`SELECT r.run_id, count(*) AS n, sum(t.iter) AS s FROM runs r JOIN telemetry t USING (run_id) GROUP BY ALL ORDER BY 1`, runsDir);
    expect(got).toEqual(["run-a", "run-b", "run-c"].map((run_id) => ({ run_id, n: 20, s: 190 })));
    expect(typeof got[0].n).toBe("number");
  });

  test("the same SQL as an Apache Arrow table: columnar, typed, equal to the rows", async () => {
    const sql = `SELECT run_id, iter, E, phase FROM telemetry WHERE run_id = 'run-a' ORDER BY iter`;
    const rows = await queryRuns(sql, runsDir);
    const table = await queryRunsArrow(sql, runsDir);
    expect(table.numRows).toBe(20);
    expect(table.schema.fields.map((f) => f.name)).toEqual(["run_id", "iter", "E", "phase"]);
    expect(Array.from(table.getChild("iter")!.toArray() as ArrayLike<number>)).toEqual(rows.map((r) => r.iter));
    expect(Array.from(table.getChild("E")!.toArray() as ArrayLike<number>)).toEqual(rows.map((r) => r.E));
    expect(table.getChild("run_id")!.get(0)).toBe("run-a");
  });

  test("directories, a list, and a glob select the capsules", async () => {
    const count = async (dirs: string | string[]) => (await queryRuns("SELECT run_id FROM runs ORDER BY run_id", dirs)).map((r) => r.run_id);
    expect(await count(join(runsDir, "run-a"))).toEqual(["run-a"]);
    expect(await count([join(runsDir, "run-c"), join(runsDir, "run-b")])).toEqual(["run-b", "run-c"]);
    expect(await count(join(runsDir, "run-[ac]"))).toEqual(["run-a", "run-c"]);
    expect(await count(`${runsDir}/*`)).toEqual(["run-a", "run-b", "run-c"]);
    expect(await count(join(runsDir, "nothing-*"))).toEqual([]);
    expect(await queryRuns("SELECT count(*) AS n FROM telemetry", join(runsDir, "nothing-*"))).toEqual([{ n: 0 }]);
  });

  test("errors: a missing directory, a copied capsule with the same run_id", async () => {
    await expect(queryRuns("SELECT 1", join(runsDir, "missing"))).rejects.toThrow(/missing is neither a run capsule, a directory of capsules, nor a glob/);
    const other = tempRunsDir("dup");
    cpSync(join(runsDir, "run-a"), join(other, "copy"), { recursive: true });
    await expect(queryRuns("SELECT 1", [join(runsDir, "run-a"), join(other, "copy")])).rejects.toThrow(/are both run run-a/);
    await expect(queryRuns("SELECT nope FROM telemetry", runsDir)).rejects.toThrow(/nope/);
  });
});

describe("queryRuns is read-only and confined to the capsules", () => {
  let runsDir = "";
  beforeAll(async () => {
    runsDir = tempRunsDir("readonly");
    const rec = recorder({ runsDir, runId: "ro", flushEveryRows: 6 });
    await rec.start(startInfo("ro"));
    for (let i = 0; i < 8; i++) rec.telemetry(row(i));
    rec.event(event(3, "ROLLBACK", { to_iter: 1, reason: "energy rose", rollbacks: 1 }));
    await rec.finish(summary("float64", 8));
  });

  const outside = join(tmpdir(), `cflow-query-probe-${process.pid}`);
  const refusedProbes: [string, string, RegExp][] = [
    ["read_csv of /etc/passwd", "SELECT * FROM read_csv('/etc/passwd', sep = ':')", /may read only the capsules' files .*\/etc\/passwd/],
    ["read_text", "SELECT content FROM read_text('/etc/hostname')", /may read only the capsules' files/],
    ["glob outside", "SELECT * FROM glob('/etc/*')", /may read only the capsules' files/],
    ["a path escaping a capsule with ..", "SELECT * FROM read_text('RUNS/ro/../../../etc/passwd')", /may read only the capsules' files/],
    ["COPY … TO outside", `COPY (SELECT 1) TO '${outside}.csv'`, /may read only the capsules' files|only a SELECT is accepted; found COPY/],
    ["COPY … TO inside a capsule", "COPY telemetry TO 'RUNS/ro/stolen.csv'", /only a SELECT is accepted; found COPY \(writes or imports files\)/],
    ["ATTACH", `ATTACH '${outside}.db' AS other`, /may read only the capsules' files|found ATTACH/],
    ["INSTALL", "INSTALL httpfs", /found INSTALL\/LOAD \(extensions\)/],
    ["LOAD", "LOAD httpfs", /found INSTALL\/LOAD \(extensions\)/],
    ["EXPORT DATABASE", `EXPORT DATABASE '${outside}-export'`, /may read only the capsules' files|found EXPORT DATABASE/],
    ["SET", "SET enable_external_access = true", /found SET\/RESET \(changes settings\)/],
    ["PRAGMA", "PRAGMA enable_profiling", /found PRAGMA \(changes settings\)/],
    ["CREATE", "CREATE TABLE t AS SELECT 1", /found CREATE/],
    ["a second statement after ;", "SELECT 1; SELECT 2", /exactly one statement; found 2/],
    ["a write hidden after ;", "SELECT 1; COPY telemetry TO 'RUNS/ro/x.csv'", /exactly one statement; found 2/],
  ];

  test.each(refusedProbes)("%s is refused clearly", async (_, probe, message) => {
    const sql = probe.replaceAll("RUNS", runsDir);
    let err: unknown = null;
    try {
      await queryRuns(sql, runsDir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CflowError);
    expect((err as CflowError).code).toBe("QUERY_REFUSED");
    expect((err as CflowError).message).toMatch(/^cflow query is read-only: /);
    expect((err as CflowError).message).toMatch(message);
    expect(String((err as CflowError).details.found)).toContain(sql.slice(0, 40));
    for (const p of [`${outside}.csv`, `${outside}.db`, `${outside}-export`]) expect(existsSync(p), p).toBe(false);
    expect(readdirSync(join(runsDir, "ro")).filter((n) => n.endsWith(".csv"))).toEqual([]);
  });

  test("SELECTs over telemetry, events and runs still work, DESCRIBE and SUMMARIZE included", async () => {
    expect(await queryRuns("SELECT count(*) AS n, max(iter) AS last FROM telemetry", runsDir)).toEqual([{ n: 8, last: 7 }]);
    expect(await queryRuns("SELECT event, iter FROM events WHERE event = 'ROLLBACK'", runsDir)).toEqual([{ event: "ROLLBACK", iter: 3 }]);
    expect(await queryRuns("SELECT run_id, status FROM runs", runsDir)).toEqual([{ run_id: "ro", status: "FINISHED" }]);
    expect((await queryRuns("DESCRIBE telemetry", runsDir)).map((r) => r.column_name)).toContain("lambda");
    expect((await queryRuns("SUMMARIZE SELECT E FROM telemetry", runsDir))[0]).toMatchObject({ column_name: "E" });
    const kv = await queryRuns(`SELECT decode(key) AS k FROM parquet_kv_metadata('${join(runsDir, "ro", "telemetry.parquet")}') ORDER BY k`, runsDir);
    expect(kv.map((r) => r.k)).toContain("dtype");
  });
});
