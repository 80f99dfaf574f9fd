import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { CflowError, isDtype, type Dtype, type Json, type Phase, type RunStartInfo, type RunSummary } from "@cflow/core";
import { parse, stringify } from "smol-toml";
import { capsulePath, writeCapsuleFile } from "./capsule-files.js";
import { ARTIFACT_DIR, FINAL_STATE_FILE, MANIFEST_FILE } from "./capsule-layout.js";
import { peekCheckpointHeader } from "./checkpoint-file.js";
import { listCheckpoints } from "./checkpoint-store.js";
import { checkSchemaVersion, SCHEMA_VERSION } from "./schema-version.js";

/** A TOML-representable value (TOML has no null: absent keys stand for null, SCHEMA.md "Manifest"). */
export type TomlValue = string | number | boolean | TomlValue[] | { [key: string]: TomlValue };
export type TomlTable = { [key: string]: TomlValue };

export type RunStatus = "RUNNING" | RunSummary["status"];

export interface SlotRecord {
  name: string;
  shape: number[];
  manifold: string;
}

export interface StateStats {
  mean: number;
  norm2: number;
  /** Absent when artifacts are redacted: a minimum or maximum is one element of the array. */
  min?: number;
  max?: number;
}

/** manifest.toml, as written and as `loadRunManifest` returns it (keys as in the file). */
export interface RunManifest {
  schema_version: number;
  run_id: string;
  /**
   * Random identity of the capsule, fixed at creation (absent in schema_version 1 capsules). Every
   * checkpoint header carries it: a checkpoint from another capsule is refused on resume.
   */
  capsule_id?: string;
  status: RunStatus;
  started_at: string;
  updated_at: string;
  finished_at?: string;
  dtype: Dtype;
  seed: number;
  rng_key: [number, number];
  deterministic: boolean;
  redact_artifacts: boolean;
  flow_family: string;
  frame_type?: string;
  lens?: string;
  versions: Record<string, string>;
  slots: SlotRecord[];
  gates: { eta_max: number; gamma_min: number };
  budgets: { max_iters: number; max_trials: number; wall_time_ms?: number };
  recording: { recorder: string; flush_every_rows: number; flush_every_seconds: number; keep_checkpoints: number };
  checkpoints: { latest?: string; latest_iter?: number; latest_phase?: Phase; latest_good?: string; latest_good_iter?: number };
  compile_report: TomlTable;
  extra: TomlTable;
  resumes?: { at: string; from_checkpoint: string; iter: number; versions: Record<string, string> }[];
  summary?: {
    status: RunSummary["status"];
    phase: Phase;
    iters: number;
    final_energy?: number;
    /** Why the iterations ended (families that stop on optimality). */
    stop_reason?: string;
    optimality?: number;
    /** The final certificate's bound on ‖x − x*_S‖ (a GREEN run whose certificate carries one). */
    error_bar?: { bound: number; gradient_mapping: number; route: string; failure_probability: number };
    t_wall_ms: number;
    state: Record<string, StateStats>;
  };
  artifacts?: { final_state?: string; run_card?: string };
}

/** The manifest of a starting run. */
export function initialManifest(info: RunStartInfo, recording: RunManifest["recording"]): RunManifest {
  const m: RunManifest = {
    schema_version: SCHEMA_VERSION,
    run_id: info.runId,
    capsule_id: newCapsuleId(),
    status: "RUNNING",
    started_at: info.startedAt,
    updated_at: new Date().toISOString(),
    dtype: info.dtype,
    seed: info.seed,
    rng_key: [info.rngKey[0], info.rngKey[1]],
    deterministic: info.deterministic,
    redact_artifacts: info.redactArtifacts,
    flow_family: info.flowFamily,
    versions: { ...info.versions },
    slots: info.slots.map((s) => ({ name: s.name, shape: [...s.shape], manifold: s.manifold })),
    gates: { eta_max: info.gates.etaMax, gamma_min: info.gates.gammaMin },
    budgets: { max_iters: info.budgets.maxIters, max_trials: info.budgets.maxTrials },
    recording,
    checkpoints: {},
    compile_report: tomlTable(asTable(info.compileReport)),
    extra: tomlTable(info.extra),
  };
  if (info.frameType !== null) m.frame_type = info.frameType;
  if (info.lensName !== null) m.lens = info.lensName;
  if (info.budgets.wallTimeMs !== null) m.budgets.wall_time_ms = info.budgets.wallTimeMs;
  return m;
}

/** 128 random bits, hex: a capsule's identity. */
export function newCapsuleId(): string {
  return randomBytes(16).toString("hex");
}

/** Writes manifest.toml atomically (temp, fsync, rename, fsync directory): a crash leaves the old or the new one. */
export function writeManifest(runDir: string, m: RunManifest): void {
  m.updated_at = new Date().toISOString();
  writeCapsuleFile(runDir, MANIFEST_FILE, stringify(m));
}

/**
 * Reads and validates `<runDir>/manifest.toml`: TOML syntax, the schema_version contract (older
 * compatible accepted, newer or unknown refused naming both versions), the keys readers rely on,
 * and the dtype every checkpoint and the final state carry (a manifest whose dtype was edited is
 * refused naming both files). The Parquet tables are checked by `checkCapsuleTables`.
 */
export function loadRunManifest(runDir: string): RunManifest {
  const file = capsulePath(runDir, MANIFEST_FILE);
  if (!existsSync(file)) {
    throw new CflowError("MANIFEST_MISSING", `${file}: no manifest — ${runDir} is not a run capsule`, {
      path: file,
      expected: "a run directory holding manifest.toml",
      found: "no manifest.toml",
      hint: "capsules live under runs/<run_id>; a capsule whose manifest was deleted cannot be read",
    });
  }
  let raw: Record<string, unknown>;
  try {
    raw = parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (e) {
    throw new CflowError("MANIFEST_INVALID", `${file}: not valid TOML (${(e as Error).message.split("\n")[0]})`, { path: file });
  }
  checkSchemaVersion(raw.schema_version, file);
  const need = (key: string, ok: (v: unknown) => boolean, expected: string): void => {
    if (!ok(raw[key])) {
      throw new CflowError("MANIFEST_INVALID", `${file}: key ${key} expected ${expected}, found ${JSON.stringify(raw[key]) ?? "(missing)"}`, {
        path: `${file}#${key}`,
        expected,
        found: raw[key],
      });
    }
  };
  need("run_id", (v) => typeof v === "string" && v.length > 0, "a run id");
  need("status", (v) => typeof v === "string", "a status string");
  need("dtype", isDtype, "float32 | float64");
  need("redact_artifacts", (v) => typeof v === "boolean", "a boolean");
  need(
    "slots",
    (v) =>
      Array.isArray(v) &&
      v.every(
        (s) =>
          typeof s === "object" &&
          s !== null &&
          typeof (s as SlotRecord).name === "string" &&
          Array.isArray((s as SlotRecord).shape) &&
          (s as SlotRecord).shape.every((d) => Number.isInteger(d) && d >= 0),
      ),
    "an array of { name, shape = [non-negative integers], manifold }",
  );
  need("checkpoints", (v) => typeof v === "object" && v !== null && !Array.isArray(v), "a table");
  if (raw.capsule_id !== undefined) need("capsule_id", (v) => typeof v === "string" && /^[0-9a-f]{32}$/.test(v), "32 hex digits");
  const m = raw as unknown as RunManifest;
  checkArrayFilesDtype(runDir, m, file);
  return m;
}

/** Checkpoints and the final state hold arrays of the manifest's dtype (headers only: no array is read). */
function checkArrayFilesDtype(runDir: string, m: RunManifest, manifestFile: string): void {
  const finalState = capsulePath(runDir, `${ARTIFACT_DIR}/${FINAL_STATE_FILE}`);
  const files = [...listCheckpoints(runDir).map((c) => c.path), ...(existsSync(finalState) ? [finalState] : [])];
  for (const path of files) {
    const h = peekCheckpointHeader(path);
    if (h === null || h.dtype === m.dtype) continue; // an unreadable header is a torn checkpoint: resume passes over it
    throw new CflowError("CAPSULE_DTYPE_MISMATCH", `${manifestFile} says dtype ${m.dtype}, but ${path} holds ${JSON.stringify(h.dtype)} arrays`, {
      path,
      expected: `dtype ${m.dtype} (as ${manifestFile} says)`,
      found: `dtype ${JSON.stringify(h.dtype)} in ${path}`,
      hint: "one of the two files was edited or copied from another run; restore the capsule from a copy",
    });
  }
}

function asTable(v: Json): { [key: string]: Json } {
  if (v === null) return {};
  return typeof v === "object" && !Array.isArray(v) ? v : { value: v };
}

/** JSON → TOML: null object members are omitted, null array elements become nan (numeric arrays) or "null". */
export function tomlTable(v: { [key: string]: Json }): TomlTable {
  const out: TomlTable = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = tomlValue(x);
  return out;
}

function tomlValue(v: Exclude<Json, null>): TomlValue {
  if (Array.isArray(v)) {
    const numeric = v.every((x) => x === null || typeof x === "number");
    return v.map((x) => (x === null ? (numeric ? Number.NaN : "null") : tomlValue(x)));
  }
  if (typeof v === "object") return tomlTable(v);
  return v;
}
