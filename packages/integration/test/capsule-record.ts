// A capsule's record as the resume tests compare it: telemetry and events without the wall-clock
// columns (and the certificates' own timing), and the events a resumed session adds where it
// picks up.
import type { Json } from "@cflow/core";
import { queryRuns } from "@cflow/recorder";
import { expect } from "vitest";

export type Row = Record<string, unknown>;

/** Telemetry and events of a capsule without the wall-clock columns (and the certificates' own timing). */
export async function record(dir: string): Promise<{ telemetry: Row[]; events: Row[] }> {
  const telemetry = (await queryRuns("SELECT * EXCLUDE (run_id, t_wall_ms) FROM telemetry", [dir])) as Row[];
  const events = (await queryRuns("SELECT * EXCLUDE (run_id, t_wall_ms) FROM events", [dir])).map((e) => {
    const payload = JSON.parse(e.payload as string) as { [k: string]: Json };
    delete payload.ms;
    delete payload.phase_ms;
    return { ...e, payload };
  });
  return { telemetry, events };
}

/**
 * The events without what each resume adds where it picks up — RUN_STARTED (resumed_from_iter),
 * FLOW_POLICY_APPLIED, the phase changes back — and those preambles, in order.
 */
export function withoutResumePreamble(events: Row[]): { events: Row[]; preamble: string[] } {
  const out: Row[] = [];
  const preamble: string[] = [];
  const reason = (e: Row) => (e.payload as { reason?: string }).reason ?? "";
  for (let i = 0; i < events.length; ) {
    if (!(events[i].event === "RUN_STARTED" && "resumed_from_iter" in (events[i].payload as object))) {
      out.push(events[i++]);
      continue;
    }
    preamble.push(events[i++].event as string);
    while (
      i < events.length &&
      (events[i].event === "FLOW_POLICY_APPLIED" || (events[i].event === "PHASE_CHANGED" && (reason(events[i]) === "spec valid, not certified" || reason(events[i]).startsWith("resumed at"))))
    ) {
      preamble.push(events[i++].event as string);
    }
  }
  expect(preamble.length).toBeGreaterThan(0);
  return { events: out, preamble };
}
