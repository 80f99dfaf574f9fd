import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Each run starts with an empty apps/cli/.tmp (the tests' scratch space inside the workspace). */
export default function setup(): void {
  rmSync(fileURLToPath(new URL("../.tmp", import.meta.url)), { recursive: true, force: true });
}
