// The synthetic run of crash.test.ts: records (or resumes) a run of `iters` rows, reporting progress
// through `say` — "F <iter>" once every row up to <iter> is durable, "C <iter>" once a checkpoint
// is. With a kill point (crash-child.ts only) the process SIGKILLs itself when it gets there, so
// the crash happens at a chosen moment whatever the machine's load:
//   row <k>         right after row k is appended (flushes queued by earlier rows may be running);
//   flush <k>       while the flush started after row k is writing;
//   checkpoint <k>  while the checkpoint of row k is being written (k ≡ 7 mod 8).
import { recorder, resumeRun } from "../src/index.js";
import { checkpointAt, event, row, startInfo } from "./fixtures.js";

export type KillHow = "row" | "flush" | "checkpoint";

export interface SyntheticRun {
  runsDir: string;
  runId: string;
  mode: "fresh" | "resume";
  iters: number;
  kill?: { how: KillHow; at: number };
  say?: (line: string) => void;
}

/** An extra array, so checkpoints are not trivially small. */
const BIG = 4_096;

/** Dies once the work just started is under way (one turn of the event loop), never returning. */
function dieSoon(): Promise<never> {
  setImmediate(() => process.kill(process.pid, "SIGKILL"));
  return new Promise<never>(() => {});
}

function checkpointOf(i: number) {
  const c = checkpointAt("float64", i);
  const big = new Float64Array(BIG);
  big.fill(i);
  return { ...c, arrays: { ...c.arrays, big } };
}

export async function recordSyntheticRun(o: SyntheticRun): Promise<void> {
  const say = o.say ?? (() => {});
  const killAt = o.kill?.at ?? -1;
  const how = o.kill?.how;
  // flushes every 5 rows (never on time: the flush points are the same on a busy machine)
  const rec = recorder({ runsDir: o.runsDir, runId: o.runId, flushEveryRows: 5, flushEverySeconds: 3600, keepCheckpoints: 2 });
  let from = 0;
  if (o.mode === "resume") {
    const r = resumeRun(`${o.runsDir}/${o.runId}`);
    from = r.iter + 1;
    await rec.start({ ...startInfo(o.runId), resumedFrom: r.resumePoint });
  } else {
    await rec.start(startInfo(o.runId));
    rec.event(event(-1, "RUN_STARTED", { dtype: "float64", flow_family: "fista", deterministic: true }));
  }
  say("STARTED");
  for (let i = from; i < o.iters; i++) {
    rec.telemetry(row(i));
    if (i % 9 === 4) rec.event(event(i, "TUNER_MOVE_TRY", { trial: i, note: "n" }));
    if (i === killAt && how === "row") process.kill(process.pid, "SIGKILL");
    if (i === killAt && how === "flush") {
      void rec.flush();
      await dieSoon();
    }
    if (i % 8 === 7) {
      if (i === killAt && how === "checkpoint") {
        void rec.checkpoint(checkpointOf(i));
        await dieSoon();
      }
      await rec.checkpoint(checkpointOf(i));
      say(`C ${i}`);
      say(`F ${i}`);
    } else if (rec.flushDue()) {
      await rec.flush();
      say(`F ${i}`);
    }
  }
  rec.event(event(o.iters, "RUN_FINISHED", { status: "FINISHED", phase: "GREEN", iters: o.iters }));
  await rec.finish({
    status: "FINISHED",
    phase: "GREEN",
    iters: o.iters,
    finalEnergy: 1,
    tWallMs: 0,
    runCard: { pass: true },
    stateSummary: {},
    finalState: { x: checkpointAt("float64", o.iters).arrays.x, q: checkpointAt("float64", o.iters).arrays.q },
  });
  say("DONE");
}
