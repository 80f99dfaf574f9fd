// SQL over many capsules: telemetry, events and runs views keyed by run_id, finished or killed.
import { cpSync } from "node:fs";
import { join } from "node:path";
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
