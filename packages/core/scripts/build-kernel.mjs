// Builds the WASM SIMD kernel twice from one AssemblyScript source: once with Real = f64
// (f64x2 lanes) and once with Real = f32 (f32x4 lanes), like a C template instantiated for
// double and float. Every top-level file in assembly/ is an entry; assembly/common/ holds helpers;
// the plan interpreter is generated from the entries' exported signatures (gen-plan.mjs).
import asc from "assemblyscript/asc";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generatePlan } from "./gen-plan.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const assemblyDir = join(root, "assembly");
const outDir = join(root, "dist", "wasm");
rmSync(join(root, "dist"), { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const entries = readdirSync(assemblyDir)
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
  .sort()
  .map((f) => join("assembly", f));
entries.push(generatePlan(root)); // the plan interpreter dispatching to every kernel above

const variants = [
  { dtype: "float64", real: "f64", lanes: 2 },
  { dtype: "float32", real: "f32", lanes: 4 },
];

for (const v of variants) {
  const outFile = join("dist", "wasm", `kernel.${v.dtype}.wasm`);
  const { error, stderr } = await asc.main(
    [
      ...entries,
      "--outFile", outFile,
      "--use", `Real=${v.real}`,
      "--use", `LANES=${v.lanes}`,
      "--enable", "simd",
      "--runtime", "stub",
      "--optimizeLevel", "3",
      "--shrinkLevel", "0",
      "--noAssert",
      "--initialMemory", "16",
    ],
    { stdout: process.stdout, stderr: process.stderr, baseDir: root },
  );
  if (error) {
    console.error(`kernel build failed for ${v.dtype}: ${error.message}`);
    console.error(stderr.toString());
    process.exit(1);
  }
  console.log(`built ${outFile}`);
}
