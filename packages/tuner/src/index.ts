export { gapDial, gapDialPolicy, seedLevels, ratiosOk, type GapDialMode, type GapDialOptions, type GapDialState } from "./gap-dial.js";
export { taskTarget, TARGET_NAMES, type TargetName, type TaskTargetOptions } from "./task-target.js";
export { conjugateGradient, hutchinsonTrace, type LinearApply, type SolveResult, type TraceEstimate } from "./trace-estimate.js";
export { tunerPlugin } from "./plugin.js";
