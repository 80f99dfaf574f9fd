import type { AnyCommand } from "./command.js";
import { batchCommand } from "./commands/batch.js";
import { certCommand } from "./commands/cert.js";
import { examplesCommand } from "./commands/examples.js";
import { inspectCommand } from "./commands/inspect.js";
import { lintCommand } from "./commands/lint.js";
import { newCommand } from "./commands/new.js";
import { pluginsCommand } from "./commands/plugins.js";
import { queryCommand } from "./commands/query.js";
import { reportCommand } from "./commands/report.js";
import { resumeCommand } from "./commands/resume.js";
import { runCommand } from "./commands/run.js";
import { sweepCommand } from "./commands/sweep.js";
import { workerCommand } from "./commands/worker.js";

/** Every `cflow` command, in the order `cflow --help` lists them. */
export const COMMANDS: readonly AnyCommand[] = [
  runCommand,
  certCommand,
  lintCommand,
  resumeCommand,
  sweepCommand,
  batchCommand,
  workerCommand,
  inspectCommand,
  queryCommand,
  reportCommand,
  pluginsCommand,
  examplesCommand,
  newCommand,
];
