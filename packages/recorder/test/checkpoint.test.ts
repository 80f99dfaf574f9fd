// Checkpoints: bit-exact round trip, corruption detected (flipped bytes, truncation), fallback to
// the previous good one with a logged warning, and resume refusing what does not fit the manifest.
import { copyFileSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CflowError, DTYPES, type Dtype } from "@cflow/core";
import { describe, expect, test } from "vitest";
import { checkSchemaVersion, listCheckpoints, MIN_READABLE_SCHEMA_VERSION, readCheckpointFile, readRunLog, recorder, resumeRun, SCHEMA_VERSION } from "../src/index.js";
import { decodeCheckpoint, encodeCheckpoint } from "../src/checkpoint-file.js";
import { checkpointAt, row, startInfo, tempRunsDir } from "./fixtures.js";

/** A killed run's capsule with checkpoints at iterations 9, 19, 29 (seq 1..3). */
async function capsuleWithCheckpoints(dtype: Dtype, tag: string, redact = false): Promise<string> {
  const rec = recorder({ runsDir: tempRunsDir(tag), runId: `${tag}-${dtype}`, flushEveryRows: 6 });
  await rec.start(startInfo(rec.runId, dtype, { redactArtifacts: redact }));
  for (let i = 0; i < 30; i++) {
    rec.telemetry(row(i));
    if (i % 10 === 9) await rec.checkpoint(checkpointAt(dtype, i));
  }
  await rec.flush();
  return rec.runDir;
}

function ckptPath(dir: string, seq: number): string {
  return join(dir, "checkpoints", `ckpt-${String(seq).padStart(6, "0")}.cfck`);
}

function caughtSync(fn: () => unknown): CflowError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CflowError);
    return e as CflowError;
  }
  throw new Error("expected a CflowError");
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CflowError);
    return (e as CflowError).code;
  }
  throw new Error("expected a CflowError");
}

describe.each(DTYPES)("checkpoint container (%s)", (dtype) => {
  test("round-trips arrays bit for bit, including NaN payloads, -0, subnormals and infinities", () => {
    const a = dtype === "float64" ? new Float64Array(11) : new Float32Array(11);
    const special = [Number.NaN, -0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, dtype === "float64" ? 5e-324 : 1.4e-45, 1 / 3, -1e30, 7, 1e-300, 123.456];
    a.set(special);
    const bits = new Uint8Array(a.buffer.slice(0));
    const header = { schema_version: 1, kind: "checkpoint" as const, run_id: "r", seq: 1, iter: 3, phase: "GREEN" as const, good: true, dtype, rng_key: [1, 2] as [number, number], controller_state: { a: [1, null] }, tuner_state: null, redacted: false, telemetry_rows: 4, event_rows: 1, created_at: "t" };
    const bytes = Buffer.concat(encodeCheckpoint(header, { a, empty: dtype === "float64" ? new Float64Array(0) : new Float32Array(0) }));
    const back = decodeCheckpoint(bytes, "mem.cfck");
    expect(new Uint8Array(back.arrays.a.buffer)).toEqual(bits);
    expect(back.arrays.a.constructor).toBe(a.constructor);
    expect(back.arrays.empty.length).toBe(0);
    expect(back.header).toMatchObject({ ...header, controller_state: { a: [1, null] } });
    // Little-endian on disk: the first payload bytes are the first element's LE encoding.
    const payloadStart = bytes.indexOf(Buffer.from(bits.subarray(0, 8)));
    expect(payloadStart % 8).toBe(0);
  });

  test("flipped bytes anywhere and truncation at any length are detected", async () => {
    const dir = await capsuleWithCheckpoints(dtype, "corrupt");
    const good = readFileSync(ckptPath(dir, 3));
    const positions = [0, 9, 13, 20, 60, Math.floor(good.length / 2), good.length - 40, good.length - 1];
    for (const p of positions) {
      const bad = Buffer.from(good);
      bad[p] ^= 0x10;
      expect(codeOf(() => decodeCheckpoint(bad, "f.cfck")), `flip at ${p}`).toMatch(/CHECKPOINT_CORRUPT|CHECKPOINT_FORMAT/);
    }
    for (const n of [0, 7, 16, 48, good.length - 33, good.length - 1]) {
      expect(codeOf(() => decodeCheckpoint(good.subarray(0, n), "f.cfck")), `truncated to ${n}`).toBe("CHECKPOINT_CORRUPT");
    }
    expect(codeOf(() => decodeCheckpoint(Buffer.concat([good, Buffer.from([0])]), "f.cfck"))).toBe("CHECKPOINT_CORRUPT");
    expect(() => decodeCheckpoint(good.subarray(0, 100), "some/where.cfck")).toThrow(/some\/where.cfck: corrupt checkpoint/);
  });

  test("a torn or corrupted newest checkpoint falls back to the previous one, with a warning in logs.ndjson", async () => {
    const dir = await capsuleWithCheckpoints(dtype, "fallback");
    expect(resumeRun(dir)).toMatchObject({ iter: 29, warnings: [] });
    truncateSync(ckptPath(dir, 3), 200);
    const bytes = readFileSync(ckptPath(dir, 2));
    bytes[bytes.length - 100] ^= 0xff;
    writeFileSync(ckptPath(dir, 2), bytes);
    const r = resumeRun(dir);
    expect(r.iter).toBe(9);
    expect(r.state).toEqual(checkpointAt(dtype, 9).arrays);
    expect(r.rngKey).toEqual([9, 99]);
    expect(r.phase).toBe("GREEN");
    expect(r.tunerState).toEqual({ trial: 0, history: [1, 2, 3] });
    expect(r.controllerState).toEqual(checkpointAt(dtype, 9).controllerState);
    expect(r.resumePoint).toEqual({ runId: `fallback-${dtype}`, checkpoint: "ckpt-000001.cfck", iter: 9, telemetryRows: 10, eventRows: 1 });
    expect(r.warnings).toHaveLength(2);
    const warns = readRunLog(dir).filter((l) => l.level === "warn");
    expect(warns.map((w) => [w.code, w.file, w.used])).toEqual([
      ["CHECKPOINT_CORRUPT", ckptPath(dir, 3), ckptPath(dir, 1)],
      ["CHECKPOINT_CORRUPT", ckptPath(dir, 2), ckptPath(dir, 1)],
    ]);
    truncateSync(ckptPath(dir, 1), 0);
    expect(() => resumeRun(dir)).toThrow(/no valid checkpoint — 3 corrupted/);
  });
});

describe("resume refuses what does not fit the manifest", () => {
  const editManifest = (dir: string, from: RegExp, to: string) => {
    const p = join(dir, "manifest.toml");
    const text = readFileSync(p, "utf8");
    expect(text).toMatch(from);
    writeFileSync(p, text.replace(from, to));
  };

  test("schema_version: newer or unknown refused naming both versions", async () => {
    const dir = await capsuleWithCheckpoints("float64", "schema");
    const newer = SCHEMA_VERSION + 1;
    editManifest(dir, new RegExp(`^schema_version = ${SCHEMA_VERSION}$`, "m"), `schema_version = ${newer}`);
    expect(() => resumeRun(dir)).toThrow(new RegExp(`manifest.toml: schema_version ${newer} is newer than this reader's schema_version ${SCHEMA_VERSION}`));
    editManifest(dir, new RegExp(`^schema_version = ${newer}$`, "m"), 'schema_version = "one"');
    expect(() => resumeRun(dir)).toThrow(new RegExp(`manifest.toml: unknown schema_version "one"; this reader understands schema_version ${MIN_READABLE_SCHEMA_VERSION}..${SCHEMA_VERSION}`));
  });

  test("the schema_version contract: every version from the oldest readable to the current is accepted", () => {
    for (let v = MIN_READABLE_SCHEMA_VERSION; v <= SCHEMA_VERSION; v++) expect(checkSchemaVersion(v, "f")).toBe(v);
    for (const bad of [SCHEMA_VERSION + 1, 0, -1, 1.5, "x", null, undefined]) expect(() => checkSchemaVersion(bad, "f")).toThrow(CflowError);
  });

  test("dtype mismatch between manifest and checkpoint: refused naming both files", async () => {
    const dir = await capsuleWithCheckpoints("float64", "dtype");
    editManifest(dir, /^dtype = "float64"$/m, 'dtype = "float32"');
    const err = caughtSync(() => resumeRun(dir));
    expect(err.code).toBe("CAPSULE_DTYPE_MISMATCH");
    expect(err.message).toContain(`${join(dir, "manifest.toml")} says dtype float32, but ${ckptPath(dir, 1)} holds "float64" arrays`);
  });

  test("arrays that do not match the manifest's slot shapes", async () => {
    const dir = await capsuleWithCheckpoints("float32", "shape");
    editManifest(dir, /shape = \[ 5 \]/, "shape = [ 6 ]");
    expect(() => resumeRun(dir)).toThrow(/resumeRun .*ckpt-000003.cfck slot q: shape mismatch — expected \[6\], found length 5/);
    editManifest(dir, /shape = \[ 6 \]/, "shape = [ 5 ]");
    editManifest(dir, /name = "q"/, 'name = "p"');
    expect(() => resumeRun(dir)).toThrow(/slot p: shape mismatch — expected \[5\], found missing/);
  });

  test("a redacted run cannot be resumed", async () => {
    const dir = await capsuleWithCheckpoints("float64", "redacted", true);
    expect(listCheckpoints(dir)).toHaveLength(3);
    expect(readCheckpointFile(ckptPath(dir, 3)).arrays).toEqual({});
    expect(() => resumeRun(dir)).toThrow(/redact_artifacts = true — its checkpoints hold no array data, so it cannot be resumed/);
  });

  test("no checkpoint, and a checkpoint of another run", async () => {
    const rec = recorder({ runsDir: tempRunsDir("none"), runId: "none" });
    await rec.start(startInfo("none"));
    expect(() => resumeRun(rec.runDir)).toThrow(/no checkpoint to resume from/);
    const other = await capsuleWithCheckpoints("float64", "foreign");
    copyFileSync(ckptPath(other, 3), ckptPath(rec.runDir, 1));
    expect(() => resumeRun(rec.runDir)).toThrow(/checkpoint of run foreign-float64, the manifest .*manifest.toml is run none/);
    expect(() => resumeRun(join(rec.runDir, "nope"))).toThrow(/nope: no such run directory/);
  });
});
