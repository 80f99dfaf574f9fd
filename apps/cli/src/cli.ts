#!/usr/bin/env node
import { main } from "./main.js";

// The first Ctrl-C asks the running command to stop cleanly (a run ends CANCELLED with a valid
// capsule); a second one exits at once.
const controller = new AbortController();
process.on("SIGINT", () => {
  if (controller.signal.aborted) process.exit(130);
  controller.abort(new Error("SIGINT"));
});

process.exitCode = await main(process.argv.slice(2), { signal: controller.signal });
