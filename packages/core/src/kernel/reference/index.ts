// Plain-TypeScript reference implementations of every kernel, grouped like assembly/.
export * as vec from "./vec.js";
export * as flow from "./flow.js";
export * as losses from "./losses.js";
export * as linalg from "./linalg.js";
export * as gather from "./gather.js";
export * as prox from "./prox.js";
export * as conjugate from "./conjugate.js";
export * as fidelity from "./fidelity.js";
export * as diff from "./diff.js";
export * as tv from "./tv.js";
export * as dwt from "./dwt.js";
export * as swt from "./swt.js";
export * as fft from "./fft.js";
export * as conv from "./conv.js";
export * as dct from "./dct.js";
