// The playground's certified run: runCertified with the FDA certificates, the Gap Dial and an
// in-memory sink in place of the flight recorder (which writes capsules with DuckDB, Node-side).
// The one place the playground calls runCertified; it runs alike in the worker and in Node (the
// Chromium test compares the two).
import type { Checkpoint, CompiledFlow, FlowEvent, RunResult, RunSink, RunStartInfo, TelemetryRow } from "@cflow/core";
import { runCertified } from "@cflow/core";
import { fda } from "@cflow/fda";
import { gapDial } from "@cflow/tuner";

/** What a run reports while it goes. */
export interface RunListener {
  /** The run's certificate gates, as it starts. */
  gates(g: RunStartInfo["gates"]): void;
  /** Telemetry rows and events since the last call, in order. */
  progress(rows: TelemetryRow[], events: FlowEvent[]): void;
  /** The state at a checkpoint (the start, GREEN, accepted tuner moves, every `STATE_EVERY` polish iterations, the end). */
  state(iter: number, x: Float64Array): void;
}

/** Polish iterations between two state updates (the run's checkpoints). */
export const STATE_EVERY = 20;

/**
 * A sink that keeps nothing on disk: it batches rows and events and hands them to a
 * listener at each flush the controller asks for (`flushDue`: a batch waiting for `batchMs`).
 */
export class MemorySink implements RunSink {
  readonly name = "playground";
  private rows: TelemetryRow[] = [];
  private events: FlowEvent[] = [];
  private last = performance.now();

  constructor(
    /** The state slot handed to `listener.state`. */
    private readonly slot: string,
    private readonly listener: RunListener,
    private readonly batchMs = 50,
  ) {}

  async start(info: RunStartInfo): Promise<void> {
    this.listener.gates(info.gates);
  }

  telemetry(row: TelemetryRow): void {
    this.rows.push(row);
  }

  event(e: FlowEvent): void {
    this.events.push(e);
  }

  flushDue(): boolean {
    return this.rows.length + this.events.length > 0 && performance.now() - this.last >= this.batchMs;
  }

  async flush(): Promise<void> {
    this.last = performance.now();
    if (this.rows.length + this.events.length === 0) return;
    const rows = this.rows;
    const events = this.events;
    this.rows = [];
    this.events = [];
    this.listener.progress(rows, events);
  }

  async checkpoint(c: Checkpoint): Promise<void> {
    await this.flush();
    const x = c.arrays[this.slot];
    if (x) this.listener.state(c.iter, Float64Array.from(x));
  }

  async finish(): Promise<void> {
    await this.flush();
  }
}

/** Runs a compiled flow (its first state slot is the one shown) to the end, or until `signal` aborts: status CANCELLED. */
export function runPlayground(compiled: CompiledFlow, listener: RunListener, signal?: AbortSignal): Promise<RunResult> {
  const sink = new MemorySink(compiled.slots[0].name, listener);
  return runCertified(compiled, { certify: fda(), tune: gapDial(), sinks: [sink], signal, checkpointEvery: STATE_EVERY });
}
