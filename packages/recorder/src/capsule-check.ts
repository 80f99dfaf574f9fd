import { CflowError } from "@cflow/core";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { capsulePath } from "./capsule-files.js";
import { MANIFEST_FILE, readKvMetadataOf, tableFileList, tableFiles, TABLES, type TableFiles, type TableName } from "./capsule-layout.js";
import { loadRunManifest, type RunManifest } from "./manifest.js";
import { checkSchemaVersion } from "./schema-version.js";

/**
 * The telemetry and events files of a capsule, each checked against its manifest before anyone
 * reads or writes the tables: the file opens (a truncated or overwritten one is named in
 * CAPSULE_TABLE_DAMAGED), and its key-value metadata says this table, this run, a readable
 * schema_version and the manifest's dtype (CAPSULE_DTYPE_MISMATCH names both files otherwise).
 * Only the Parquet footers are read.
 */
export async function checkCapsuleTables(conn: DuckDBConnection, runDir: string, manifest: RunManifest): Promise<Record<TableName, TableFiles>> {
  const manifestFile = capsulePath(runDir, MANIFEST_FILE);
  const out = {} as Record<TableName, TableFiles>;
  for (const table of TABLES) {
    const files = await tableFiles(conn, runDir, table);
    const metadata = await readKvMetadataOf(conn, tableFileList(files), table);
    for (const [file, kv] of metadata) {
      const mismatch = (key: string, expected: string, code = "CAPSULE_TABLE_MISMATCH"): never => {
        throw new CflowError(code, `${file}: key-value metadata ${key} = ${JSON.stringify(kv[key] ?? null)}, but ${manifestFile} says ${expected}`, {
          path: file,
          expected: `${key} = ${expected} (as ${manifestFile} says)`,
          found: `${key} = ${JSON.stringify(kv[key] ?? null)} in ${file}`,
          hint: "the file was edited, or copied from another run; restore the capsule from a copy",
        });
      };
      if (kv.cflow_table !== table) mismatch("cflow_table", table);
      checkSchemaVersion(kv.schema_version, file);
      if (kv.dtype !== manifest.dtype) mismatch("dtype", manifest.dtype, "CAPSULE_DTYPE_MISMATCH");
      if (kv.run_id !== manifest.run_id) mismatch("run_id", manifest.run_id);
    }
    out[table] = files;
  }
  return out;
}

/**
 * Reads a capsule honestly: the manifest (`loadRunManifest`: present, readable schema_version,
 * dtype agreeing with the checkpoints) and every Parquet file of its record (`checkCapsuleTables`).
 * Returns the manifest; throws a CflowError naming the file at fault. Writes nothing.
 */
export async function verifyCapsule(runDir: string): Promise<RunManifest> {
  const manifest = loadRunManifest(runDir);
  const db = await DuckDBInstance.create(":memory:", { threads: "1" });
  const conn = await db.connect();
  try {
    await checkCapsuleTables(conn, runDir, manifest);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
  return manifest;
}
