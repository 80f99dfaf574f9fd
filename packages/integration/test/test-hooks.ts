// Test implementations of the ports (they implement the contracts; they stub no product code):
// a recorder sink that keeps the run in memory, a certificate hook that delegates to the FDA but
// fails on demand, and a user-written operator that can be told to return NaN once.
import { vi } from "vitest";
import type {
  Certificate,
  CertificateContext,
  CertificateHook,
  Checkpoint,
  Dtype,
  FlowEvent,
  RealArray,
  RunSink,
  RunStartInfo,
  RunSummary,
  Shape,
  TelemetryRow,
  TracePoint,
} from "@cflow/core";

export const DTYPES: Dtype[] = ["float64", "float32"];

/** A RunSink that keeps rows, events and checkpoints in memory and calls `onEvent` synchronously. */
export class MemorySink implements RunSink {
  readonly name = "memory-sink";
  info: RunStartInfo | null = null;
  readonly rows: TelemetryRow[] = [];
  readonly events: FlowEvent[] = [];
  readonly checkpoints: Checkpoint[] = [];
  summary: RunSummary | null = null;

  constructor(
    readonly runId = "memory-run",
    private readonly onEvent?: (e: FlowEvent) => void,
  ) {}

  async start(info: RunStartInfo): Promise<void> {
    this.info = info;
  }
  telemetry(row: TelemetryRow): void {
    this.rows.push({ ...row, warnings: [...row.warnings] });
  }
  event(e: FlowEvent): void {
    this.events.push(e);
    this.onEvent?.(e);
  }
  flushDue(): boolean {
    return false;
  }
  async flush(): Promise<void> {}
  async checkpoint(c: Checkpoint): Promise<void> {
    // copies: the controller may reuse its arrays
    this.checkpoints.push({ ...c, arrays: Object.fromEntries(Object.entries(c.arrays).map(([k, v]) => [k, v.slice()])) });
  }
  async finish(summary: RunSummary): Promise<void> {
    this.summary = summary;
  }
}

/**
 * The FDA's certificates, except that while `failing()` is true a passing certificate is turned
 * into a failure with the reason `reason` — how a test makes a tuner move regress on demand.
 */
export function failingCertificates(inner: CertificateHook, failing: () => boolean, reason = "injected failure (test)"): CertificateHook & { calls: number; failed: number } {
  const hook = {
    name: `failing(${inner.name})`,
    calls: 0,
    failed: 0,
    certify(ctx: CertificateContext): Certificate {
      hook.calls++;
      const c = inner.certify(ctx);
      if (!failing()) return c;
      hook.failed++;
      return { ...c, pass: false, violations: [...c.violations, { gate: "eta", value: Number.NaN, threshold: Number.NaN, message: reason }], reasons: [...c.reasons, reason], errorBar: null };
    },
    descentViolation(prev: TracePoint, next: TracePoint, o: { monotone: boolean; tol: number; beta?: number }): number {
      return inner.descentViolation(prev, next, o);
    },
  };
  return hook;
}

/** A certificate hook that takes `ms` of wall time per evaluation (for budget tests). */
export function slowCertificates(inner: CertificateHook, spend: () => void): CertificateHook {
  return {
    name: `slow(${inner.name})`,
    certify(ctx) {
      spend();
      return inner.certify(ctx);
    },
    descentViolation: (a, b, o) => inner.descentViolation(a, b, o),
  };
}

/**
 * A virtual clock for wall-time budgets: while installed, `performance.now()` — the clock the
 * controller measures its budget on — reads it, and only `advance` moves it. A test then says when
 * a budget runs out, and a slow or busy machine can neither spend it early nor late. `restore()`
 * gives the real clock back.
 */
export function virtualClock(): { advance(ms: number): void; restore(): void } {
  let t = 0;
  const spy = vi.spyOn(performance, "now").mockImplementation(() => t);
  return {
    advance: (ms) => {
      t += ms;
    },
    restore: () => spy.mockRestore(),
  };
}

/**
 * A user-written operator (apply/adjoint on arrays, the JavaScript slow path) around another op.
 * `poison()` makes its next apply return NaN. It remembers its last three apply inputs: after a
 * restore they are the restored previous and current states (the runner observes both into its
 * image caches) and the current state again (its energy).
 */
export class ProbeOp {
  readonly kind = "probe";
  readonly dtype: Dtype;
  readonly inShape: Shape;
  readonly outShape: Shape;
  readonly normHint?: number;
  private poisoned = false;
  applies = 0;
  readonly inputs: RealArray[] = [];

  constructor(private readonly inner: { dtype: Dtype; inShape: Shape; outShape: Shape; normHint?: number; apply(x: RealArray, out?: RealArray): RealArray; adjoint(y: RealArray, out?: RealArray): RealArray; dispose?(): void }) {
    this.dtype = inner.dtype;
    this.inShape = inner.inShape;
    this.outShape = inner.outShape;
    this.normHint = inner.normHint;
  }

  poison(): void {
    this.poisoned = true;
  }

  apply(x: RealArray, out?: RealArray): RealArray {
    this.applies++;
    this.inputs.push(x.slice());
    if (this.inputs.length > 3) this.inputs.shift();
    const r = this.inner.apply(x, out);
    if (this.poisoned) {
      this.poisoned = false;
      r.fill(Number.NaN);
    }
    return r;
  }

  adjoint(y: RealArray, out?: RealArray): RealArray {
    return this.inner.adjoint(y, out);
  }

  dispose(): void {
    this.inner.dispose?.();
  }
}
