import { createHash } from "node:crypto";
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { endianness } from "node:os";
import { bytesPerElement, CflowError, dtypeOf, isDtype, type Dtype, type Json, type Phase, type RealArray, type RngKey } from "@cflow/core";

/**
 * The checkpoint container (`.cfck`, SCHEMA.md "Checkpoint format"):
 *
 *   magic "CFLOWCKP" | u32 LE format version | u32 LE header length H | header JSON (H bytes)
 *   | zero padding to 8 | array payloads (raw little-endian, each padded to 8) | SHA-256 of all before
 *
 * The trailing SHA-256 covers header and array bytes, so a torn write (SIGKILL mid-write of a
 * file that was later renamed by mistake, a truncated copy) or flipped bits are detected on load.
 */
export const CHECKPOINT_MAGIC = "CFLOWCKP";
export const CHECKPOINT_FORMAT_VERSION = 1;
const PREFIX = 16;
const DIGEST = 32;

export interface CheckpointArrayEntry {
  name: string;
  dtype: Dtype;
  length: number;
  /** Byte offset from the start of the payload area; absent when the checkpoint is redacted. */
  offset?: number;
  byte_length?: number;
}

/** The header of a checkpoint or final-state file (snake_case: it is part of the file format). */
export interface CheckpointHeader {
  schema_version: number;
  kind: "checkpoint" | "final_state";
  run_id: string;
  /** The manifest's `capsule_id` (schema_version ≥ 2): binds the checkpoint to its capsule. */
  capsule_id?: string;
  seq: number;
  iter: number;
  phase: Phase;
  good: boolean;
  dtype: Dtype;
  rng_key: [number, number];
  controller_state: Json;
  tuner_state: Json;
  /** True when the run redacts artifacts: array names and lengths only, no array bytes. */
  redacted: boolean;
  /** Telemetry rows and events recorded when the checkpoint was taken (resume keeps exactly these). */
  telemetry_rows: number;
  event_rows: number;
  created_at: string;
  arrays: CheckpointArrayEntry[];
}

export interface DecodedCheckpoint {
  header: CheckpointHeader;
  /** Empty when the checkpoint is redacted. */
  arrays: Record<string, RealArray>;
}

/** The byte chunks of a checkpoint file (the last one is the digest). */
export function encodeCheckpoint(header: Omit<CheckpointHeader, "arrays">, arrays: Record<string, RealArray>): Uint8Array[] {
  const entries: CheckpointArrayEntry[] = [];
  const payloads: Uint8Array[] = [];
  let offset = 0;
  for (const [name, a] of Object.entries(arrays)) {
    const dtype = dtypeOf(a);
    if (header.redacted) {
      entries.push({ name, dtype, length: a.length });
      continue;
    }
    const bytes = littleEndianBytes(a);
    entries.push({ name, dtype, length: a.length, offset, byte_length: bytes.byteLength });
    payloads.push(bytes);
    const pad = padTo8(bytes.byteLength) - bytes.byteLength;
    if (pad) payloads.push(new Uint8Array(pad));
    offset += bytes.byteLength + pad;
  }
  const json = Buffer.from(JSON.stringify({ ...header, arrays: entries }), "utf8");
  const prefix = Buffer.alloc(PREFIX);
  prefix.write(CHECKPOINT_MAGIC, 0, "ascii");
  prefix.writeUInt32LE(CHECKPOINT_FORMAT_VERSION, 8);
  prefix.writeUInt32LE(json.byteLength, 12);
  const headPad = new Uint8Array(padTo8(PREFIX + json.byteLength) - PREFIX - json.byteLength);
  const chunks: Uint8Array[] = [prefix, json, headPad, ...payloads];
  const hash = createHash("sha256");
  for (const c of chunks) hash.update(c);
  chunks.push(hash.digest());
  return chunks;
}

/** Reads and verifies a checkpoint file; throws CHECKPOINT_CORRUPT naming the file and the defect. */
export function readCheckpointFile(path: string): DecodedCheckpoint {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new CflowError("CHECKPOINT_UNREADABLE", `${path}: cannot read checkpoint (${(e as Error).message})`, { path });
  }
  return decodeCheckpoint(bytes, path);
}

export function decodeCheckpoint(bytes: Uint8Array, path: string): DecodedCheckpoint {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const corrupt = (what: string, expected?: unknown, found?: unknown): never => {
    throw new CflowError("CHECKPOINT_CORRUPT", `${path}: corrupt checkpoint — ${what}`, { path, expected, found });
  };
  if (buf.byteLength < PREFIX + DIGEST) corrupt(`file is ${buf.byteLength} bytes, shorter than the smallest checkpoint`, `at least ${PREFIX + DIGEST} bytes`, buf.byteLength);
  const magic = buf.toString("ascii", 0, 8);
  if (magic !== CHECKPOINT_MAGIC) corrupt("bad magic", CHECKPOINT_MAGIC, magic);
  const version = buf.readUInt32LE(8);
  if (version !== CHECKPOINT_FORMAT_VERSION) {
    throw new CflowError("CHECKPOINT_FORMAT", `${path}: checkpoint format version ${version}, this reader reads version ${CHECKPOINT_FORMAT_VERSION}`, {
      path,
      expected: CHECKPOINT_FORMAT_VERSION,
      found: version,
    });
  }
  const digest = createHash("sha256").update(buf.subarray(0, buf.byteLength - DIGEST)).digest();
  const stored = buf.subarray(buf.byteLength - DIGEST);
  if (!digest.equals(stored)) corrupt("SHA-256 checksum mismatch (torn or modified file)", digest.toString("hex"), stored.toString("hex"));
  const headerLength = buf.readUInt32LE(12);
  if (PREFIX + headerLength > buf.byteLength - DIGEST) corrupt("header length runs past the end of the file", `≤ ${buf.byteLength - DIGEST - PREFIX}`, headerLength);
  let header: CheckpointHeader;
  try {
    header = JSON.parse(buf.toString("utf8", PREFIX, PREFIX + headerLength)) as CheckpointHeader;
  } catch (e) {
    return corrupt(`header is not valid JSON (${(e as Error).message})`);
  }
  if (!isDtype(header.dtype)) corrupt("header dtype", "float32 | float64", header.dtype);
  if (!Array.isArray(header.arrays)) corrupt("header has no array table", "arrays: [...]", header.arrays);
  const dataStart = padTo8(PREFIX + headerLength);
  const dataEnd = buf.byteLength - DIGEST;
  const arrays: Record<string, RealArray> = {};
  for (const a of header.arrays) {
    if (!isDtype(a.dtype) || !Number.isInteger(a.length) || a.length < 0) corrupt(`array ${a.name}: bad entry`, "dtype float32|float64 and a length", a);
    if (header.redacted) continue;
    const expectedBytes = a.length * bytesPerElement(a.dtype);
    if (a.byte_length !== expectedBytes) corrupt(`array ${a.name}: byte length`, expectedBytes, a.byte_length);
    const start = dataStart + (a.offset ?? -1);
    if (!Number.isInteger(a.offset) || a.offset! < 0 || start + expectedBytes > dataEnd) corrupt(`array ${a.name}: payload outside the file`, `within [${dataStart}, ${dataEnd})`, start);
    arrays[a.name] = fromLittleEndianBytes(a.dtype, buf.subarray(start, start + expectedBytes));
  }
  return { header, arrays };
}

const LITTLE_ENDIAN_HOST = endianness() === "LE";

function littleEndianBytes(a: RealArray): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const out = new Uint8Array(a.byteLength);
  const dv = new DataView(out.buffer);
  const wide = a instanceof Float64Array;
  for (let i = 0; i < a.length; i++) {
    if (wide) dv.setFloat64(i * 8, a[i], true);
    else dv.setFloat32(i * 4, a[i], true);
  }
  return out;
}

function fromLittleEndianBytes(dtype: Dtype, bytes: Uint8Array): RealArray {
  const bpe = bytesPerElement(dtype);
  const n = bytes.byteLength / bpe;
  const out = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  if (LITTLE_ENDIAN_HOST) {
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) out[i] = bpe === 8 ? dv.getFloat64(i * 8, true) : dv.getFloat32(i * 4, true);
  return out;
}

function padTo8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/**
 * The header alone, unverified (no checksum: the arrays are not read). Good enough to decide which
 * checkpoints to keep; anything that restores state goes through `readCheckpointFile`.
 */
export function peekCheckpointHeader(path: string): CheckpointHeader | null {
  try {
    const fd = openSync(path, "r");
    try {
      const prefix = Buffer.alloc(PREFIX);
      if (readSync(fd, prefix, 0, PREFIX, 0) < PREFIX || prefix.toString("ascii", 0, 8) !== CHECKPOINT_MAGIC) return null;
      const json = Buffer.alloc(prefix.readUInt32LE(12));
      if (readSync(fd, json, 0, json.byteLength, PREFIX) < json.byteLength) return null;
      return JSON.parse(json.toString("utf8")) as CheckpointHeader;
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}

/** A plain RNG key from a header (rejecting anything that is not two uint32 words). */
export function headerRngKey(h: CheckpointHeader, path: string): RngKey {
  const k = h.rng_key;
  if (!Array.isArray(k) || k.length !== 2 || !k.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)) {
    throw new CflowError("CHECKPOINT_CORRUPT", `${path}: rng_key must be two uint32 words, found ${JSON.stringify(k)}`, { path, expected: "[uint32, uint32]", found: k });
  }
  return [k[0], k[1]];
}
