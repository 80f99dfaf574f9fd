export * from "./atom.js";
export * from "./conjugate.js";
export * from "./prox/index.js";
export * from "./smooth/index.js";
