import type { CompiledFlow } from "../compiler/types.js";
import type { RealArray } from "../dtype.js";
import { CflowError } from "../errors.js";
import type { TransformOp } from "../transforms/transform.js";
import { FlowRunner } from "./runner.js";

const runners = new WeakMap<CompiledFlow, FlowRunner>();

/**
 * One iteration of the flow from x with step size α = `stepSize`, strictly F_Dis → F_Multi⁺ →
 * F_Proj → F_Multi⁻ (± F_Con), without momentum. It runs the same plan as every other caller.
 * `W` must be the compiled flow's transform (or omitted).
 */
export function runFlowStep(x: RealArray, compiled: CompiledFlow, stepSize: number, W?: TransformOp | null): RealArray {
  if (W !== undefined && W !== compiled.W) {
    throw new CflowError("TRANSFORM_MISMATCH", `runFlowStep: W (${W?.name ?? "identity"}) is not the compiled flow's transform (${compiled.W?.name ?? "identity"})`, {
      path: "runFlowStep.W",
      expected: compiled.W?.name ?? "null (identity)",
      found: W?.name ?? "null",
    });
  }
  let runner = runners.get(compiled);
  if (!runner) {
    const family = compiled.policies.flow.family === "hamiltonianDamped" ? "hamiltonianDamped" : compiled.prox.length > 0 ? "proximal" : "gradient";
    runner = new FlowRunner(compiled, { family, policies: { multiscale: { ...compiled.policies.multiscale, mode: "off" } } });
    runners.set(compiled, runner);
  }
  runner.setDials({ alpha: stepSize });
  runner.load(x);
  runner.step();
  return runner.state;
}
