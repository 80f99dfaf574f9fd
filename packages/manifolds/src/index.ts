// @cflow/manifolds' public API: the manifold adapters (classes, to use directly) and their
// factories, and the plugin that registers them (`registry.use(manifoldsPlugin)`).
export { Euclidean, euclideanFactory } from "./euclidean.js";
export { Sphere, sphereFactory } from "./sphere.js";
export { SO3, so3Factory } from "./so3.js";
export { SE3, se3Factory } from "./se3.js";
export { SPD, spdFactory } from "./spd.js";
export { STIEFEL_LOG_TOLERANCE, Stiefel, stiefelExp, stiefelFactory } from "./stiefel.js";
export { Float64Manifold } from "./float64-manifold.js";
export type { ManifoldOptions } from "./options.js";
export { manifoldsPlugin } from "./plugin.js";
