import type { PluginFailure } from "@cflow/core";
import type { Output } from "./output.js";

/** One warning per plugin whose setup threw: its name, version, the hook and why (its registrations were undone). */
export function warnPluginFailures(failures: readonly PluginFailure[], out: Output): void {
  for (const f of failures) out.warn(`plugin ${f.plugin}@${f.version} failed in ${f.hook}: ${f.error.message.split("\n")[0]} (its registrations were undone; the other plugins loaded)`);
}
