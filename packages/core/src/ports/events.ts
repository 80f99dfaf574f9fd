/**
 * The run's event vocabulary (events.parquet, `event` column). SCHEMA.md documents each event's
 * payload; the controller is the only emitter of the controller events, hooks emit through it.
 */
export const FLOW_EVENTS = [
  "RUN_STARTED",
  "RUN_FINISHED",
  "SPEC_LINT_FAIL",
  "PHASE_CHANGED",
  "CERT_PASS",
  "CERT_FAIL",
  "TUNER_MOVE_TRY",
  "TUNER_MOVE_ACCEPTED",
  "TUNER_MOVE_REJECTED",
  "ROLLBACK",
  "TIMEOUT",
  "CANCELLED",
  "LENS_SELECTED",
  "SCALE_ACTIVATED",
  "FLOW_POLICY_APPLIED",
  "CHECKPOINT_WRITTEN",
  "WARNING",
] as const;

export type FlowEventName = (typeof FLOW_EVENTS)[number];

/** A JSON-serialisable value (payloads, tuner and family state). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface FlowEvent {
  event: FlowEventName;
  /** Iteration the event belongs to (−1 before the first step). */
  iter: number;
  /** Milliseconds since the run started. */
  tWallMs: number;
  payload: { [key: string]: Json };
}

/** Where events go: the controller hands one to every hook that needs to emit. */
export interface EventPort {
  emit(event: FlowEventName, payload?: { [key: string]: Json }): void;
}

/** Controller phases (docs/design.md §2.8): RED invalid, AMBER valid but uncertified, GREEN certified. */
export type Phase = "RED" | "AMBER" | "GREEN";
