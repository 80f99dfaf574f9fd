import type { AtomDef } from "../atom.js";
import { huber } from "./huber.js";
import { leastSquares, weightedLeastSquares } from "./least-squares.js";
import { logistic } from "./logistic.js";
import { quadraticForm } from "./quadratic-form.js";
import { tikhonov } from "./tikhonov.js";

export { LinearLossTerm, type PointwiseLoss } from "./linear-loss.js";
export { huber, leastSquares, weightedLeastSquares, logistic, quadraticForm, tikhonov };

/** The built-in smooth atoms (registered by core's built-in plugin). */
export const smoothAtoms: AtomDef[] = [leastSquares, weightedLeastSquares, huber, tikhonov, quadraticForm, logistic];
