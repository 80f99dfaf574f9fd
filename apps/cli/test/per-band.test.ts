// `--per-band` reaches the tuner: `cflow run` seeds one λ_j per wavelet level from band
// statistics (policies.tuner.perBand), records the flag so `resume` keeps it, and without the
// flag the spec's weights stay.
import { join } from "node:path";
import { loadRunManifest, queryRuns } from "@cflow/recorder";
import { describe, expect, it } from "vitest";
import { EXIT_CODES } from "../src/exit-codes.js";
import { EXAMPLES, cli, tempDir } from "./helpers.js";

const dir = tempDir("per-band");
const SPEC = join(EXAMPLES, "deconv-1d");

async function seedMoves(flags: string[], runs: string): Promise<{ capsule: string; seeds: { note: string; to: { lambda_j: number[] } }[] }> {
  const r = await cli(["run", SPEC, "--param", "size=512", "--max-iters", "40", "--out", runs, ...flags], { cwd: dir });
  // 40 iterations end the feasibility sweep before a certificate passes: the budget ran out (TIMEOUT)
  expect([EXIT_CODES.OK.code, EXIT_CODES.TIMEOUT.code]).toContain(r.code);
  const capsule = r.stdout.match(/^capsule: (.+)$/m)![1].trim();
  const rows = await queryRuns("SELECT payload FROM events WHERE event = 'TUNER_MOVE_TRY'", join(dir, capsule));
  const seeds = rows.map((e) => JSON.parse(String(e.payload))).filter((p) => p.trial === 0 && String(p.note).startsWith("seed:"));
  return { capsule: join(dir, capsule), seeds };
}

describe("cflow run --per-band", () => {
  it("seeds λ_j from band statistics and records the flag; without it the spec's weights stay", async () => {
    const on = await seedMoves(["--per-band"], "runs-on");
    expect(on.seeds).toHaveLength(1);
    expect(on.seeds[0].note).toMatch(/^seed: λ_j seeded from median\(\|W_j x\|\)·1/);
    const lambdaJ = on.seeds[0].to.lambda_j;
    expect(lambdaJ).toHaveLength(6);
    expect(new Set(lambdaJ).size).toBeGreaterThan(1);
    expect((loadRunManifest(on.capsule).extra as { cli: { per_band?: boolean } }).cli.per_band).toBe(true);

    const off = await seedMoves([], "runs-off");
    expect(off.seeds).toEqual([]);
    expect((loadRunManifest(off.capsule).extra as { cli: { per_band?: boolean } }).cli.per_band).toBeUndefined();
  });
});
