// Builds the WASM SIMD kernel twice from one AssemblyScript source: once with Real = f64
// (f64x2 lanes) and once with Real = f32 (f32x4 lanes), like a C template instantiated for
// double and float. Every top-level file in assembly/ is an entry; assembly/common/ holds helpers;
// the plan interpreter is generated from the entries' exported signatures (gen-plan.mjs). Each
// .wasm carries a "cflow.kernel" custom section — its dtype and opcode table as JSON — so a
// kernel loaded from any bytes or URL (src/kernel/kernel.ts) brings the table that matches it.
import asc from "assemblyscript/asc";
import { appendFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
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
const plan = generatePlan(root);
entries.push(plan.entry); // the plan interpreter dispatching to every kernel above

/** Unsigned LEB128, the integer encoding of WebAssembly binaries. */
function leb128(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** A custom section (id 0: name, then payload); valid anywhere after the module's header, so appended. */
function customSection(name, payload) {
  const nameBytes = Buffer.from(name, "utf8");
  const body = Buffer.concat([Buffer.from(leb128(nameBytes.length)), nameBytes, payload]);
  return Buffer.concat([Buffer.from([0, ...leb128(body.length)]), body]);
}

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
  const manifest = Buffer.from(JSON.stringify({ dtype: v.dtype, opcodes: plan.opcodes }), "utf8");
  appendFileSync(join(root, outFile), customSection("cflow.kernel", manifest));
  console.log(`built ${outFile}`);
}
