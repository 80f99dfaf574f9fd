// SIGKILL at random moments: after every kill the capsule opens (valid manifest, every flushed
// row readable by DuckDB, the newest checkpoint loads or an older one is used with a warning), and
// the resumed run's record equals an uninterrupted run's apart from wall-clock columns.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { listCheckpoints, loadRunManifest, queryRuns, readRunLog, resumeRun } from "../src/index.js";
import { tempRunsDir } from "./fixtures.js";

const ITERS = 120;
const CHILD = join(__dirname, "crash-child.ts");

interface ChildResult {
  lines: string[];
  killed: boolean;
}

/** Runs the child; with `killAfterMs`, SIGKILLs it that long after it reports STARTED. */
function runChild(args: string[], killAfterMs?: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, ...args], { cwd: join(__dirname, ".."), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (killAfterMs !== undefined && timer === undefined && out.includes("STARTED\n")) timer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    });
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
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
    await runChild([runsDir, "reference", "fresh", String(ITERS)]);
    const reference = await recordOf(join(runsDir, "reference"));
    expect(reference.telemetry).toHaveLength(ITERS);

    // Kill delays spread over the run (≈ 0.4 s of iterations and checkpoints), deterministic.
    const delays = [15, 60, 110, 170, 230, 290, 360, 450];
    let resumed = 0;
    let fellBack = 0;
    for (const [k, delay] of delays.entries()) {
      const id = `kill-${k}`;
      const dir = join(runsDir, id);
      const { lines, killed } = await runChild([runsDir, id, "fresh", String(ITERS)], delay);

      const manifest = loadRunManifest(dir);
      expect(manifest.run_id).toBe(id);
      const iters = (await queryRuns("SELECT iter FROM telemetry", [dir])).map((r) => r.iter);
      // Rows are a prefix 0..m of the run that covers everything the child reported durable.
      expect(iters).toEqual([...Array(iters.length).keys()]);
      expect(iters.length).toBeGreaterThanOrEqual(lastReported(lines, "F") + 1);
      if (!killed) {
        expect(manifest.status).toBe("FINISHED");
        expect(await recordOf(dir)).toEqual(reference);
        continue;
      }
      expect(manifest.status).toBe("RUNNING");

      const checkpoints = listCheckpoints(dir);
      if (checkpoints.length === 0) {
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
      const done = await runChild([runsDir, id, "resume", String(ITERS)]);
      expect(done.lines.at(-1)).toBe("DONE");
      expect(loadRunManifest(dir).status).toBe("FINISHED");
      expect(existsSync(join(dir, "telemetry.parts"))).toBe(false);
      expect(await recordOf(dir)).toEqual(reference);
      resumed++;
    }
    expect(resumed).toBeGreaterThanOrEqual(4);
    expect(fellBack).toBeGreaterThanOrEqual(1);
  }, 90_000);
});
