import { type TunerPolicy, type TunerPolicyDef, definePlugin } from "@cflow/core";
import pkg from "../package.json" with { type: "json" };
import { gapDialPolicy } from "./gap-dial.js";

/** Registers the Gap Dial as the tuner policy "gapDial" (what `policies.tuner.policy` names). */
export const tunerPlugin = definePlugin({
  name: pkg.name,
  version: pkg.version,
  setup(registry) {
    const def: TunerPolicyDef = {
      kind: "tuner",
      description: "Gap Dial: certificate-guarded pattern search on λ, λ_j (and η in remediation)",
      create: (options) => gapDialPolicy(options) as unknown as TunerPolicy,
    };
    registry.policies.register("gapDial", def);
  },
});
