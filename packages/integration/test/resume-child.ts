// Child process of resume.test.ts: a deterministic certified run of the story with the flight
// recorder, which SIGKILLs itself when its telemetry row number `killAtRow` is produced (a crash
// at that iteration: rows and checkpoints not yet flushed are lost). "DONE <rows>" if it never is.
import { runCertified } from "@cflow/core";
import { recorder } from "@cflow/recorder";
import { fda } from "@cflow/fda";
import { gapDial } from "@cflow/tuner";
import { RESUME_RECORDING, RESUME_RUN, resumeStory } from "./resume-problem.js";

const [runsDir, runId, killArg] = process.argv.slice(2);
const killAtRow = Number(killArg);

const { spec, compiled } = resumeStory();
let rows = 0;
await runCertified(compiled, {
  ...RESUME_RUN,
  certify: fda(),
  tune: gapDial(),
  sinks: [recorder({ runsDir, runId, ...RESUME_RECORDING }), { name: "rows", telemetry: () => {
    if (++rows === killAtRow) process.kill(process.pid, "SIGKILL");
  } }],
});
process.stdout.write(`DONE ${rows}\n`);
