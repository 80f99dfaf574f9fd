import type { FlowEvent } from "@cflow/core";

/** One token per event: name, plus the stage, phase change or trial that places it in the story. */
export function storyTokens(events: readonly FlowEvent[]): string {
  return events
    .map((e) => {
      const p = e.payload;
      if (e.event === "PHASE_CHANGED") return `${e.event}:${p.from}>${p.to}`;
      if (e.event === "CERT_PASS" || e.event === "CERT_FAIL") return `${e.event}:${p.stage}`;
      if (e.event === "TUNER_MOVE_TRY") return `${e.event}:${p.trial}`;
      return e.event;
    })
    .join(" ");
}
