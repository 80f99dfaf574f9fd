export { type PowerIterationOptions, type PowerIterationResult, type SymmetricOperator, powerIteration } from "./power-iteration.js";
export { type SymmetricEigen, symmetricEigen, symmetricEigenvalues, symmetricFunction } from "./symmetric-eigen.js";
export { tridiagonalEigen, tridiagonalize } from "./tridiagonal.js";
