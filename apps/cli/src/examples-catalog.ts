import { cpSync, existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { CflowError, nearestName } from "@cflow/core";
import { makeDirectory } from "./out-dir.js";

/** A bundled example: a directory with a README.md (title, one-paragraph summary) and a spec module. */
export interface ExampleInfo {
  name: string;
  title: string;
  summary: string;
  /** Absolute path of the example's directory. */
  dir: string;
  /** File name of the spec module inside `dir`. */
  spec: string;
}

const SPEC_FILES = ["spec.ts", "spec.mts", "spec.js", "spec.mjs"];

/** The examples under `root`, sorted by name. A directory without README.md and a spec is not one. */
export function listExamples(root: string): ExampleInfo[] {
  if (!existsSync(root)) return [];
  const out: ExampleInfo[] = [];
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    if (!statSync(dir).isDirectory()) continue;
    const spec = SPEC_FILES.find((f) => existsSync(join(dir, f)));
    const readme = join(dir, "README.md");
    if (!spec || !existsSync(readme)) continue;
    out.push({ name, dir, spec, ...readmeHeading(readFileSync(readme, "utf8"), name) });
  }
  return out;
}

/** Title (the first `# ` heading) and summary (the first paragraph after it) of a README. */
export function readmeHeading(text: string, fallback: string): { title: string; summary: string } {
  const lines = text.split(/\r?\n/);
  const h = lines.findIndex((l) => /^#\s+/.test(l));
  const title = h >= 0 ? lines[h].replace(/^#\s+/, "").trim() : fallback;
  const para: string[] = [];
  for (const l of lines.slice(h + 1)) {
    if (l.trim() === "") {
      if (para.length) break;
      continue;
    }
    if (/^#/.test(l)) break;
    para.push(l.trim());
  }
  return { title, summary: para.join(" ") };
}

export function findExample(root: string, name: string): ExampleInfo {
  const all = listExamples(root);
  const hit = all.find((e) => e.name === name);
  if (hit) return hit;
  const near = nearestName(name, all.map((e) => e.name));
  throw new CflowError("EXAMPLE_UNKNOWN", `no bundled example "${name}"` + (near ? ` — did you mean "${near}"?` : ""), {
    path: root,
    found: name,
    expected: all.length ? `one of ${all.map((e) => e.name).join(", ")}` : "an example name (none are bundled in this installation)",
    hint: "cflow examples lists them",
  });
}

/**
 * Copies an example into `dest` (which must not exist or be empty: cflow never overwrites a
 * user's files). Returns the copied files, relative to `dest`.
 */
export function copyExample(example: ExampleInfo, dest: string): string[] {
  if (existsSync(dest) && (!statSync(dest).isDirectory() || readdirSync(dest).length > 0)) {
    throw new CflowError("EXAMPLE_DEST_EXISTS", `${dest} already exists and is not an empty directory; cflow does not overwrite it`, {
      path: dest,
      expected: "a new or empty directory",
      found: statSync(dest).isDirectory() ? `a directory with ${readdirSync(dest).length} entries` : "a file",
      hint: "choose another place with --out <dir>",
    });
  }
  makeDirectory(dest); // cpSync's own mkdir loops forever under /proc
  cpSync(example.dir, dest, { recursive: true, filter: (src) => !/[/\\](node_modules|runs|dist)$/.test(src) });
  return walk(dest, "");
}

function walk(root: string, rel: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, rel)).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    if (statSync(join(root, r)).isDirectory()) out.push(...walk(root, r));
    else out.push(r);
  }
  return out;
}
