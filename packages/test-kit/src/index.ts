export { type Dtype, type RealArray, mulberry32, randn, randomArray, typed, zerosOf } from "./rng.js";
export { dot, eps, expectArrayClose, expectArrayNear, expectBelow, expectScalarClose, maxAbs, norm, relDiff, relErr, sameBits, tolFor } from "./compare.js";
export { jacobiEigen, rowsOf } from "./eigen.js";
export { type TangentSpace, randomTangent } from "./manifold.js";
export { testOptions } from "./vitest-options.js";
export { until } from "./wait.js";
export { logspace, matrixWithSpectrum, randomOrthogonalMatrix } from "./spectrum.js";
export { randomSymmetricCsr, type UpperCsr } from "./sparse.js";
