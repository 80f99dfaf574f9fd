export { goldenSection, goldenSectionPolicy, type GoldenSectionOptions, type GoldenSectionState } from "./golden-section.js";
export { goldenSectionDef, policiesPlugin } from "./plugin.js";
