import { existsSync, readFileSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningCflow, cflow, cli, startCflow, tempDir, writeSweepSpec } from "./helpers.js";
import { type TestRedis, freePort, startRedis } from "./redis-server.js";

// The queue tests start their own redis-server (Debian's package; .ci/run installs it).

/** Polls `probe` until it returns a value (a file appearing, a status written): waiting on an event, bounded by the test's timeout. */
async function until<T>(probe: () => T | undefined | null | false): Promise<T> {
  for (;;) {
    const v = probe();
    if (v) return v;
    await sleep(20);
  }
}

/** The sweep directory `cflow sweep --out <out>` created (the one holding sweep.toml). */
function sweepDirIn(out: string): string | undefined {
  if (!existsSync(out)) return undefined;
  const d = readdirSync(out).find((n) => existsSync(join(out, n, "sweep.toml")));
  return d ? join(out, d) : undefined;
}

/** Highest checkpoint number written so far in each capsule of a sweep. */
function checkpointsOf(sweepDir: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const name of readdirSync(sweepDir)) {
    const dir = join(sweepDir, name, "checkpoints");
    if (!existsSync(dir)) continue;
    const seqs = readdirSync(dir).map((f) => /^ckpt-(\d+)\.cfck$/.exec(f)?.[1]).filter((s): s is string => s !== undefined).map(Number);
    if (seqs.length) out.set(name, Math.max(...seqs));
  }
  return out;
}

/** The process group of a pid (`/proc/<pid>/stat`, field 5). */
function processGroup(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
}

interface SweepJson {
  exit_code: number;
  sweep_dir: string;
  runs: { index: number; run_id: string; run_dir: string; status: string; phase: string; iters: number; energy: number; exit_code: number }[];
}

function parsed(r: { stdout: string; stderr: string }): SweepJson {
  try {
    return (JSON.parse(r.stdout) as { result: SweepJson }).result;
  } catch {
    throw new Error(`not a JSON document:\n${r.stdout}\n${r.stderr}`);
  }
}

async function runsView(sweepDir: string): Promise<{ run_id: string; status: string; final_energy: number; resumes: number }[]> {
  const q = await cflow(["query", "SELECT run_id, status, final_energy, resumes FROM runs ORDER BY run_id", sweepDir, "--json"]);
  expect(q.code, q.stderr).toBe(0);
  return (JSON.parse(q.stdout) as { result: { run_id: string; status: string; final_energy: number; resumes: number }[] }).result;
}

describe("sweeps through a Redis queue (BullMQ)", () => {
  const dir = tempDir("queue");
  const spec = writeSweepSpec(dir);
  const workers: RunningCflow[] = [];
  let redis: TestRedis | undefined;

  beforeAll(async () => {
    redis = await startRedis(join(dir, "redis"));
  });

  afterAll(async () => {
    for (const w of workers) {
      try {
        process.kill(-w.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await redis?.stop();
  });

  it("a worker (or a sweep) that cannot reach Redis fails at once with an error naming the URL", async () => {
    const url = `redis://127.0.0.1:${await freePort()}/0`;
    const w = await cflow(["worker", "--queue", url, "--connect-timeout", "5s"], { killAfterMs: 120_000 });
    expect(w.signal).toBeNull();
    expect(w.code).toBe(69);
    expect(w.stderr).toContain(`cannot reach the Redis queue at ${url}`);
    expect(w.stderr).toMatch(/ECONNREFUSED/);
    const s = await cflow(["sweep", spec, "--grid", "weight=0.1,0.2", "--queue", url, "--out", join(dir, "unreachable"), "--json"], { killAfterMs: 120_000 });
    expect(s.code).toBe(69);
    expect((JSON.parse(s.stdout) as { error: { code: string; message: string } }).error).toMatchObject({ code: "QUEUE_UNREACHABLE", message: expect.stringContaining(url) });
    // a server that accepts the connection and never answers: the worker gives up after --connect-timeout
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const mute = `redis://127.0.0.1:${(silent.address() as { port: number }).port}/0`;
    const hung = await cflow(["worker", "--queue", mute, "--connect-timeout", "1s"], { killAfterMs: 120_000 });
    silent.close();
    expect(hung.signal).toBeNull();
    expect(hung.code).toBe(69);
    expect(hung.stderr).toContain(`cannot reach the Redis queue at ${mute}`);
    // a password never appears in a message
    const secret = await cli(["worker", "--queue", url.replace("redis://", "redis://:s3cret@"), "--json"]);
    expect(secret.code).toBe(69);
    expect(secret.stdout).toContain(url.replace("redis://", "redis://:***@"));
    expect(secret.stdout).not.toContain("s3cret");
    const bad = await cflow(["worker", "--queue", "http://127.0.0.1:6379"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("http: is not a Redis URL");
  });

  it("two workers, one killed with SIGKILL mid-run: the run is resumed by the other, every run FINISHED once, bit-identical to the local sweep", async () => {
    const args = [spec, "--grid", "weight=0.05,0.2", "--param", "iters=5000", "--deterministic"];
    const local = await cflow(["sweep", ...args, "--workers", "2", "--out", join(dir, "local"), "--json"]);
    expect(local.code, local.stderr).toBe(0);
    const localRuns = parsed(local).runs;
    expect(localRuns.map((r) => r.status)).toEqual(["FINISHED", "FINISHED"]);

    const url = redis!.url;
    for (let k = 0; k < 2; k++) workers.push(startCflow(["worker", "--queue", url, "--lock-duration", "2s"], { cwd: dir, detached: true }));
    await Promise.all(workers.map((w) => w.stderrMatches(/takes runs from/)));
    const out = join(dir, "queued");
    const sweep = cflow(["sweep", ...args, "--queue", url, "--out", out, "--json"], { cwd: dir });
    const sweepDir = await until(() => sweepDirIn(out));
    // a capsule four checkpoints in (iteration 750 of 5000): its worker dies with everything it started
    const victim = await until(() => [...checkpointsOf(sweepDir)].find(([, seq]) => seq >= 4)?.[0]);
    const holder = (JSON.parse(readFileSync(join(sweepDir, victim, "lock"), "utf8")) as { pid: number }).pid;
    const group = processGroup(holder);
    const killed = workers.find((w) => w.pid === group)!;
    expect(killed, "the lock holder belongs to one of the two workers").toBeDefined();
    process.kill(-group, "SIGKILL");
    expect((await killed.done).signal).toBe("SIGKILL");
    const manifestAtKill = readFileSync(join(sweepDir, victim, "manifest.toml"), "utf8");
    expect(manifestAtKill).toMatch(/status = "RUNNING"/);

    const r = await sweep;
    expect(r.code, r.stderr).toBe(0);
    const queued = parsed(r);
    expect(queued.runs.map((x) => [x.status, x.phase, x.iters])).toEqual(localRuns.map((x) => [x.status, x.phase, x.iters]));

    // every run exactly once in the runs view, FINISHED; the killed one resumed from its checkpoint
    const view = await runsView(sweepDir);
    expect(view.map((v) => v.run_id)).toEqual(queued.runs.map((x) => x.run_id).sort());
    expect(view.every((v) => v.status === "FINISHED")).toBe(true);
    expect(view.find((v) => v.run_id === victim)!.resumes).toBeGreaterThanOrEqual(1);
    const log = readFileSync(join(sweepDir, victim, "logs.ndjson"), "utf8");
    expect(log).toContain("CAPSULE_LOCK_STALE");
    // bit-identical to the undisturbed local sweep: final states byte for byte, energies exactly
    for (const [i, x] of queued.runs.entries()) {
      expect(x.energy).toBe(localRuns[i].energy);
      const a = readFileSync(join(x.run_dir, "artifacts", "result.npy"));
      const b = readFileSync(join(localRuns[i].run_dir, "artifacts", "result.npy"));
      expect(a.equals(b), `run ${i}: result.npy differs`).toBe(true);
    }
    const survivor = workers.find((w) => w !== killed)!;
    survivor.kill("SIGTERM");
    const stopped = await survivor.done;
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).toContain(`run ${victim} started (attempt`);
  });

  it("Redis restarted mid-sweep: the jobs survive in its AOF and the sweep completes, each run once", async () => {
    const url = redis!.url;
    const worker = startCflow(["worker", "--queue", url], { cwd: dir, detached: true });
    workers.push(worker);
    await worker.stderrMatches(/takes runs from/);
    const out = join(dir, "restart");
    const sweep = startCflow(["sweep", spec, "--grid", "weight=0.05,0.2", "--param", "iters=1500", "--deterministic", "--queue", url, "--out", out], { cwd: dir });
    await sweep.stderrMatches(/sweep 1\/2 done/);
    await redis!.stop();
    await redis!.start();
    const r = await sweep.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("2/2 runs GREEN");
    const sweepDir = sweepDirIn(out)!;
    const view = await runsView(sweepDir);
    expect(view).toHaveLength(2);
    expect(view.every((v) => v.status === "FINISHED")).toBe(true);
    worker.kill("SIGTERM");
    expect((await worker.done).code).toBe(0);
  });
});
