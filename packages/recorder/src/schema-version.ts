import { CflowError } from "@cflow/core";

/**
 * The capsule format's version (SCHEMA.md, "schema_version contract"). Writers bump it on every
 * change to columns, event payloads, manifest keys or the checkpoint format; readers accept every
 * version from MIN_READABLE_SCHEMA_VERSION up to their own and refuse newer or unknown ones.
 */
export const SCHEMA_VERSION = 4;

/** The oldest capsule this reader still understands (raised only by a breaking change). */
export const MIN_READABLE_SCHEMA_VERSION = 1;

/** Throws unless `found` (read from `file`) is a schema_version this reader accepts. */
export function checkSchemaVersion(found: unknown, file: string): number {
  const expected = `an integer from ${MIN_READABLE_SCHEMA_VERSION} to ${SCHEMA_VERSION}`;
  const v = typeof found === "string" && /^\d+$/.test(found) ? Number(found) : found;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
    throw new CflowError("SCHEMA_VERSION_UNKNOWN", `${file}: unknown schema_version ${JSON.stringify(found) ?? "(missing)"}; this reader understands schema_version ${MIN_READABLE_SCHEMA_VERSION}..${SCHEMA_VERSION}`, {
      path: file,
      found,
      expected,
    });
  }
  if (v > SCHEMA_VERSION) {
    throw new CflowError("SCHEMA_VERSION_NEWER", `${file}: schema_version ${v} is newer than this reader's schema_version ${SCHEMA_VERSION}; upgrade @cflow/recorder to read it`, {
      path: file,
      found: v,
      expected,
      hint: "upgrade @cflow/recorder",
    });
  }
  if (v < MIN_READABLE_SCHEMA_VERSION) {
    throw new CflowError("SCHEMA_VERSION_OLD", `${file}: schema_version ${v} is older than the oldest this reader accepts (${MIN_READABLE_SCHEMA_VERSION}; current ${SCHEMA_VERSION})`, {
      path: file,
      found: v,
      expected,
      hint: "read it with an older @cflow/recorder",
    });
  }
  return v;
}
