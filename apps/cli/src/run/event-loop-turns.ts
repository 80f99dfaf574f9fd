import type { Checkpoint, FlowEvent, RecorderSink, RunStartInfo, RunSummary, TelemetryRow } from "@cflow/core";

/**
 * A recorder sink that records nothing: it asks for a flush every `everyMs` and its flush gives
 * the event loop one turn. The controller's loop is synchronous between the flushes it awaits, so
 * without this a Ctrl-C (a signal handler is a macrotask) would only be seen at the recorder's
 * next real flush, seconds later.
 */
export class EventLoopTurns implements RecorderSink {
  readonly name = "event-loop-turns";
  private last = performance.now();

  constructor(
    readonly runId: string,
    private readonly everyMs = 100,
  ) {}

  async start(_info: RunStartInfo): Promise<void> {}
  telemetry(_row: TelemetryRow): void {}
  event(_e: FlowEvent): void {}

  flushDue(): boolean {
    return performance.now() - this.last >= this.everyMs;
  }

  async flush(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.last = performance.now();
  }

  async checkpoint(_c: Checkpoint): Promise<void> {}
  async finish(_s: RunSummary): Promise<void> {}
}
