import { existsSync, readFileSync } from "node:fs";
import type { Json } from "@cflow/core";
import { appendCapsuleFile, capsulePath } from "./capsule-files.js";
import { LOG_FILE } from "./capsule-layout.js";

export type LogLevel = "debug" | "info" | "warn" | "error";

/** One line of logs.ndjson (SCHEMA.md "Logs"). */
export interface LogLine {
  t: string;
  level: LogLevel;
  run_id: string;
  msg: string;
  [field: string]: Json;
}

/** Appends a structured line to `<runDir>/logs.ndjson` (one write call per line, O_APPEND, never through a link). */
export function appendRunLog(runDir: string, runId: string, level: LogLevel, msg: string, fields: { [key: string]: Json } = {}): void {
  const line: LogLine = { t: new Date().toISOString(), level, run_id: runId, msg };
  for (const [k, v] of Object.entries(fields)) if (!(k in line)) line[k] = v;
  appendCapsuleFile(runDir, LOG_FILE, `${JSON.stringify(line)}\n`);
}

/** The capsule's log lines; a line torn by a crash (the last one, unterminated) is skipped. */
export function readRunLog(runDir: string): LogLine[] {
  const path = capsulePath(runDir, LOG_FILE);
  if (!existsSync(path)) return [];
  const out: LogLine[] = [];
  for (const text of readFileSync(path, "utf8").split("\n")) {
    if (!text) continue;
    try {
      out.push(JSON.parse(text) as LogLine);
    } catch {
      // A kill can cut the last line short; every complete line is still valid JSON.
    }
  }
  return out;
}
