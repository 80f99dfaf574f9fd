// With redactArtifacts no array data appears anywhere in the capsule: every byte of every file
// is scanned for the arrays' binary encodings and their decimal text.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { DTYPES, type Dtype, type RealArray } from "@cflow/core";
import { describe, expect, test } from "vitest";
import { recorder, resumeRun } from "../src/index.js";
import { row, startInfo, tempRunsDir } from "./fixtures.js";

/**
 * Recognisable values, nowhere near anything a metric or timestamp would produce. Not an
 * arithmetic progression: its mean (a summary statistic the manifest keeps) would be an element.
 */
function secret(dtype: Dtype, n: number, base: number): RealArray {
  const a = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = base + i * i * 0.0625;
  return a;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Every (file, value) where an element of `arrays` occurs as its little-endian bytes or as decimal text. */
function leaks(runDir: string, arrays: RealArray[]): string[] {
  const found: string[] = [];
  for (const file of filesUnder(runDir)) {
    const bytes = readFileSync(file);
    const text = bytes.toString("latin1");
    for (const a of arrays) {
      for (let i = 0; i < a.length; i++) {
        const one = a.subarray(i, i + 1);
        const le = Buffer.from(one.buffer, one.byteOffset, one.byteLength);
        if (bytes.indexOf(le) >= 0) found.push(`${file}: bytes of ${a[i]}`);
        if (text.includes(String(a[i]))) found.push(`${file}: text ${a[i]}`);
      }
    }
  }
  return found;
}

async function recordRun(dtype: Dtype, redact: boolean, by: "start" | "option" = "start"): Promise<{ dir: string; arrays: RealArray[] }> {
  const x = secret(dtype, 12, 48611.5);
  const q = secret(dtype, 5, 73529.25);
  const prev = secret(dtype, 12, 91733.75);
  const byOption = by === "option";
  const rec = recorder({ runsDir: tempRunsDir("privacy"), runId: `p-${dtype}-${redact}-${by}`, flushEveryRows: 3, redactArtifacts: byOption && redact });
  await rec.start(startInfo(rec.runId, dtype, { redactArtifacts: !byOption && redact }));
  for (let i = 0; i < 12; i++) {
    rec.telemetry(row(i));
    if (i % 4 === 3) await rec.checkpoint({ iter: i, phase: "GREEN", good: true, arrays: { x, q, x_prev: prev }, controllerState: { i }, tunerState: null, rngKey: [1, 2] });
  }
  const stats = (a: RealArray) => {
    let min = Infinity;
    let max = -Infinity;
    let s = 0;
    let s2 = 0;
    for (const v of a) {
      min = Math.min(min, v);
      max = Math.max(max, v);
      s += v;
      s2 += v * v;
    }
    return { min, max, mean: s / a.length, norm2: Math.sqrt(s2) };
  };
  await rec.finish({ status: "FINISHED", phase: "GREEN", iters: 12, finalEnergy: 1, tWallMs: 5, runCard: { pass: true }, stateSummary: { x: stats(x), q: stats(q) }, finalState: { x, q } });
  return { dir: rec.runDir, arrays: [x, q, prev] };
}

describe.each(DTYPES)("privacy (%s)", (dtype) => {
  test("a redacted capsule holds no array value in any file", async () => {
    const { dir, arrays } = await recordRun(dtype, true);
    expect(filesUnder(dir).some((f) => f.includes("checkpoints"))).toBe(true);
    expect(leaks(dir, arrays)).toEqual([]);
    expect(() => resumeRun(dir)).toThrow(/cannot be resumed/);
  });

  test("recorder({ redactArtifacts: true }) redacts even when the controller does not ask", async () => {
    const { dir, arrays } = await recordRun(dtype, true, "option");
    expect(readFileSync(join(dir, "manifest.toml"), "utf8")).toContain("redact_artifacts = true");
    expect(leaks(dir, arrays)).toEqual([]);
    expect(() => resumeRun(dir)).toThrow(/cannot be resumed/);
  });

  test("the same scan finds the values in an unredacted capsule (the scan can fail)", async () => {
    const { dir, arrays } = await recordRun(dtype, false);
    const found = leaks(dir, arrays);
    expect(found.some((f) => f.includes("ckpt-") && f.includes(`bytes of ${arrays[2][3]}`))).toBe(true);
    expect(found.some((f) => f.includes("final_state.cfck"))).toBe(true);
    expect(found.some((f) => f.includes("manifest.toml") && f.includes("text"))).toBe(true);
  });
});
