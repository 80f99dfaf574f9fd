// The capsule through the binary: one writer at a time (two concurrent resumes), resume in the
// directory given and nowhere else, a FINISHED run left byte for byte, a damaged table never costing
// the finished record, no write through a link, a read-only query, and honest capsule loading in
// every command.
import { createHash } from "node:crypto";
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, statSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { loadRunManifest, queryRuns } from "@cflow/recorder";
import { beforeAll, describe, expect, it } from "vitest";
import { EXIT_CODES } from "../src/exit-codes.js";
import { capsuleOf, cflow, cli, startCflow, tempDir, writeLifecycleSpec } from "./helpers.js";

const dir = tempDir("capsule-safety");
const SPEC = writeLifecycleSpec(dir);

/** Hash of every file of a capsule, by relative path (links recorded as links). */
function hashes(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string, rel: string) => {
    for (const d of readdirSync(p, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) walk(join(p, d.name), r);
      else out[r] = d.isSymbolicLink() ? "link" : createHash("sha256").update(readFileSync(join(p, d.name))).digest("hex");
    }
  };
  walk(root, "");
  return out;
}

let copies = 0;
/** A copy of `capsule` in a fresh runs directory, under the same name (or `name`). */
function copyOf(capsule: string, name = basename(capsule)): string {
  const to = join(dir, `copy-${++copies}`, name);
  cpSync(capsule, to, { recursive: true });
  return to;
}

let cancelled = "";
let finished = "";

beforeAll(async () => {
  const cut = await cflow(["run", SPEC, "--out", join(dir, "runs")], { signalWhen: { stderr: /^GREEN /m, signal: "SIGINT" } });
  expect(cut.code).toBe(EXIT_CODES.CANCELLED.code);
  cancelled = capsuleOf(cut);
  const done = await cflow(["run", SPEC, "--param", "iters=80", "--out", join(dir, "runs")]);
  expect(done.code).toBe(0);
  finished = capsuleOf(done);
});

describe("one writer per capsule", () => {
  it("two concurrent resumes of one capsule: exactly one proceeds, the other is refused naming the holder (exit 75)", async () => {
    const capsule = copyOf(cancelled);
    const from = loadRunManifest(capsule).summary!.iters;
    const first = startCflow(["resume", capsule]); // no budget of its own: runs until Ctrl-C
    await first.stderrMatches(/^GREEN /m); // the first holds the lock and is polishing
    const second = await cflow(["resume", capsule]);
    expect(second.code).toBe(EXIT_CODES.LOCKED.code);
    expect(second.stderr).toContain("[CAPSULE_LOCKED]");
    expect(second.stderr).toContain(`${capsule}: the capsule is in use — locked by pid ${first.pid} on ${hostname()} (cflow resume) since `);
    expect(second.stderr).not.toMatch(/\n\s+at /);
    first.kill("SIGINT");
    const one = await first.done;
    expect(one.code).toBe(EXIT_CODES.CANCELLED.code);

    const m = loadRunManifest(capsule);
    expect(m.resumes).toHaveLength(1);
    // one row per step (certificate evaluations add a row of their own at their iteration)
    const [t] = (await queryRuns(
      "SELECT count(*) AS steps, count(DISTINCT iter) AS iters, min(iter) AS lo, max(iter) AS hi FROM telemetry WHERE notes IS NULL",
      capsule,
    )) as { steps: number; iters: number; lo: number; hi: number }[];
    expect(t.steps).toBe(t.iters); // no iteration recorded twice
    expect(t.iters).toBe(t.hi - t.lo + 1); // and none missing
    expect(t.hi).toBe(m.summary!.iters);
    expect(t.hi).toBeGreaterThan(from);
    expect(existsSync(join(capsule, "lock"))).toBe(false);
  });

  it("a lock left by a process that died is taken over with a warning; another host's only with --break-lock", async () => {
    const capsule = copyOf(cancelled);
    const dead = { pid: 2 ** 22 + 17, host: hostname(), started_at: "2025-01-01T00:00:00.000Z", command: "cflow resume", token: "x" };
    writeFileSync(join(capsule, "lock"), JSON.stringify(dead));
    const target = loadRunManifest(capsule).summary!.iters + 5;
    const r = await cflow(["resume", capsule, "--max-iters", String(target)]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`took over the capsule's lock from pid ${dead.pid} on ${hostname()} (cflow resume, since 2025-01-01T00:00:00.000Z): that process is no longer running`);

    writeFileSync(join(capsule, "lock"), JSON.stringify({ ...dead, pid: 1, host: "elsewhere" }));
    const refused = await cli(["report", capsule]);
    expect(refused.code).toBe(EXIT_CODES.LOCKED.code);
    expect(refused.stderr).toContain("locked by pid 1 on elsewhere (cflow resume) since 2025-01-01T00:00:00.000Z; held from another host");
    expect(refused.stderr).toContain("--break-lock");
    expect((await cli(["report", capsule, "--break-lock"])).code).toBe(0);
    expect(existsSync(join(capsule, "lock"))).toBe(false);
  });
});

describe("resume works in the directory it is given", () => {
  it("a capsule moved elsewhere is continued where it is; the original is not touched", async () => {
    const original = hashes(cancelled);
    const capsule = copyOf(cancelled);
    const target = loadRunManifest(capsule).summary!.iters + 10;
    const r = await cflow(["resume", capsule, "--max-iters", String(target)]);
    expect(r.code).toBe(0);
    expect(capsuleOf(r)).toBe(capsule);
    expect(loadRunManifest(capsule).summary!.iters).toBe(target);
    expect(hashes(cancelled)).toEqual(original);
  });

  it("a copy under another name is refused naming both; neither capsule changes", async () => {
    const original = hashes(cancelled);
    const copy = copyOf(cancelled, `${basename(cancelled)}.bak`);
    const before = hashes(copy);
    const r = await cflow(["resume", copy]);
    expect(r.code).toBe(EXIT_CODES.INPUT.code);
    expect(r.stderr).toContain("[RUN_DIR_MISMATCH]");
    expect(r.stderr).toContain(`the manifest says run "${basename(cancelled)}" but the directory is "${basename(copy)}"`);
    expect(hashes(copy)).toEqual(before);
    expect(hashes(cancelled)).toEqual(original);
  });

  it("a FINISHED run is a no-op that says so, every file unchanged; --continue-iterations extends it", async () => {
    const capsule = copyOf(finished);
    const before = hashes(capsule);
    const r = await cflow(["resume", capsule]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`run ${basename(capsule)} is FINISHED (80 iterations): nothing to resume — the capsule is unchanged`);
    expect(hashes(capsule)).toEqual(before);
    const more = await cflow(["resume", capsule, "--continue-iterations", "7"]);
    expect(more.code).toBe(0);
    expect(loadRunManifest(capsule)).toMatchObject({ status: "FINISHED", summary: { iters: 87 } });
    expect((await cli(["resume", capsule, "--continue-iterations", "7", "--max-iters", "9"])).code).toBe(EXIT_CODES.USAGE.code);
  });
});

describe("a damaged table never costs the finished record", () => {
  it.each(["telemetry.parquet", "events.parquet"])("truncated %s: every command names it (exit 6); resume writes nothing", async (file) => {
    const capsule = copyOf(cancelled);
    const path = join(capsule, file);
    truncateSync(path, Math.floor(statSync(path).size / 2));
    const before = hashes(capsule);
    const r = await cflow(["resume", capsule]);
    expect(r.code).toBe(EXIT_CODES.INPUT.code);
    expect(r.stderr).toContain(`[CAPSULE_TABLE_DAMAGED] ${path}: the ${file.replace(".parquet", "")} table file is damaged`);
    expect(hashes(capsule)).toEqual(before);
    expect(loadRunManifest(capsule)).toMatchObject({ status: "CANCELLED", summary: { status: "CANCELLED" } });
    for (const args of [["inspect", capsule], ["report", capsule], ["query", "SELECT count(*) FROM events", capsule]]) {
      const x = await cli(args);
      expect(x.code, args[0]).toBe(EXIT_CODES.INPUT.code);
      expect(x.stderr, args[0]).toContain(`${path}: the ${file.replace(".parquet", "")} table file is damaged`);
      expect(x.stderr, args[0]).not.toContain("internal error");
    }
    expect(hashes(capsule)).toEqual(before);
  });
});

describe("writes stay in the capsule", () => {
  /** Moves `rel` out of the capsule (or makes an outside file) and links it back in; returns the outside path. */
  function plantLink(capsule: string, rel: string): string {
    const outside = join(tempDir("outside"), rel.replace(/\//g, "_"));
    const inside = join(capsule, rel);
    if (existsSync(inside)) renameSync(inside, outside);
    else writeFileSync(outside, "someone else's file\n");
    symlinkSync(outside, inside);
    return outside;
  }

  it.each(["report.html", "artifacts", "artifacts/result.npy", "artifacts/input.npy", "logs.ndjson", "manifest.toml", "checkpoints", "lock"])(
    "%s linked outside: cflow report is refused and the target is untouched",
    async (rel) => {
      const capsule = copyOf(finished);
      const outside = plantLink(capsule, rel);
      const before = statSync(outside).isDirectory() ? hashes(outside) : { ".": createHash("sha256").update(readFileSync(outside)).digest("hex") };
      const r = await cli(["report", capsule]);
      expect(r.code).toBe(EXIT_CODES.INPUT.code);
      expect(r.stderr).toContain(`[CAPSULE_LINK] ${join(capsule, rel)}: `);
      expect(r.stderr).toContain(`is a symbolic link (to ${outside}); cflow never writes through a link in a run capsule`);
      const after = statSync(outside).isDirectory() ? hashes(outside) : { ".": createHash("sha256").update(readFileSync(outside)).digest("hex") };
      expect(after).toEqual(before);
    },
  );

  it.each(["logs.ndjson", "checkpoints", "artifacts", "telemetry.parquet"])("%s linked outside: cflow resume is refused before it writes", async (rel) => {
    const capsule = copyOf(cancelled);
    const outside = plantLink(capsule, rel);
    const before = statSync(outside).isDirectory() ? hashes(outside) : { ".": createHash("sha256").update(readFileSync(outside)).digest("hex") };
    const r = await cflow(["resume", capsule]);
    expect(r.code).toBe(EXIT_CODES.INPUT.code);
    expect(r.stderr).toContain(`${join(capsule, rel)}: `);
    expect(r.stderr).toContain("is a symbolic link");
    const after = statSync(outside).isDirectory() ? hashes(outside) : { ".": createHash("sha256").update(readFileSync(outside)).digest("hex") };
    expect(after).toEqual(before);
  });
});

describe("cflow query is read-only", () => {
  const probes: [string, string][] = [
    ["read_csv", "SELECT * FROM read_csv('/etc/passwd', sep = ':')"],
    ["read_text", "SELECT * FROM read_text('/etc/passwd')"],
    ["glob", "SELECT * FROM glob('/etc/*')"],
    ["COPY … TO", `COPY (SELECT * FROM telemetry) TO '${join(tmpdir(), "cflow-query-x.csv")}'`],
    ["ATTACH", `ATTACH '${join(tmpdir(), "cflow-query-x.db")}'`],
    ["INSTALL", "INSTALL httpfs"],
    ["LOAD", "LOAD httpfs"],
    ["EXPORT DATABASE", `EXPORT DATABASE '${join(tmpdir(), "cflow-query-export")}'`],
    ["SET", "SET enable_external_access = true"],
    ["PRAGMA", "PRAGMA enable_profiling"],
    ["a second statement", "SELECT 1; SELECT 2"],
  ];

  it.each(probes)("%s is refused with a clear message (exit 6)", async (_, sql) => {
    const r = await cli(["query", sql, finished]);
    expect(r.code).toBe(EXIT_CODES.INPUT.code);
    expect(r.stderr).toMatch(/^error \[QUERY_REFUSED\] cflow query is read-only: /);
    expect(r.stderr).not.toContain("internal error");
    for (const f of ["cflow-query-x.csv", "cflow-query-x.db", "cflow-query-export"]) expect(existsSync(join(tmpdir(), f))).toBe(false);
  });

  it("SELECTs over telemetry, events and runs still work", async () => {
    const r = await cli(["query", "SELECT r.status, count(DISTINCT t.iter) AS iters, max(t.iter) AS last FROM telemetry t JOIN runs r USING (run_id) GROUP BY r.status", finished, "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).result).toEqual([{ status: "FINISHED", iters: 80, last: 80 }]);
    const e = await cli(["query", "SELECT count(*) AS n FROM events WHERE event = 'RUN_FINISHED'", finished, "--json"]);
    expect(JSON.parse(e.stdout).result).toEqual([{ n: 1 }]);
  });
});

describe("honest capsule loading in every command", () => {
  const commands = (capsule: string) => [
    ["inspect", capsule],
    ["report", capsule],
    ["query", "SELECT count(*) FROM telemetry", capsule],
    ["resume", capsule],
  ];

  it("a deleted manifest: an error naming it, never zero rows", async () => {
    const capsule = copyOf(finished);
    unlinkSync(join(capsule, "manifest.toml"));
    for (const args of [...commands(capsule), ["query", "SELECT count(*) FROM telemetry", join(capsule, "..")]]) {
      const r = await cli(args);
      expect(r.code, args.join(" ")).toBe(EXIT_CODES.INPUT.code);
      expect(r.stderr, args.join(" ")).toContain(`[MANIFEST_MISSING] ${join(capsule, "manifest.toml")}: no manifest`);
    }
  });

  it("schema_version 999: an error naming the version found and the versions read", async () => {
    const capsule = copyOf(finished);
    const p = join(capsule, "manifest.toml");
    writeFileSync(p, readFileSync(p, "utf8").replace(/^schema_version = \d+$/m, "schema_version = 999"));
    const before = hashes(capsule);
    for (const args of commands(capsule)) {
      const r = await cli(args);
      expect(r.code, args[0]).toBe(EXIT_CODES.INPUT.code);
      expect(r.stderr, args[0]).toContain(`${p}: schema_version 999 is newer than this reader's schema_version`);
    }
    expect(hashes(capsule)).toEqual(before); // no new report.html, nothing resumed
  });

  it("a manifest dtype edited to disagree with the checkpoints and tables: an error naming both", async () => {
    const capsule = copyOf(finished);
    const p = join(capsule, "manifest.toml");
    writeFileSync(p, readFileSync(p, "utf8").replace(/^dtype = "float64"$/m, 'dtype = "float32"'));
    for (const args of commands(capsule)) {
      const r = await cli(args);
      expect(r.code, args[0]).toBe(EXIT_CODES.INPUT.code);
      expect(r.stderr, args[0]).toMatch(new RegExp(`\\[CAPSULE_DTYPE_MISMATCH\\] ${p} says dtype float32, but ${capsule}/\\S+ holds "float64" arrays`));
    }
  });
});
