import { definePlugin } from "@cflow/core";
import { name, version } from "../package.json";
import { poincareFactory } from "./poincare-ball.js";

/** Registers the manifold "poincare" (the Poincaré ball of curvature −1). */
export const hyperbolicPlugin = definePlugin({
  name,
  version,
  setup(registry) {
    registry.manifolds.register("poincare", poincareFactory);
  },
});
