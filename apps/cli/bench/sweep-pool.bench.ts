// The local pool's speed-up: 8 runs of examples/deconv-1d at 262 144 samples (seeds 0..7) as one
// `cflow sweep`, on 1 worker and on 2, timed end to end (process start to summary), alternated twice
// and the faster of each kept. Target on a 2-core machine: ≥ 1.7×. `pnpm bench` (after `pnpm build`).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const example = fileURLToPath(new URL("../../../examples/deconv-1d", import.meta.url));
const args = ["sweep", example, "--param", "size=262144", "--seeds", "0..7", "--json"];

function sweep(workers: number): { ms: number; green: number; runMs: number } {
  const out = mkdtempSync(join(tmpdir(), "cflow-bench-sweep-"));
  try {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [cli, ...args, "--workers", String(workers), "--out", out], { encoding: "utf8", maxBuffer: 64 << 20 });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`cflow sweep --workers ${workers} exited ${r.status}:\n${r.stderr}`);
    const res = (JSON.parse(r.stdout) as { result: { counts: { green: number }; runs: { t_wall_ms: number }[] } }).result;
    return { ms, green: res.counts.green, runMs: res.runs.reduce((s, x) => s + x.t_wall_ms, 0) / res.runs.length };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

console.log(`cflow sweep pool benchmark — node ${process.version}, ${new Date().toISOString()}`);
console.log(`command: node dist/cli.js ${args.join(" ").replace(example, "examples/deconv-1d")} --workers <1|2>`);
// alternated and repeated, the best of each kept: a burst of load from elsewhere spoils one sample, not the ratio
const ones: ReturnType<typeof sweep>[] = [];
const twos: ReturnType<typeof sweep>[] = [];
for (let rep = 0; rep < 2; rep++) {
  ones.push(sweep(1));
  twos.push(sweep(2));
}
const best = (xs: ReturnType<typeof sweep>[]) => xs.reduce((a, b) => (b.ms < a.ms ? b : a));
const one = best(ones);
const two = best(twos);
console.log("");
console.log("| workers | runs GREEN | sweep wall time | mean run wall time | speed-up |");
console.log("|---:|---:|---:|---:|---:|");
console.log(`samples: 1 worker ${ones.map((x) => (x.ms / 1000).toFixed(1)).join(", ")} s; 2 workers ${twos.map((x) => (x.ms / 1000).toFixed(1)).join(", ")} s`);
console.log(`| 1 | ${one.green}/8 | ${(one.ms / 1000).toFixed(1)} s | ${(one.runMs / 1000).toFixed(2)} s | 1.00× |`);
console.log(`| 2 | ${two.green}/8 | ${(two.ms / 1000).toFixed(1)} s | ${(two.runMs / 1000).toFixed(2)} s | ${(one.ms / two.ms).toFixed(2)}× (target ≥ 1.7×) |`);
