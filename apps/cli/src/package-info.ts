import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

/** The @cflow/cli package directory (the same from src/ under tests and from the bundled dist/). */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, "package.json");
    if (existsSync(pj) && (JSON.parse(readFileSync(pj, "utf8")) as { name?: string }).name === "@cflow/cli") return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error("@cflow/cli: cannot find the package directory above " + fileURLToPath(import.meta.url));
    dir = up;
  }
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string }).version;
}

/**
 * Where the bundled examples are: the copy a packed @cflow/cli ships (`prepack` puts the
 * repository's examples/ into the package), else — in the cflow workspace — the repository's
 * examples/ itself.
 */
export function bundledExamplesDir(): string {
  const shipped = join(packageRoot(), "examples");
  if (existsSync(shipped)) return shipped;
  const workspace = join(packageRoot(), "..", "..", "examples");
  const pj = join(workspace, "package.json");
  if (existsSync(pj) && (JSON.parse(readFileSync(pj, "utf8")) as { name?: string }).name === "@cflow/examples") return workspace;
  return shipped;
}
