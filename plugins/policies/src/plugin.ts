import { type TunerPolicy, type TunerPolicyDef, definePlugin } from "@cflow/core";
import { name, version } from "../package.json";
import { type GoldenSectionOptions, goldenSectionPolicy } from "./golden-section.js";

/** The tuner policy "golden-section" (`policies.tuner.policy: "golden-section"` in a spec). */
export const goldenSectionDef: TunerPolicyDef = {
  kind: "tuner",
  description: "golden-section search of λ for the task metric's minimum among certified λ, in capped, certified steps",
  create: (options) => goldenSectionPolicy(options as GoldenSectionOptions) as unknown as TunerPolicy,
};

/** Registers the tuner policy "golden-section". */
export const policiesPlugin = definePlugin({
  name,
  version,
  setup(registry) {
    registry.policies.register("golden-section", goldenSectionDef);
  },
});
