import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));

function newestMtime(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newestMtime(p) : s.mtimeMs);
  }
  return t;
}

/**
 * Each run starts with an empty apps/cli/.tmp (the tests' scratch space inside the workspace).
 * The end-to-end tests run the built binary: refuse to test a dist/ older than src/.
 */
export default function setup(): void {
  rmSync(join(PACKAGE_DIR, ".tmp"), { recursive: true, force: true });
  const cli = join(PACKAGE_DIR, "dist", "cli.js");
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build first (pnpm --filter @cflow/cli build); the end-to-end tests run the binary`);
  if (newestMtime(join(PACKAGE_DIR, "src")) > statSync(cli).mtimeMs) {
    throw new Error(`${cli} is older than src/: rebuild (pnpm --filter @cflow/cli build) before testing`);
  }
}
