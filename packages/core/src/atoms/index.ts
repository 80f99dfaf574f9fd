export * from "./atom.js";
export * from "./prox/index.js";
