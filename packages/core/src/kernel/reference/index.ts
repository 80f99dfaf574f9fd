// Plain-TypeScript reference implementations of every kernel, grouped like assembly/.
export * as vec from "./vec.js";
export * as flow from "./flow.js";
export * as losses from "./losses.js";
export * as fft from "./fft.js";
export * as conv from "./conv.js";
export * as dct from "./dct.js";
