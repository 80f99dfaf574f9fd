// "Install only what you need": pack @cflow/core, @cflow/manifolds and @cflow/plugin-graph with
// `pnpm pack`, install the tarballs with npm into a fresh project under the OS temp directory (no
// workspace, no links), run a script there that uses the plugin through a Registry, and check
// what npm put in node_modules. Packing needs each package's dist: `pnpm test` runs the builds
// first (turbo), and a package without dist is built here.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../..");
const packages = [
  { name: "@cflow/core", dir: join(root, "packages/core") },
  { name: "@cflow/manifolds", dir: join(root, "packages/manifolds") },
  { name: "@cflow/plugin-graph", dir: join(root, "plugins/graph") },
];
/** What a graph-plugin user must never download: the recorder's DuckDB/Arrow stack or the CLI. */
const FORBIDDEN = /duckdb|arrow|parquet|^@cflow\/(cli|recorder)$/i;

/** Every package npm installed (name@version), including nested node_modules. */
function installed(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith(".")) continue;
    if (entry.startsWith("@")) {
      for (const sub of readdirSync(join(dir, entry))) visit(join(dir, entry, sub), out);
    } else visit(join(dir, entry), out);
  }
  return out;
}

function visit(pkgDir: string, out: string[]): void {
  const manifest = join(pkgDir, "package.json");
  if (existsSync(manifest)) {
    const { name, version } = JSON.parse(readFileSync(manifest, "utf8")) as { name: string; version: string };
    out.push(`${name}@${version}`);
  }
  installed(join(pkgDir, "node_modules"), out);
}

/** `pnpm pack` of a workspace package into `dest`; builds it first when its dist is missing. */
function pack(p: { name: string; dir: string }, dest: string): string {
  if (!existsSync(join(p.dir, "dist", "index.js"))) execFileSync("pnpm", ["--filter", p.name, "build"], { cwd: root, stdio: "pipe" });
  const json = execFileSync("pnpm", ["pack", "--json", "--pack-destination", dest], { cwd: p.dir, encoding: "utf8" });
  return (JSON.parse(json.slice(json.indexOf("{"))) as { filename: string }).filename;
}

describe("the cflow CLI installed from its tarball outside the workspace", () => {
  const work = mkdtempSync(join(tmpdir(), "cflow-cli-install-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("installs with its hook packages and lists the registered plugins with `cflow plugins`", () => {
    const cli = [
      { name: "@cflow/core", dir: join(root, "packages/core") },
      { name: "@cflow/manifolds", dir: join(root, "packages/manifolds") },
      { name: "@cflow/fda", dir: join(root, "packages/fda") },
      { name: "@cflow/tuner", dir: join(root, "packages/tuner") },
      { name: "@cflow/recorder", dir: join(root, "packages/recorder") },
      { name: "@cflow/plugin-graph", dir: join(root, "plugins/graph") },
      { name: "@cflow/cli", dir: join(root, "apps/cli") },
    ];
    const tarballs = cli.map((p) => pack(p, work));
    const project = join(work, "project");
    execFileSync("mkdir", ["-p", project]);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "cflow-cli-install-check", private: true, type: "module" }, null, 2));
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", ...tarballs], { cwd: project, stdio: "pipe" });
    const bin = join(project, "node_modules", ".bin", "cflow");
    expect(existsSync(bin)).toBe(true);
    const out = JSON.parse(execFileSync(bin, ["plugins", "--plugin", "@cflow/plugin-graph", "--json"], { cwd: project, encoding: "utf8" })) as {
      result: { plugins?: { plugin: string; version: string }[]; entries?: { namespace: string; name: string; provider: { plugin: string; version: string } }[] } & Record<string, unknown>;
    };
    const text = JSON.stringify(out);
    // core's built-ins, the manifolds and the tuner, and the --plugin package, each with its provider and version
    expect(text).toContain("@cflow/core");
    expect(text).toContain("@cflow/manifolds");
    expect(text).toContain("gapDial");
    expect(text).toContain("graphLaplacian");
    expect(text).toContain("@cflow/plugin-graph");
    // the bundled examples ship inside the CLI's tarball
    const listed = execFileSync(bin, ["examples", "--json"], { cwd: project, encoding: "utf8" });
    expect(listed).toContain("deconv-2d");
  });
});

describe("packed tarballs installed outside the workspace", () => {
  const work = mkdtempSync(join(tmpdir(), "cflow-install-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("install without DuckDB, Arrow or the CLI, and run the graph plugin through a Registry", () => {
    const tarballs = packages.map((p) => {
      if (!existsSync(join(p.dir, "dist", "index.js"))) execFileSync("pnpm", ["--filter", p.name, "build"], { cwd: root, stdio: "pipe" });
      const json = execFileSync("pnpm", ["pack", "--json", "--pack-destination", work], { cwd: p.dir, encoding: "utf8" });
      const packed = JSON.parse(json.slice(json.indexOf("{"))) as { name: string; filename: string; files: { path: string }[] };
      expect(packed.name).toBe(p.name);
      // only the build output and the manifest ship (files: ["dist"])
      for (const f of packed.files) expect(f.path).toMatch(/^(dist\/|package\.json$|README\.md$|LICENSE)/);
      return packed.filename;
    });

    const project = join(work, "project");
    execFileSync("mkdir", ["-p", project]);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "cflow-install-check", private: true, type: "module" }, null, 2));
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", ...tarballs], { cwd: project, stdio: "pipe" });

    const all = installed(join(project, "node_modules"));
    const forbidden = all.filter((p) => FORBIDDEN.test(p.replace(/@[^@]*$/, "")));
    expect(forbidden, `installed: ${all.join(", ")}`).toEqual([]);
    expect(all.filter((p) => p.startsWith("@cflow/")).sort()).toEqual(["@cflow/core@0.1.0", "@cflow/manifolds@0.1.0", "@cflow/plugin-graph@0.1.0"]);
    // the kernel ships inside core's tarball
    expect(existsSync(join(project, "node_modules/@cflow/core/dist/wasm/kernel.float64.wasm"))).toBe(true);

    copyFileSync(join(here, "../fixtures/use-graph-plugin.mjs"), join(project, "use-graph-plugin.mjs"));
    const stdout = execFileSync(process.execPath, ["use-graph-plugin.mjs"], { cwd: project, encoding: "utf8" });
    const out = JSON.parse(stdout) as {
      loaded: { plugin: string; version: string }[];
      failed: string[];
      registered: string[];
      results: Record<string, { x: number[]; Lx: number[]; frame: { frame: string; c: number; tightness: number }; reconstructionError: number; tvConverged: boolean; flow: { E0: number; E: number; maxDiffToProx: number } }>;
    };
    expect(out.failed).toEqual([]);
    expect(out.loaded).toEqual([{ plugin: "@cflow/plugin-graph", version: "0.1.0" }]);
    expect(out.registered).toContain("ops.graphLaplacian (@cflow/plugin-graph@0.1.0)");
    expect(out.registered).toContain("transforms.sgwtRing (@cflow/plugin-graph@0.1.0)");
    for (const [dtype, r] of Object.entries(out.results)) {
      const n = r.x.length;
      // the ring Laplacian: (Lx)_i = 2x_i − x_{i−1} − x_{i+1}
      r.Lx.forEach((v, i) => expect(v).toBeCloseTo(2 * r.x[i] - r.x[(i + n - 1) % n] - r.x[(i + 1) % n], dtype === "float64" ? 12 : 5));
      expect(r.frame.frame).toBe("tight");
      expect(Math.abs(r.frame.c - 1)).toBeLessThan(1e-3);
      expect(r.reconstructionError).toBeLessThan(dtype === "float64" ? 1e-12 : 1e-5);
      expect(r.tvConverged).toBe(true);
      // the compiled flow (core's compiler and runner + the plugin's atom) converges to the prox
      expect(r.flow.E).toBeLessThan(r.flow.E0);
      expect(r.flow.maxDiffToProx).toBeLessThan(dtype === "float64" ? 1e-6 : 1e-3);
    }
    expect(Object.keys(out.results).sort()).toEqual(["float32", "float64"]);
  });
});
