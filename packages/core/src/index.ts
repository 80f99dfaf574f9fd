export * from "./errors.js";
export * from "./dtype.js";
export * from "./kernel/index.js";
export * from "./rng.js";
export * from "./ops/op.js";
export * from "./ports/index.js";
