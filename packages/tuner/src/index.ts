export { gapDial, gapDialPolicy, seedLevels, ratiosOk, type GapDialOptions, type GapDialState } from "./gap-dial.js";
export { tunerPlugin } from "./plugin.js";
