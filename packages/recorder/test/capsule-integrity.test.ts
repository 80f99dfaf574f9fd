// Nothing finished is ever lost, and a capsule is only ever continued as itself: a damaged table
// stops a resume before it writes anything; a copied capsule, a forged manifest or a checkpoint
// from another capsule is refused; every reader refuses a capsule that is not what it claims.
import { cpSync, readFileSync, rmSync, statSync, truncateSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { listCheckpoints } from "../src/checkpoint-store.js";
import { decodeCheckpoint, encodeCheckpoint } from "../src/checkpoint-file.js";
import { loadRunManifest, queryRuns, readCheckpointFile, recorder, resumeRun, SCHEMA_VERSION, verifyCapsule } from "../src/index.js";
import { fileHashes, refusal, resumeToEnd, stoppedCapsule } from "./capsules.js";
import { startInfo, tempRunsDir } from "./fixtures.js";

const cancelled = (runsDir: string, runId: string) => stoppedCapsule(runsDir, runId, "cancelled");

function editManifest(dir: string, from: RegExp, to: string): void {
  const p = join(dir, "manifest.toml");
  const text = readFileSync(p, "utf8");
  expect(text).toMatch(from);
  writeFileSync(p, text.replace(from, to));
}

describe("a damaged table never costs the finished record", () => {
  test.each(["telemetry.parquet", "events.parquet"])("truncated %s: resume names it and writes nothing", async (file) => {
    const runsDir = tempRunsDir("damaged");
    const dir = await cancelled(runsDir, "cut");
    const path = join(dir, file);
    truncateSync(path, Math.floor(statSync(path).size / 2));
    const before = fileHashes(dir);
    const err = await refusal(() => resumeToEnd(runsDir, "cut"));
    expect(err.code).toBe("CAPSULE_TABLE_DAMAGED");
    expect(err.message).toContain(`${path}: the ${file.replace(".parquet", "")} table file is damaged`);
    expect(err.details.hint).toMatch(/Nothing in the capsule was changed/);
    expect(fileHashes(dir)).toEqual(before);
    const m = loadRunManifest(dir);
    expect(m).toMatchObject({ status: "CANCELLED", summary: { status: "CANCELLED", iters: 25 } });
    expect(m.finished_at).toBeDefined();
    // every reader names the same file
    expect((await refusal(() => verifyCapsule(dir))).message).toContain(path);
    expect((await refusal(() => queryRuns("SELECT count(*) FROM telemetry", dir))).message).toContain(path);
  });
});

describe("a capsule is continued only as itself", () => {
  test("a copy under another name is refused naming both names; the original is untouched", async () => {
    const runsDir = tempRunsDir("copy");
    const dir = await cancelled(runsDir, "run");
    const copy = join(runsDir, "run.bak");
    cpSync(dir, copy, { recursive: true });
    const original = fileHashes(dir);
    const err = await refusal(() => resumeRun(copy));
    expect(err.code).toBe("RUN_DIR_MISMATCH");
    expect(err.message).toBe(`${copy}: the manifest says run "run" but the directory is "run.bak" — a run is continued only in the capsule named after it`);
    expect(fileHashes(dir)).toEqual(original);
  });

  test("a forged manifest naming a sibling run is refused; the sibling is untouched", async () => {
    const runsDir = tempRunsDir("forged");
    const victim = await cancelled(runsDir, "victim");
    const forger = await cancelled(runsDir, "forger");
    editManifest(forger, /^run_id = "forger"$/m, 'run_id = "victim"');
    const before = fileHashes(victim);
    const err = await refusal(() => resumeRun(forger));
    expect(err.code).toBe("RUN_DIR_MISMATCH");
    expect(err.message).toContain('the manifest says run "victim" but the directory is "forger"');
    expect(fileHashes(victim)).toEqual(before);
  });

  test("a checkpoint copied from another capsule of the same run id is refused (capsule_id)", async () => {
    const a = await cancelled(tempRunsDir("same-a"), "same");
    const b = await cancelled(tempRunsDir("same-b"), "same");
    const newest = listCheckpoints(a).at(-1)!;
    const foreign = join(b, "checkpoints", `ckpt-${String(newest.seq + 5).padStart(6, "0")}.cfck`);
    cpSync(newest.path, foreign);
    const err = await refusal(() => resumeRun(b));
    expect(err.code).toBe("CHECKPOINT_FOREIGN");
    expect(err.message).toContain(`${foreign}: checkpoint of capsule ${loadRunManifest(a).capsule_id}, but ${join(b, "manifest.toml")} is capsule ${loadRunManifest(b).capsule_id}`);
    // and a recorder handed that resume point by hand refuses it too, before writing
    unlinkSync(foreign);
    cpSync(newest.path, join(b, "checkpoints", newest.name));
    const before = fileHashes(b);
    const point = { runId: "same", checkpoint: newest.name, iter: 19, telemetryRows: 20, eventRows: 2 };
    const rec = recorder({ runsDir: join(b, ".."), runId: "same" });
    await expect(rec.start({ ...startInfo("same"), resumedFrom: point })).rejects.toThrow(/copied in from another capsule/);
    expect(fileHashes(b)).toEqual(before);
  });

  test("a schema_version 1 capsule (no capsule_id) still resumes, and is upgraded when it does", async () => {
    const runsDir = tempRunsDir("legacy");
    const dir = await cancelled(runsDir, "old");
    for (const c of listCheckpoints(dir)) {
      const { header, arrays } = decodeCheckpoint(readFileSync(c.path), c.path);
      const { arrays: _entries, capsule_id: _id, ...rest } = header;
      writeFileSync(c.path, Buffer.concat(encodeCheckpoint({ ...rest, schema_version: 1 }, arrays)));
    }
    editManifest(dir, /^capsule_id = .*\n/m, "");
    editManifest(dir, new RegExp(`^schema_version = ${SCHEMA_VERSION}$`, "m"), "schema_version = 1");
    await resumeToEnd(runsDir, "old");
    const m = loadRunManifest(dir);
    expect(m).toMatchObject({ schema_version: SCHEMA_VERSION, status: "FINISHED" });
    expect(m.capsule_id).toMatch(/^[0-9a-f]{32}$/);
    expect(readCheckpointFile(listCheckpoints(dir).at(-1)!.path).header.capsule_id).toBe(m.capsule_id);
  });
});

describe("readers refuse a capsule that is not what it claims", () => {
  test("a deleted manifest: an error naming it, never zero rows", async () => {
    const runsDir = tempRunsDir("nomanifest");
    await cancelled(runsDir, "good");
    const dir = await cancelled(runsDir, "lost");
    unlinkSync(join(dir, "manifest.toml"));
    const expected = `${join(dir, "manifest.toml")}: no manifest`;
    for (const target of [runsDir, dir, `${runsDir}/*`]) {
      const err = await refusal(() => queryRuns("SELECT count(*) AS n FROM telemetry", target));
      expect(err.code, target).toBe("MANIFEST_MISSING");
      expect(err.message, target).toContain(expected);
    }
    expect((await refusal(() => verifyCapsule(dir))).message).toContain(expected);
    expect((await refusal(() => resumeRun(dir))).message).toContain(expected);
  });

  test("an unknown schema_version names the version found and the versions accepted", async () => {
    const dir = await cancelled(tempRunsDir("v999"), "v");
    editManifest(dir, new RegExp(`^schema_version = ${SCHEMA_VERSION}$`, "m"), "schema_version = 999");
    const expected = `${join(dir, "manifest.toml")}: schema_version 999 is newer than this reader's schema_version ${SCHEMA_VERSION}`;
    expect((await refusal(() => queryRuns("SELECT 1", dir))).message).toContain(expected);
    expect((await refusal(() => verifyCapsule(dir))).message).toContain(expected);
    expect((await refusal(() => loadRunManifest(dir))).message).toContain(expected);
  });

  test("a manifest dtype that disagrees with the checkpoints or with the Parquet metadata names both files", async () => {
    const dir = await cancelled(tempRunsDir("dtype"), "d");
    editManifest(dir, /^dtype = "float64"$/m, 'dtype = "float32"');
    const ckpt = await refusal(() => loadRunManifest(dir));
    expect(ckpt.code).toBe("CAPSULE_DTYPE_MISMATCH");
    expect(ckpt.message).toMatch(new RegExp(`manifest.toml says dtype float32, but ${dir}/(checkpoints/ckpt-\\d+|artifacts/final_state)\\.cfck holds "float64" arrays`));
    // without checkpoints the Parquet files still disagree
    rmSync(join(dir, "checkpoints"), { recursive: true });
    rmSync(join(dir, "artifacts"), { recursive: true });
    const table = await refusal(() => queryRuns("SELECT count(*) FROM telemetry", dir));
    expect(table.code).toBe("CAPSULE_DTYPE_MISMATCH");
    expect(table.message).toBe(`${join(dir, "telemetry.parquet")}: key-value metadata dtype = "float64", but ${join(dir, "manifest.toml")} says float32`);
  });
});
