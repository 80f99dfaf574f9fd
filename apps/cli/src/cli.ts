#!/usr/bin/env node
import { EXIT_CODES } from "./exit-codes.js";
import { main } from "./main.js";

// SIGINT (Ctrl-C), SIGTERM (kill, a supervisor stopping the job) and SIGHUP (the terminal closed)
// all ask the running command to stop cleanly: a run ends CANCELLED with a valid capsule and its
// report, exit code 130. A second signal exits at once.
const controller = new AbortController();
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    if (controller.signal.aborted) process.exit(EXIT_CODES.CANCELLED.code);
    controller.abort(new Error(signal));
  });
}

// When the terminal or the pipe reading the output is gone (a hang-up, `cflow query ... | head`),
// writes fail with EPIPE or EIO: the output cannot be delivered, but the command must still finish
// — a cancelled run still closes its capsule — and exit with its own code.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE" && err.code !== "EIO") throw err;
  });
}

process.exitCode = await main(process.argv.slice(2), { signal: controller.signal });
