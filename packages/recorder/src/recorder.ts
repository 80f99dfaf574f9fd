import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import {
  CflowError,
  DtypeError,
  dtypeOf,
  isDtype,
  newRunId,
  sameShape,
  ShapeError,
  shapeSize,
  type Checkpoint,
  type FlowEvent,
  type Json,
  type RunSink,
  type RunStartInfo,
  type RunSummary,
  type TelemetryRow,
} from "@cflow/core";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { name as packageName, version as packageVersion } from "../package.json";
import { capsulePath, ensureCapsuleDir, removeCapsuleFile, removeStaleTemps, writeCapsuleFile } from "./capsule-files.js";
import { ARTIFACT_DIR, CHECKPOINT_DIR, FINAL_STATE_FILE, RUN_CARD_FILE } from "./capsule-layout.js";
import { acquireCapsuleLock, type CapsuleLock } from "./capsule-lock.js";
import { checkCapsuleTables } from "./capsule-check.js";
import { encodeCheckpoint, readCheckpointFile, type CheckpointHeader } from "./checkpoint-file.js";
import { checkpointName, checkpointRel, checkpointSeq, listCheckpoints, newestGoodSeq, pruneCheckpoints } from "./checkpoint-store.js";
import { checkFlowEvent, checkTelemetryRow, EVENT_COLUMNS, TELEMETRY_COLUMNS } from "./columns.js";
import { initialManifest, loadRunManifest, newCapsuleId, writeManifest, type RunManifest, type StateStats } from "./manifest.js";
import { checkCheckpointBinding } from "./resume.js";
import { appendRunLog, type LogLevel } from "./run-log.js";
import { checkRunId, runDirFor } from "./run-id.js";
import { SCHEMA_VERSION } from "./schema-version.js";
import { TableWriter } from "./table-writer.js";

export interface RecorderOptions {
  /** Directory holding the run capsules (created if missing). */
  runsDir: string;
  /** The capsule's id; generated (UTC timestamp + random suffix) when absent. One safe path segment. */
  runId?: string;
  /** K: flush telemetry/events at least every K rows (default 10 000). */
  flushEveryRows?: number;
  /** T: flush at least every T seconds while rows are pending (default 5). */
  flushEverySeconds?: number;
  /** N: keep the newest N checkpoints, plus the newest good (GREEN) one (default 3). */
  keepCheckpoints?: number;
  /**
   * Redact the capsule whatever the controller asks (`RunStartInfo.redactArtifacts` is OR-ed with
   * this): no array data in checkpoints or artifacts, only summary statistics. For front ends that
   * decide privacy themselves (`cflow run --redact-artifacts`).
   */
  redactArtifacts?: boolean;
  /**
   * The capsule's lock, already taken by the caller (`withCapsuleLock`), for a front end whose
   * work around the run — reading the checkpoint before, writing a report after — must be under
   * the same lock. The recorder uses it and leaves releasing it to the caller. Without it the
   * recorder takes the lock at `start` and releases it when the run ends.
   */
  lock?: CapsuleLock;
}

export const RECORDER_DEFAULTS = { flushEveryRows: 10_000, flushEverySeconds: 5, keepCheckpoints: 3 } as const;

/** The flight recorder: a RunSink writing a run capsule under `runsDir/<runId>/` (SCHEMA.md). */
export function recorder(options: RecorderOptions): FlightRecorder {
  return new FlightRecorder(options);
}

export class FlightRecorder implements RunSink {
  readonly name = "recorder";
  readonly runId: string;
  readonly runDir: string;
  private readonly flushEveryRows: number;
  private readonly flushEverySeconds: number;
  private readonly keepCheckpoints: number;
  private readonly redactArtifacts: boolean;
  private state: "new" | "starting" | "running" | "finished" = "new";
  private info!: RunStartInfo;
  private manifest!: RunManifest;
  private db: DuckDBInstance | null = null;
  private connections: DuckDBConnection[] = [];
  private telemetryWriter!: TableWriter<TelemetryRow>;
  private eventWriter!: TableWriter<FlowEvent>;
  private timer: NodeJS.Timeout | null = null;
  private startedMs = 0;
  private checkpointSeq = 0;
  private goodSeq: number | null = null;
  private readonly givenLock: CapsuleLock | null;
  private lock: CapsuleLock | null = null;
  private startedOnce = false;

  constructor(options: RecorderOptions) {
    if (typeof options?.runsDir !== "string" || options.runsDir.length === 0) {
      throw new CflowError("BAD_OPTION", `recorder: runsDir expected a directory path, found ${JSON.stringify(options?.runsDir)}`, { path: "recorder.runsDir", expected: "a directory path", found: options?.runsDir });
    }
    this.runId = options.runId === undefined ? newRunId() : checkRunId(options.runId);
    this.runDir = runDirFor(options.runsDir, this.runId);
    this.flushEveryRows = positive("flushEveryRows", options.flushEveryRows ?? RECORDER_DEFAULTS.flushEveryRows, true);
    this.flushEverySeconds = positive("flushEverySeconds", options.flushEverySeconds ?? RECORDER_DEFAULTS.flushEverySeconds, false);
    this.keepCheckpoints = positive("keepCheckpoints", options.keepCheckpoints ?? RECORDER_DEFAULTS.keepCheckpoints, true);
    this.redactArtifacts = options.redactArtifacts === true;
    this.givenLock = options.lock ?? null;
  }

  /** True once `start` succeeded: the capsule holds this run's record. */
  get started(): boolean {
    return this.startedOnce;
  }

  async start(given: RunStartInfo): Promise<void> {
    const info = this.redactArtifacts ? { ...given, redactArtifacts: true } : given;
    if (this.state !== "new") throw new CflowError("RECORDER_STATE", `recorder ${this.runId}: start called twice`, { path: this.runDir });
    this.state = "starting";
    if (info.runId !== this.runId) {
      throw new CflowError("RUN_ID_MISMATCH", `recorder: the run is called ${JSON.stringify(info.runId)} but this recorder writes capsule ${JSON.stringify(this.runId)}; pass recorder.runId as RunStartInfo.runId`, {
        path: "RunStartInfo.runId",
        expected: this.runId,
        found: info.runId,
      });
    }
    if (!isDtype(info.dtype)) throw new CflowError("BAD_DTYPE", `recorder: dtype expected float32 | float64, found ${JSON.stringify(info.dtype)}`, { path: "RunStartInfo.dtype", found: info.dtype });
    this.info = info;
    const recording = {
      recorder: `${packageName}@${packageVersion}`,
      flush_every_rows: this.flushEveryRows,
      flush_every_seconds: this.flushEverySeconds,
      keep_checkpoints: this.keepCheckpoints,
    };
    try {
      this.db = await DuckDBInstance.create(":memory:", { threads: "1" });
      // One connection per table: their flushes run concurrently, and a connection runs one query at a time.
      this.connections = [await this.db.connect(), await this.db.connect()];
      if (info.resumedFrom) await this.reopen(info, recording);
      else this.create(info, recording);
      removeStaleTemps(this.runDir, CHECKPOINT_DIR);
      const metadata = { schema_version: String(SCHEMA_VERSION), dtype: info.dtype, run_id: this.runId };
      const everyMs = this.flushEverySeconds * 1000;
      this.telemetryWriter = new TableWriter("telemetry", TELEMETRY_COLUMNS, this.runDir, this.runId, this.connections[0], { ...metadata, cflow_table: "telemetry" }, this.flushEveryRows, everyMs);
      this.eventWriter = new TableWriter("events", EVENT_COLUMNS, this.runDir, this.runId, this.connections[1], { ...metadata, cflow_table: "events" }, this.flushEveryRows, everyMs);
      await this.telemetryWriter.open();
      await this.eventWriter.open();
      if (info.resumedFrom) await this.dropRecordAfter(info.resumedFrom.telemetryRows, info.resumedFrom.eventRows);
    } catch (e) {
      await this.close();
      throw e;
    }

    this.startedMs = Date.now();
    // Flushes on time even when the controller never asks (it only fires while the loop yields).
    this.timer = setInterval(() => this.flushIfDue(), Math.min(1000, (this.flushEverySeconds * 1000) / 2));
    this.timer.unref();
    this.state = "running";
    this.startedOnce = true;
    const replaced = this.lock?.replaced;
    if (replaced) {
      this.log("warn", "stale lock taken over: its owner is no longer running", { code: "CAPSULE_LOCK_STALE", pid: replaced.pid, host: replaced.host, since: replaced.started_at, command: replaced.command });
    }
    this.log("info", info.resumedFrom ? "run resumed" : "run started", { dtype: info.dtype, flow_family: info.flowFamily, ...(info.resumedFrom ? { from_checkpoint: info.resumedFrom.checkpoint, iter: info.resumedFrom.iter } : {}) });
  }

  telemetry(row: TelemetryRow): void {
    this.requireRunning("telemetry");
    checkTelemetryRow(row);
    this.telemetryWriter.append(row);
  }

  event(e: FlowEvent): void {
    this.requireRunning("event");
    checkFlowEvent(e);
    this.eventWriter.append(e);
  }

  flushDue(): boolean {
    if (this.state !== "running") return false;
    const now = Date.now();
    return this.telemetryWriter.due(now) || this.eventWriter.due(now);
  }

  async flush(): Promise<void> {
    this.requireRunning("flush");
    await Promise.all([this.telemetryWriter.flush(), this.eventWriter.flush()]);
  }

  /**
   * Writes a checkpoint atomically, then points the manifest at it, then prunes old ones. The
   * telemetry and events recorded so far are flushed first, so the checkpoint's row counts are
   * durable whenever the checkpoint is: a resume keeps exactly those rows.
   */
  async checkpoint(c: Checkpoint): Promise<void> {
    this.requireRunning("checkpoint");
    this.checkCheckpoint(c);
    const seq = this.checkpointSeq + 1;
    const name = checkpointName(seq);
    const redacted = this.info.redactArtifacts;
    this.eventWriter.append({ event: "CHECKPOINT_WRITTEN", iter: c.iter, tWallMs: Date.now() - this.startedMs, payload: { checkpoint: name, iter: c.iter, phase: c.phase, good: c.good, redacted } });
    await this.flush();
    const header: Omit<CheckpointHeader, "arrays"> = {
      schema_version: SCHEMA_VERSION,
      kind: "checkpoint",
      run_id: this.runId,
      capsule_id: this.manifest.capsule_id,
      seq,
      iter: c.iter,
      phase: c.phase,
      good: c.good,
      dtype: this.info.dtype,
      rng_key: [c.rngKey[0], c.rngKey[1]],
      controller_state: c.controllerState,
      tuner_state: c.tunerState,
      redacted,
      telemetry_rows: this.telemetryWriter.recorded,
      event_rows: this.eventWriter.recorded,
      created_at: new Date().toISOString(),
    };
    writeCapsuleFile(this.runDir, checkpointRel(name), encodeCheckpoint(header, c.arrays));
    this.checkpointSeq = seq;
    const pointers = this.manifest.checkpoints;
    pointers.latest = name;
    pointers.latest_iter = c.iter;
    pointers.latest_phase = c.phase;
    if (c.good) {
      this.goodSeq = seq;
      pointers.latest_good = name;
      pointers.latest_good_iter = c.iter;
    }
    writeManifest(this.runDir, this.manifest);
    pruneCheckpoints(this.runDir, this.keepCheckpoints, this.goodSeq);
    this.log("info", "checkpoint written", { checkpoint: name, iter: c.iter, phase: c.phase, good: c.good, redacted });
  }

  /**
   * Ends the run: flushes, compacts the part files into telemetry.parquet and events.parquet,
   * writes run_card.json and (unless redacted) the final state, then the manifest's summary.
   */
  async finish(summary: RunSummary): Promise<void> {
    this.requireRunning("finish");
    try {
      await this.flush();
      const redacted = this.info.redactArtifacts;
      writeCapsuleFile(this.runDir, RUN_CARD_FILE, `${JSON.stringify(summary.runCard ?? null, null, 2)}\n`);
      const artifacts: NonNullable<RunManifest["artifacts"]> = { run_card: RUN_CARD_FILE };
      if (!redacted && Object.keys(summary.finalState).length > 0) {
        this.checkSlotArrays("recorder.finish finalState", summary.finalState);
        const header: Omit<CheckpointHeader, "arrays"> = {
          schema_version: SCHEMA_VERSION,
          kind: "final_state",
          run_id: this.runId,
          capsule_id: this.manifest.capsule_id,
          seq: this.checkpointSeq,
          iter: summary.iters,
          phase: summary.phase,
          good: summary.phase === "GREEN",
          dtype: this.info.dtype,
          rng_key: [this.info.rngKey[0], this.info.rngKey[1]],
          controller_state: null,
          tuner_state: null,
          redacted: false,
          telemetry_rows: this.telemetryWriter.recorded,
          event_rows: this.eventWriter.recorded,
          created_at: new Date().toISOString(),
        };
        ensureCapsuleDir(this.runDir, ARTIFACT_DIR);
        writeCapsuleFile(this.runDir, `${ARTIFACT_DIR}/${FINAL_STATE_FILE}`, encodeCheckpoint(header, summary.finalState));
        artifacts.final_state = `${ARTIFACT_DIR}/${FINAL_STATE_FILE}`;
      }
      await this.telemetryWriter.compact({ removePartsDir: true });
      await this.eventWriter.compact({ removePartsDir: true });
      const state: Record<string, StateStats> = {};
      for (const [slot, s] of Object.entries(summary.stateSummary)) {
        state[slot] = redacted ? { mean: s.mean, norm2: s.norm2 } : { mean: s.mean, norm2: s.norm2, min: s.min, max: s.max };
      }
      this.manifest.status = summary.status;
      this.manifest.finished_at = new Date().toISOString();
      this.manifest.summary = { status: summary.status, phase: summary.phase, iters: summary.iters, t_wall_ms: summary.tWallMs, state };
      if (summary.finalEnergy !== null) this.manifest.summary.final_energy = summary.finalEnergy;
      if (summary.stopReason !== undefined) this.manifest.summary.stop_reason = summary.stopReason;
      if (summary.optimality !== undefined) this.manifest.summary.optimality = summary.optimality;
      if (summary.errorBar) {
        const e = summary.errorBar;
        this.manifest.summary.error_bar = { bound: e.bound, gradient_mapping: e.gradientMapping, route: e.route, failure_probability: e.failureProbability };
      }
      this.manifest.artifacts = artifacts;
      writeManifest(this.runDir, this.manifest);
      this.log("info", "run finished", { status: summary.status, iters: summary.iters, telemetry_rows: this.telemetryWriter.recorded, event_rows: this.eventWriter.recorded });
    } finally {
      await this.close();
    }
  }

  private create(info: RunStartInfo, recording: RunManifest["recording"]): void {
    const exists = () => new CflowError("RUN_EXISTS", `recorder: ${this.runDir} already exists; choose another runId, or resume it with resumeRun`, { path: this.runDir, found: "an existing directory", expected: "a new run id" });
    if (existsSync(this.runDir)) throw exists();
    for (const s of info.slots) {
      if (!Array.isArray(s.shape) || !s.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new ShapeError(`recorder.start slot ${s.name}`, "non-negative integer extents", String(s.shape));
    }
    mkdirSync(dirname(this.runDir), { recursive: true });
    try {
      mkdirSync(this.runDir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") throw exists();
      throw e;
    }
    this.takeLock();
    ensureCapsuleDir(this.runDir, CHECKPOINT_DIR);
    ensureCapsuleDir(this.runDir, ARTIFACT_DIR);
    this.manifest = initialManifest(info, recording);
    writeManifest(this.runDir, this.manifest);
  }

  /**
   * Reopens the capsule a resumed run continues: same dtype and slots, record cut back to the
   * checkpoint. Everything is checked before the first write — the lock, no links, the manifest,
   * the checkpoint's binding to this capsule, every Parquet file of the record — so a capsule that
   * cannot be continued is left exactly as it was (its summary and finished_at included).
   */
  private async reopen(info: RunStartInfo, recording: RunManifest["recording"]): Promise<void> {
    const from = info.resumedFrom!;
    this.takeLock(); // refuses a capsule holding a link
    const manifest = loadRunManifest(this.runDir);
    if (from.runId !== this.runId || manifest.run_id !== this.runId) {
      throw new CflowError("RUN_ID_MISMATCH", `recorder: resume point belongs to run ${from.runId}, capsule ${this.runDir} is run ${manifest.run_id}`, { path: this.runDir, expected: this.runId, found: manifest.run_id === this.runId ? from.runId : manifest.run_id });
    }
    if (manifest.dtype !== info.dtype) throw new DtypeError(`recorder.start (resume of ${this.runDir})`, manifest.dtype, info.dtype, "a run resumes in the dtype it was recorded in");
    for (const s of info.slots) {
      const recorded = manifest.slots.find((r) => r.name === s.name);
      if (!recorded || !sameShape(recorded.shape, s.shape)) {
        throw new ShapeError(`recorder.start (resume of ${this.runDir}) slot ${s.name}`, recorded ? recorded.shape : "no such slot in the manifest", [...s.shape]);
      }
    }
    const seq = checkpointSeq(from.checkpoint);
    const checkpointFile = seq === null ? null : capsulePath(this.runDir, checkpointRel(from.checkpoint));
    if (checkpointFile === null || !existsSync(checkpointFile)) {
      throw new CflowError("NO_CHECKPOINT", `recorder: resume checkpoint ${from.checkpoint} is not in ${capsulePath(this.runDir, CHECKPOINT_DIR)}`, { path: capsulePath(this.runDir, CHECKPOINT_DIR), found: from.checkpoint });
    }
    checkCheckpointBinding(readCheckpointFile(checkpointFile).header, checkpointFile, manifest, this.runDir);
    await checkCapsuleTables(this.connections[0], this.runDir, manifest);

    // Checked: from here on the capsule is written.
    // Checkpoints after the resume point belong to the abandoned future (or are corrupt).
    for (const c of listCheckpoints(this.runDir)) if (c.seq > seq!) removeCapsuleFile(this.runDir, checkpointRel(c.name));
    removeCapsuleFile(this.runDir, `${ARTIFACT_DIR}/${FINAL_STATE_FILE}`);
    this.checkpointSeq = seq!;
    this.goodSeq = newestGoodSeq(this.runDir);
    manifest.schema_version = SCHEMA_VERSION;
    manifest.capsule_id ??= newCapsuleId();
    manifest.status = "RUNNING";
    delete manifest.finished_at;
    delete manifest.summary;
    delete manifest.artifacts;
    manifest.recording = recording;
    manifest.checkpoints.latest = from.checkpoint;
    manifest.checkpoints.latest_iter = from.iter;
    manifest.resumes = [...(manifest.resumes ?? []), { at: new Date().toISOString(), from_checkpoint: from.checkpoint, iter: from.iter, versions: { ...info.versions } }];
    this.manifest = manifest;
    writeManifest(this.runDir, manifest);
  }

  /** The caller's lock of this capsule, or a new one (refused with CAPSULE_LOCKED while another writer holds it). */
  private takeLock(): void {
    if (this.givenLock) {
      if (!this.givenLock.held || this.givenLock.runDir !== this.runDir) {
        throw new CflowError("RECORDER_LOCK", `recorder: the lock handed to the recorder ${this.givenLock.held ? `is for ${this.givenLock.runDir}` : "was already released"}, the capsule is ${this.runDir}`, {
          path: this.runDir,
          expected: `a held lock of ${this.runDir}`,
          found: this.givenLock.runDir,
        });
      }
      this.lock = this.givenLock;
      return;
    }
    this.lock = acquireCapsuleLock(this.runDir, { command: `${packageName} (pid ${process.pid})` });
  }

  private async dropRecordAfter(telemetryRows: number, eventRows: number): Promise<void> {
    for (const [writer, keep] of [
      [this.telemetryWriter, telemetryRows],
      [this.eventWriter, eventRows],
    ] as const) {
      if (writer.recorded > keep) await writer.compact({ keepRows: keep });
      else if (writer.recorded < keep) {
        this.log("warn", `${writer.table}: the capsule holds ${writer.recorded} rows, fewer than the ${keep} the resume checkpoint saw`, { table: writer.table, found: writer.recorded, expected: keep });
      }
    }
  }

  private checkCheckpoint(c: Checkpoint): void {
    if (!Number.isInteger(c.iter) || c.iter < 0) throw new CflowError("BAD_CHECKPOINT", `recorder.checkpoint: iter expected a non-negative integer, found ${c.iter}`, { path: "checkpoint.iter", found: c.iter });
    const k = c.rngKey;
    if (!Array.isArray(k) || k.length !== 2 || !k.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)) {
      throw new CflowError("BAD_CHECKPOINT", `recorder.checkpoint: rngKey expected two uint32 words, found ${JSON.stringify(k)}`, { path: "checkpoint.rngKey", found: k });
    }
    this.checkSlotArrays("recorder.checkpoint", c.arrays);
  }

  /** Every array has the run's dtype; arrays named after a slot hold exactly that slot's elements. */
  private checkSlotArrays(where: string, arrays: Record<string, unknown>): void {
    for (const [name, a] of Object.entries(arrays)) {
      if (!(a instanceof Float32Array || a instanceof Float64Array)) throw new DtypeError(`${where} arrays.${name}`, this.info.dtype, Object.prototype.toString.call(a));
      if (dtypeOf(a) !== this.info.dtype) throw new DtypeError(`${where} arrays.${name}`, this.info.dtype, dtypeOf(a));
      const slot = this.info.slots.find((s) => s.name === name);
      if (slot && a.length !== shapeSize(slot.shape)) throw new ShapeError(`${where} arrays.${name}`, slot.shape, a.length);
    }
    for (const s of this.info.slots) {
      if (!(s.name in arrays)) throw new ShapeError(`${where} arrays.${s.name}`, s.shape, "missing", `every state slot (${this.info.slots.map((x) => x.name).join(", ")}) is saved`);
    }
  }

  private flushIfDue(): void {
    if (this.state !== "running") return;
    const now = Date.now();
    if (this.telemetryWriter.due(now)) this.telemetryWriter.queueFlush();
    if (this.eventWriter.due(now)) this.eventWriter.queueFlush();
  }

  private requireRunning(what: string): void {
    if (this.state !== "running") {
      throw new CflowError("RECORDER_STATE", `recorder ${this.runId}: ${what} called ${this.state === "finished" ? "after finish" : "before start"}`, { path: this.runDir, found: this.state, expected: "running" });
    }
  }

  private log(level: LogLevel, msg: string, fields: { [key: string]: Json } = {}): void {
    appendRunLog(this.runDir, this.runId, level, msg, fields);
  }

  /**
   * Ends this recording session without finishing the run, as a kill would (rows not yet flushed
   * are dropped) but releasing the capsule's lock: the capsule stays RUNNING and resumable. For
   * hosts that shut down mid-run, and for tests that stand in for a killed process.
   */
  async abandon(): Promise<void> {
    if (this.state === "finished") return;
    await this.close();
  }

  private async close(): Promise<void> {
    this.state = "finished";
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    try {
      for (const w of [this.telemetryWriter, this.eventWriter]) await w?.close();
      for (const c of this.connections) c.closeSync();
      this.connections = [];
      this.db?.closeSync();
      this.db = null;
    } finally {
      if (this.lock !== this.givenLock) this.lock?.release();
      this.lock = null;
    }
  }
}

function positive(name: string, v: number, integer: boolean): number {
  if (typeof v !== "number" || !(v > 0) || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
    throw new CflowError("BAD_OPTION", `recorder: ${name} expected a positive ${integer ? "integer" : "number"}, found ${v}`, { path: `recorder.${name}`, expected: `a positive ${integer ? "integer" : "number"}`, found: v });
  }
  return v;
}
