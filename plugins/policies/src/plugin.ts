import { type TunerPolicy, type TunerPolicyDef, definePlugin } from "@cflow/core";
import { name, version } from "../package.json";
import { type GoldenSectionOptions, goldenSectionPolicy } from "./golden-section.js";

/** The tuner policy "goldenSection" (`policies.tuner.policy: "goldenSection"` in a spec). */
export const goldenSectionDef: TunerPolicyDef = {
  kind: "tuner",
  description: "golden-section search of λ for the task metric's minimum among certified λ, in capped, certified steps",
  create: (options) => goldenSectionPolicy(options as GoldenSectionOptions) as unknown as TunerPolicy,
};

/** Registers the tuner policy "goldenSection". */
export const policiesPlugin = definePlugin({
  name,
  version,
  setup(registry) {
    registry.policies.register("goldenSection", goldenSectionDef);
  },
});
