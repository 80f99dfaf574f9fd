import { definePlugin } from "@cflow/core";
import { version } from "../package.json";
import { euclideanFactory } from "./euclidean.js";
import { se3Factory } from "./se3.js";
import { so3Factory } from "./so3.js";
import { spdFactory } from "./spd.js";
import { sphereFactory } from "./sphere.js";
import { stiefelFactory } from "./stiefel.js";

/** The built-in manifolds, registered through the same registry API as any third-party plugin. */
export const manifoldsPlugin = definePlugin({
  name: "@cflow/manifolds",
  version,
  setup(registry) {
    registry.manifolds.register("euclidean", euclideanFactory);
    registry.manifolds.register("sphere", sphereFactory);
    registry.manifolds.register("so3", so3Factory);
    registry.manifolds.register("se3", se3Factory);
    registry.manifolds.register("spd", spdFactory);
    registry.manifolds.register("stiefel", stiefelFactory);
  },
});
