// `@cflow/core/testing`: the contract probes a plugin runs on its own transforms and manifolds —
// in its tests, and at registration when a registry validates what it is given
// (`defaultRegistry({ transforms: validateTransformFactory })`, `cflow plugins`).
export { VALIDATION_THRESHOLDS, type TransformValidation, type ValidateTransformOptions, type ValidationThresholds, validateTransform, validateTransformFactory } from "./transforms/validate.js";
export { type ManifoldCheck, type ManifoldValidationOptions, type ManifoldValidationReport, validateManifoldFactory } from "./manifolds/validate.js";
