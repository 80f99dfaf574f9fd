export { PoincareBall, poincareBall, poincareFactory, type PoincareBallOptions } from "./poincare-ball.js";
export { conformalFactor, gyration, mobiusAdd, mobiusDifference } from "./mobius.js";
export { hyperbolicPlugin } from "./plugin.js";
