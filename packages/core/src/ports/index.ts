export * from "./events.js";
export * from "./telemetry.js";
export * from "./manifold.js";
export * from "./sink.js";
export * from "./certificates.js";
export * from "./tuner.js";
