import { CflowError } from "../../errors.js";
import type { AtomDef } from "../atom.js";
import { LinearLossTerm } from "./linear-loss.js";

/** w·Σ log(1 + exp(−y_i (Ax)_i)) for labels y_i ∈ {−1, +1} (the target names the labels). */
export const logistic: AtomDef = {
  name: "logistic",
  kind: "smooth",
  description: "w·Σ log(1 + exp(−y_i (Ax)_i)) — logistic regression; target = labels in {−1, +1}",
  op: "optional",
  target: "required",
  transform: "none",
  params: {},
  convex: true,
  create: (ctx) => {
    const labels = ctx.target!;
    const v = labels.view;
    for (let i = 0; i < v.length; i++) {
      if (v[i] !== 1 && v[i] !== -1) {
        throw new CflowError("BAD_DATA", `${ctx.path}.target[${i}]: logistic labels must be −1 or +1, found ${v[i]}`, {
          path: `${ctx.path}.target[${i}]`,
          expected: "−1 or +1",
          found: v[i],
        });
      }
    }
    return new LinearLossTerm("logistic", ctx, ctx.op ?? null, labels, { kind: "logistic", labels });
  },
};
