// `pnpm pack` of @cflow/cli ships the repository's examples/ inside the package (prepack copies
// them to apps/cli/examples, postpack removes the copy): in the workspace, `cflow examples` reads
// the repository's examples/ directly, so nothing can go stale.
import { cpSync, existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = dirname(dirname(fileURLToPath(import.meta.url)));
const source = join(pkg, "..", "..", "examples");
const target = join(pkg, "examples");
const mode = process.argv[2];

if (mode === "remove") {
  rmSync(target, { recursive: true, force: true });
} else if (mode === "copy") {
  rmSync(target, { recursive: true, force: true });
  for (const name of readdirSync(source).sort()) {
    const dir = join(source, name);
    if (!statSync(dir).isDirectory() || !existsSync(join(dir, "README.md"))) continue;
    cpSync(dir, join(target, name), { recursive: true, filter: (src) => !/[/\\](node_modules|runs|dist)$/.test(src) });
  }
} else {
  console.error("usage: node scripts/bundle-examples.mjs copy|remove");
  process.exit(2);
}
