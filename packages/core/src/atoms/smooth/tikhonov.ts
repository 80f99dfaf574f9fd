import type { AtomDef } from "../atom.js";
import { LinearLossTerm } from "./linear-loss.js";

/** ½·λ‖Lx‖² with L an op (the identity when absent): Tikhonov / ridge regularisation. */
export const tikhonov: AtomDef = {
  name: "tikhonov",
  kind: "smooth",
  description: "½·λ‖Lx‖² — Tikhonov regularisation (λ = weight; L = op, identity when absent)",
  op: "optional",
  target: "none",
  transform: "none",
  params: {},
  convex: true,
  create: (ctx) => new LinearLossTerm("tikhonov", ctx, ctx.op ?? null, null, { kind: "squared" }),
};
