import { type Dtype, isDtype } from "../dtype.js";
import { DtypeError } from "../errors.js";
import { defaultRegistry } from "../registry/default.js";
import type { Registry } from "../registry/registry.js";
import type { Shape } from "../dtype.js";
import type { TransformOp } from "./transform.js";

/**
 * Creates a registered transform by name ("db4", "swtSym8", "identity", or a plugin's): the name
 * resolves through `registry` (default: a fresh `defaultRegistry()` with cflow's built-ins), so
 * an unknown name raises the registry's error with the nearest registered name.
 */
export function createTransform(name: string, options: { shape: Shape; levels?: number; dtype: Dtype }, registry: Registry = defaultRegistry()): TransformOp {
  if (!isDtype(options?.dtype)) throw new DtypeError(`createTransform("${name}")`, "float32 | float64", String(options?.dtype));
  return registry.transforms.get(name, `createTransform("${name}")`).create(options);
}
