// SIGKILL at chosen moments — after a row, in the middle of a flush, in the middle of a checkpoint,
// spread over the run: after every kill the capsule opens (valid manifest, every flushed row
// readable by DuckDB, the newest checkpoint loads or an older one is used with a warning), and the
// resumed run's record equals an uninterrupted run's apart from wall-clock columns. The child kills
// itself when it reaches its kill point, so no kill depends on the machine's speed.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { listCheckpoints, loadRunManifest, queryRuns, readRunLog, resumeRun } from "../src/index.js";
import { type KillHow, recordSyntheticRun } from "./crash-run.js";
import { tempRunsDir } from "./fixtures.js";

const ITERS = 80;
const CHILD = join(__dirname, "crash-child.ts");

/** Kill points (crash-child.ts): how and at which row; checkpoints are written at rows ≡ 7 (mod 8). */
const KILLS: [how: KillHow, at: number][] = [
  ["row", 3], // before the first checkpoint: nothing to resume from
  ["flush", 12],
  ["checkpoint", 23],
  ["row", 30],
  ["checkpoint", 39],
  ["flush", 50],
  ["checkpoint", 63],
  ["row", 75],
];

interface ChildResult {
  lines: string[];
  killed: boolean;
}

/** Runs the child (argv: runsDir runId iters how at) to its kill point, or to its end. */
function runChild(args: string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, ...args], { cwd: join(__dirname, ".."), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL" || code === 0) resolve({ lines: out.split("\n").filter(Boolean), killed: signal === "SIGKILL" });
      else reject(new Error(`child exited ${code}: ${err}`));
    });
  });
}

function lastReported(lines: string[], tag: "F" | "C"): number {
  const v = lines.filter((l) => l.startsWith(`${tag} `)).map((l) => Number(l.slice(2)));
  return v.length ? v[v.length - 1] : -1;
}

async function recordOf(runDir: string) {
  const strip = (rows: Record<string, unknown>[]) => rows.map(({ run_id: _r, t_wall_ms: _t, ...rest }) => rest);
  return {
    telemetry: strip(await queryRuns("SELECT * FROM telemetry", [runDir])),
    events: strip(await queryRuns("SELECT * FROM events", [runDir])),
  };
}

describe("crash safety (child processes killed with SIGKILL)", () => {
  test("every kill point leaves an openable capsule, and resume reproduces the uninterrupted record", async () => {
    const runsDir = tempRunsDir("crash");
    await recordSyntheticRun({ runsDir, runId: "reference", mode: "fresh", iters: ITERS });
    const reference = await recordOf(join(runsDir, "reference"));
    expect(reference.telemetry).toHaveLength(ITERS);

    // the children are independent capsules: they run at once (each kills itself at its point)
    const ended = await Promise.all(KILLS.map(([how, at], k) => runChild([runsDir, `kill-${k}`, String(ITERS), how, String(at)])));
    let resumed = 0;
    let fellBack = 0;
    for (const [k, [how, at]] of KILLS.entries()) {
      const id = `kill-${k}`;
      const dir = join(runsDir, id);
      const { lines, killed } = ended[k];
      expect(killed, `kill ${how} ${at}`).toBe(true);

      const manifest = loadRunManifest(dir);
      expect(manifest.run_id).toBe(id);
      const iters = (await queryRuns("SELECT iter FROM telemetry", [dir])).map((r) => r.iter);
      // Rows are a prefix 0..m of the run that covers everything the child reported durable.
      expect(iters).toEqual([...Array(iters.length).keys()]);
      expect(iters.length).toBeGreaterThanOrEqual(lastReported(lines, "F") + 1);
      expect(iters.length).toBeLessThanOrEqual(at + 1);
      expect(manifest.status).toBe("RUNNING");

      const checkpoints = listCheckpoints(dir);
      if (at < 7) {
        expect(checkpoints).toEqual([]);
        expect(lastReported(lines, "C")).toBe(-1);
        expect(() => resumeRun(dir)).toThrow(/no checkpoint to resume from/);
        continue;
      }
      const newest = resumeRun(dir);
      expect(newest.iter).toBeGreaterThanOrEqual(lastReported(lines, "C"));
      if (k % 2 === 1 && checkpoints.length >= 2) {
        // A torn newest checkpoint: resume must take the previous one and log a warning.
        truncateSync(checkpoints[checkpoints.length - 1].path, Math.floor(readFileSync(checkpoints[checkpoints.length - 1].path).length / 2));
        const older = resumeRun(dir);
        expect(older.iter).toBe(newest.iter - 8);
        expect(readRunLog(dir).some((l) => l.level === "warn" && l.code === "CHECKPOINT_CORRUPT")).toBe(true);
        fellBack++;
      }
      // the resume runs here: no crash is planned for it
      await recordSyntheticRun({ runsDir, runId: id, mode: "resume", iters: ITERS });
      expect(loadRunManifest(dir).status).toBe("FINISHED");
      expect(existsSync(join(dir, "telemetry.parts"))).toBe(false);
      expect(await recordOf(dir)).toEqual(reference);
      resumed++;
    }
    // every kill after the first checkpoint resumed; the odd ones with two checkpoints fell back once
    expect(resumed).toBe(KILLS.length - 1);
    expect(fellBack).toBe(3);
  });
});
