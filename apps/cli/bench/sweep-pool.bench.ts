// The local pool's speed-up: 8 runs of examples/deconv-1d at 262 144 samples (seeds 0..7) as one
// `cflow sweep`, on 1 worker and on 2, timed end to end (process start to summary), alternated twice
// and the faster of each kept. Target on a 2-core machine: ≥ 1.7×. `pnpm bench` (after `pnpm build`).
// Before and after, the machine's own ceiling for that ratio: one run of the same flow alone, and
// pinned to each core (taskset) alone and side by side — a VM's cores need not be equal.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
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

const runArgs = ["run", example, "--param", "size=262144", "--seed", "0"];
const taskset = ["/usr/bin/taskset", "/bin/taskset"].find((p) => existsSync(p)) ?? null;

/** Wall ms of one `cflow run` of the sweep's flow, pinned to `cpu` when given (resolves when it exits). */
function timedRun(cpu: number | null): Promise<number> {
  const out = mkdtempSync(join(tmpdir(), "cflow-bench-run-"));
  const cmd = cpu === null ? [process.execPath, cli, ...runArgs, "--out", out] : [taskset!, "-c", String(cpu), process.execPath, cli, ...runArgs, "--out", out];
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd[0], cmd.slice(1), { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      const ms = performance.now() - t0;
      rmSync(out, { recursive: true, force: true });
      if (code === 0) resolve(ms);
      else reject(new Error(`cflow run${cpu === null ? "" : ` on cpu ${cpu}`} exited ${code}:\n${err}`));
    });
  });
}

/**
 * The most any pool of 2 workers could gain over 1 on this machine, from single runs: 1 worker runs
 * one flow after another as fast as a run alone (`alone`, unpinned: the second core takes its side
 * threads); 2 workers at best as fast as two runs side by side, each pinned to its own core
 * (`pair`: 1/t₀ + 1/t₁ runs per unit time). Ceiling = alone · (1/t₀ + 1/t₁), with no start-up,
 * scheduling or imbalance cost at all. Also each core's time alone, to show whether they differ.
 */
async function ceiling(): Promise<{ alone: number; cores: [number, number]; pair: [number, number]; ratio: number }> {
  const alone = await timedRun(null);
  const cores: [number, number] = [await timedRun(0), await timedRun(1)];
  const pair = (await Promise.all([timedRun(0), timedRun(1)])) as [number, number];
  return { alone, cores, pair, ratio: alone * (1 / pair[0] + 1 / pair[1]) };
}

function printCeiling(when: string, c: Awaited<ReturnType<typeof ceiling>>): void {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(`ceiling ${when}: one run alone ${s(c.alone)}; pinned alone cpu0 ${s(c.cores[0])}, cpu1 ${s(c.cores[1])}; pinned side by side cpu0 ${s(c.pair[0])}, cpu1 ${s(c.pair[1])} → **${c.ratio.toFixed(2)}×** at most`);
}

console.log(`cflow sweep pool benchmark — node ${process.version}, ${new Date().toISOString()}`);
console.log(`command: node dist/cli.js ${args.join(" ").replace(example, "examples/deconv-1d")} --workers <1|2>`);
// alternated and repeated, the best of each kept: a burst of load from elsewhere spoils one sample, not the ratio
const before = taskset ? await ceiling() : null;
const ones: ReturnType<typeof sweep>[] = [];
const twos: ReturnType<typeof sweep>[] = [];
for (let rep = 0; rep < 2; rep++) {
  ones.push(sweep(1));
  twos.push(sweep(2));
}
const after = taskset ? await ceiling() : null;
const best = (xs: ReturnType<typeof sweep>[]) => xs.reduce((a, b) => (b.ms < a.ms ? b : a));
const one = best(ones);
const two = best(twos);
console.log("");
console.log("| workers | runs GREEN | sweep wall time | mean run wall time | speed-up |");
console.log("|---:|---:|---:|---:|---:|");
console.log(`samples: 1 worker ${ones.map((x) => (x.ms / 1000).toFixed(1)).join(", ")} s; 2 workers ${twos.map((x) => (x.ms / 1000).toFixed(1)).join(", ")} s`);
console.log(`| 1 | ${one.green}/8 | ${(one.ms / 1000).toFixed(1)} s | ${(one.runMs / 1000).toFixed(2)} s | 1.00× |`);
console.log(`| 2 | ${two.green}/8 | ${(two.ms / 1000).toFixed(1)} s | ${(two.runMs / 1000).toFixed(2)} s | ${(one.ms / two.ms).toFixed(2)}× (target ≥ 1.7×) |`);
console.log("");
if (before && after) {
  printCeiling("before", before);
  printCeiling("after", after);
  const ceil = Math.min(before.ratio, after.ratio);
  console.log(`the pool's ratio ${(one.ms / two.ms).toFixed(2)}× is ${((100 * (one.ms / two.ms - 1)) / (ceil - 1)).toFixed(0)}% of the way from 1× to this machine's lower ceiling ${ceil.toFixed(2)}×`);
} else console.log("ceiling not measured: taskset (util-linux) not found");
