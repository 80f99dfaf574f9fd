import type { AtomDef } from "../atom.js";
import { LinearLossTerm } from "./linear-loss.js";

/** w·Σ h_δ((Ax − b)_i): quadratic near zero, linear beyond δ — a data term robust to outliers. */
export const huber: AtomDef = {
  name: "huber",
  kind: "smooth",
  description: "w·Σ h_δ(Ax − b) — Huber data term (quadratic for |r| ≤ δ, linear beyond)",
  op: "optional",
  target: "required",
  transform: "none",
  params: { delta: { type: "number", description: "transition point δ between the quadratic and linear parts", default: 1, min: 0, exclusiveMin: true } },
  convex: true,
  create: (ctx) => new LinearLossTerm("huber", ctx, ctx.op ?? null, ctx.target ?? null, { kind: "huber", delta: ctx.params.delta as number }),
};
