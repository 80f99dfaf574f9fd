// Child process of crash.test.ts: the synthetic run of crash-run.ts, killing itself at its kill
// point (argv: runsDir runId iters how at), progress on stdout.
import { type KillHow, recordSyntheticRun } from "./crash-run.js";

const [runsDir, runId, iters, how, at] = process.argv.slice(2);
await recordSyntheticRun({ runsDir, runId, mode: "fresh", iters: Number(iters), kill: { how: how as KillHow, at: Number(at) }, say: (line) => process.stdout.write(`${line}\n`) });
