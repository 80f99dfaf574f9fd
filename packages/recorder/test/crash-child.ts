// Child process of crash.test.ts: records a synthetic run (or resumes one) and reports progress
// on stdout — "F <iter>" once every row up to <iter> is durable, "C <iter>" once a checkpoint is.
// The parent SIGKILLs it at random moments.
import { recorder, resumeRun } from "../src/index.js";
import { checkpointAt, event, row, startInfo } from "./fixtures.js";

const [runsDir, runId, mode, itersArg] = process.argv.slice(2);
const ITERS = Number(itersArg);
const BIG = 300_000;

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const rec = recorder({ runsDir, runId, flushEveryRows: 5, flushEverySeconds: 0.05, keepCheckpoints: 2 });
let from = 0;
if (mode === "resume") {
  const r = resumeRun(`${runsDir}/${runId}`);
  from = r.iter + 1;
  await rec.start({ ...startInfo(runId), resumedFrom: r.resumePoint });
} else {
  await rec.start(startInfo(runId));
  rec.event(event(-1, "RUN_STARTED", { dtype: "float64", flow_family: "fista", deterministic: true }));
}
say("STARTED");
for (let i = from; i < ITERS; i++) {
  rec.telemetry(row(i));
  if (i % 9 === 4) rec.event(event(i, "TUNER_MOVE_TRY", { trial: i, note: "n" }));
  if (i % 8 === 7) {
    const c = checkpointAt("float64", i);
    const big = new Float64Array(BIG);
    big.fill(i);
    await rec.checkpoint({ ...c, arrays: { ...c.arrays, big } });
    say(`C ${i}`);
    say(`F ${i}`);
  } else if (rec.flushDue()) {
    await rec.flush();
    say(`F ${i}`);
  }
  await sleep(2);
}
rec.event(event(ITERS, "RUN_FINISHED", { status: "FINISHED", phase: "GREEN", iters: ITERS }));
await rec.finish({
  status: "FINISHED",
  phase: "GREEN",
  iters: ITERS,
  finalEnergy: 1,
  tWallMs: 0,
  runCard: { pass: true },
  stateSummary: {},
  finalState: { x: checkpointAt("float64", ITERS).arrays.x, q: checkpointAt("float64", ITERS).arrays.q },
});
say("DONE");
