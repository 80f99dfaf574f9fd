/**
 * Policies are registered by kind: flow families, tuner policies, multiscale rules and lens rules.
 * Each kind's value type is defined where it is used (runtime, tuner, controller); the registry only
 * needs the kind to list and resolve them.
 */
export type PolicyKind = "flow" | "tuner" | "multiscale" | "lens";

export interface PolicyDef {
  kind: PolicyKind;
  description: string;
}
