// Runs every bench/*.bench.ts in name order (optionally those whose name contains argv[2]). Each
// exports `default`, an async function printing its own table.
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts") && (!only || f.includes(only)))
  .sort();
console.log(`cflow integration benchmarks — node ${process.version}, ${new Date().toISOString()}`);
for (const f of files) {
  const mod = (await import(pathToFileURL(join(here, f)).href)) as { default: () => Promise<void> };
  await mod.default();
}
