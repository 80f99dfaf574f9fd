// The event payload contract, read from SCHEMA.md's "Event names and payloads" table, so the
// tests check the controller against the document rather than against a copy of it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { FlowEvent } from "@cflow/core";
import { expect } from "vitest";

export interface PayloadSpec {
  required: string[];
  optional: string[];
}

const SCHEMA_MD = readFileSync(join(__dirname, "../../../SCHEMA.md"), "utf8");

/** Splits at ", " outside parentheses, braces and backticks. */
function topLevelItems(cell: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let tick = false;
  let cur = "";
  for (let i = 0; i < cell.length; i++) {
    const ch = cell[i];
    if (ch === "`") tick = !tick;
    else if (!tick && (ch === "(" || ch === "{")) depth++;
    else if (!tick && (ch === ")" || ch === "}")) depth--;
    if (ch === "," && depth === 0 && !tick) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function parseEventTable(): Map<string, PayloadSpec> {
  const start = SCHEMA_MD.indexOf("\n## Event names and payloads\n");
  if (start < 0) throw new Error('SCHEMA.md has no "## Event names and payloads" section');
  const lines = SCHEMA_MD.slice(start).split("\n");
  const first = lines.findIndex((l) => l.startsWith("| event"));
  const specs = new Map<string, PayloadSpec>();
  const inherits = new Map<string, string>();
  for (const l of lines.slice(first + 2)) {
    if (!l.startsWith("|")) break;
    const [name, , fields] = l.slice(1, -1).split("|").map((c) => c.trim());
    const event = name.replace(/`/g, "");
    const spec: PayloadSpec = { required: [], optional: [] };
    for (let item of topLevelItems(fields)) {
      item = item.replace(/^plus /, "");
      const inherit = /^the `(\w+)` fields$/.exec(item);
      if (inherit) {
        inherits.set(event, inherit[1]);
        continue;
      }
      const m = /^`(\w+)`(\?)?(?: and `(\w+)`(\?)?)?/.exec(item);
      if (!m) throw new Error(`SCHEMA.md: cannot read payload field "${item}" of ${event}`);
      (m[2] ? spec.optional : spec.required).push(m[1]);
      if (m[3]) (m[4] ? spec.optional : spec.required).push(m[3]);
    }
    specs.set(event, spec);
  }
  for (const [event, base] of inherits) {
    const s = specs.get(event)!;
    const b = specs.get(base)!;
    s.required.push(...b.required);
    s.optional.push(...b.optional);
  }
  return specs;
}

export const EVENT_PAYLOADS = parseEventTable();

/** Every payload has the fields SCHEMA.md requires and none it does not list. */
export function expectPayloadsFollowSchema(events: readonly FlowEvent[]): void {
  for (const e of events) {
    const spec = EVENT_PAYLOADS.get(e.event);
    expect(spec, `SCHEMA.md documents ${e.event}`).toBeDefined();
    const keys = Object.keys(e.payload);
    for (const f of spec!.required) expect(keys, `${e.event} at iteration ${e.iter} carries ${f}`).toContain(f);
    for (const k of keys) expect([...spec!.required, ...spec!.optional], `${e.event} field ${k} is documented`).toContain(k);
  }
}
