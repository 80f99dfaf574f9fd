export { main, type MainOptions } from "./main.js";
export { EXIT_CODES, type ExitCodeName, type RunStatus, exitCodeForRun } from "./exit-codes.js";
export { exitCodeForError, formatError, errorJson, type ErrorJson } from "./error-report.js";
export { UsageError } from "./usage-error.js";
export { IoError, toIoError } from "./io-error.js";
export { defineCommand, type CommandDef, type CommandContext, type CommandHandler, type FlagDef, type PositionalDef, type ParsedArgs, type Example } from "./command.js";
export { COMMANDS } from "./command-list.js";
export { parseArgs } from "./args.js";
export { parseDuration } from "./duration.js";
export { Output, type OutStream } from "./output.js";
export { createStyle, type Style } from "./style.js";
export { renderCommandHelp, renderRootHelp } from "./help.js";
export type { SpecOptions, BudgetOptions } from "./run-options.js";
export { runCommand, type RunCommandOptions } from "./commands/run.js";
export { certCommand, type CertCommandOptions } from "./commands/cert.js";
export { lintCommand, type LintCommandOptions } from "./commands/lint.js";
export { resumeCommand, type ResumeCommandOptions } from "./commands/resume.js";
export { sweepCommand, type SweepCommandOptions } from "./commands/sweep.js";
export { batchCommand, type BatchCommandOptions } from "./commands/batch.js";
export { workerCommand, type WorkerCommandOptions } from "./commands/worker.js";
export { inspectCommand, type InspectCommandOptions } from "./commands/inspect.js";
export { queryCommand, type QueryCommandOptions } from "./commands/query.js";
export { pluginsCommand, type PluginsCommandOptions } from "./commands/plugins.js";
export { reportCommand, type ReportCommandOptions } from "./commands/report.js";
export { examplesCommand, type ExamplesCommandOptions } from "./commands/examples.js";
export { newCommand, type NewCommandOptions } from "./commands/new.js";
export { loadPlugins, loadPlugin, isPlugin } from "./plugin-loader.js";
export { defineConfig, findConfigFile, loadConfig, CONFIG_FILES, type CflowConfig, type PluginOption } from "./cflow-config.js";
export { buildRunRegistry, runVersions, type RunRegistry, type PluginSources } from "./run-registry.js";
export { loadSpecModule, resolveSpecFile, type SpecDefinition } from "./spec/load-spec.js";
export { type LoadedArray } from "./data/loaded-array.js";
export { readNpy, parseNpy, encodeNpy, writeNpy, type NpyReadOptions } from "./data/npy.js";
export {
  readImage,
  readPng,
  parsePng,
  readJpeg,
  parseJpeg,
  readTiff,
  parseTiff,
  encodePng,
  writePng,
  encodeTiff,
  writeTiff,
  IMAGE_EXTENSIONS,
  type ImageReadOptions,
  type PngReadOptions,
  type PngWriteOptions,
  type TiffWriteOptions,
} from "./data/image.js";
export { readCsv, parseCsv, type CsvReadOptions, type LoadedTable } from "./data/csv.js";
export { loadArray, type LoadOptions } from "./data/load-array.js";
export { renderReport, type RenderReportOptions } from "./report/render-report.js";
export { renderSweepReport } from "./report/sweep-report.js";
export { readSweepFile, type SweepFile, type SweepRun, type SweepRunOptions } from "./sweep/sweep-file.js";
export { dataFit, type DataFit, type DataFitTerm } from "./run/data-fit.js";
export { readReportData } from "./report/read-capsule.js";
export type { ReportData, ReportManifest, TelemetryRecord, EventRecord, ReportImage, ReportPhase } from "./report/report-data.js";
export { listExamples, findExample, copyExample, type ExampleInfo } from "./examples-catalog.js";
export { ProgressDisplay, type ProgressOptions } from "./progress.js";
