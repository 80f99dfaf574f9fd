import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { CflowError, type Plugin, describeValue, nearestName } from "@cflow/core";
import { importModule } from "./module-import.js";
import { isPlugin, loadPlugin } from "./plugin-loader.js";

/** What `plugins: [...]` may hold: plugin objects, package names or paths, and (Vite style) nested lists and falsy holes. */
export type PluginOption = Plugin | string | false | null | undefined | PluginOption[];

/** `cflow.config.ts`: the plugins every command in this directory tree loads. */
export interface CflowConfig {
  plugins?: PluginOption[];
}

/** The config file names looked for, in this order, in a directory (the spec's, the working one) and each parent. */
export const CONFIG_FILES = ["cflow.config.ts", "cflow.config.mjs", "cflow.config.js"] as const;

const CONFIG_KEYS = ["plugins"];

/** Identity function that types a config (`export default defineConfig({ plugins: [graph()] })`). */
export function defineConfig(config: CflowConfig): CflowConfig {
  return config;
}

/** The nearest `cflow.config.{ts,mjs,js}` from `dir` upward, or null. */
export function findConfigFile(dir: string): string | null {
  return configChain(dir)[0] ?? null;
}

/**
 * The configs a command loads, in order: the nearest one from each start directory upward — the
 * spec's directory first, then the working directory — each file once. So `cflow run
 * examples/graph-denoise` from anywhere loads the example's own config, and a project config
 * next to where cflow is run still applies.
 */
export function findConfigFiles(startDirs: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of startDirs) {
    const f = findConfigFile(d);
    if (f && !out.includes(f)) out.push(f);
  }
  return out;
}

/** Every config from `dir` upward, nearest first (one per directory, by CONFIG_FILES order). */
export function configChain(dir: string): string[] {
  const out: string[] = [];
  let d = resolve(dir);
  for (;;) {
    const file = CONFIG_FILES.map((name) => join(d, name)).find((f) => existsSync(f) && statSync(f).isFile());
    if (file) out.push(file);
    const up = dirname(d);
    if (up === d) return out;
    d = up;
  }
}

/**
 * Imports a config file (TypeScript or JavaScript, no build step) and returns its plugins, in
 * order. The default export is the config object or a function returning it (possibly async);
 * strings in `plugins` are package names or paths resolved from the config's directory. Refuses,
 * naming the file and the entry: a module without a default export, an unknown key, a `plugins`
 * that is not a list, an entry that is not a plugin.
 */
export async function loadConfig(file: string): Promise<Plugin[]> {
  const mod = await importModule(file, dirname(file), "config");
  let value = mod.default;
  if (typeof value === "function") value = await (value as () => unknown)();
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CflowError("CONFIG_INVALID", `${file}: the default export is not a cflow config`, {
      path: file,
      expected: "export default { plugins: [...] } (or defineConfig({ ... }))",
      found: value === undefined ? `no default export (exports: ${Object.keys(mod).join(", ") || "none"})` : describeValue(value),
    });
  }
  const config = value as Record<string, unknown>;
  for (const key of Object.keys(config)) {
    if (!CONFIG_KEYS.includes(key)) {
      const near = nearestName(key, CONFIG_KEYS);
      throw new CflowError("CONFIG_UNKNOWN_KEY", `${file}: unknown config key "${key}"` + (near ? ` — did you mean "${near}"?` : ""), { path: `${file} ${key}`, expected: `one of ${CONFIG_KEYS.join(", ")}`, found: key });
    }
  }
  if (config.plugins === undefined) return [];
  if (!Array.isArray(config.plugins)) {
    throw new CflowError("CONFIG_INVALID", `${file}: plugins must be a list`, { path: `${file} plugins`, expected: "plugins: [plugin, ...]", found: describeValue(config.plugins) });
  }
  const out: Plugin[] = [];
  const walk = async (list: unknown[], path: string): Promise<void> => {
    for (const [i, entry] of list.entries()) {
      const where = `${path}[${i}]`;
      if (entry === false || entry === null || entry === undefined) continue;
      if (Array.isArray(entry)) await walk(entry, where);
      else if (typeof entry === "string") out.push(await loadPlugin(entry, dirname(file)));
      else if (isPlugin(entry)) out.push(entry);
      else {
        throw new CflowError("CONFIG_BAD_PLUGIN", `${file}: ${where} is not a plugin`, {
          path: `${file} ${where}`,
          expected: "definePlugin({ name, version, setup(registry) }), a package name or a path",
          found: describeValue(entry),
        });
      }
    }
  };
  await walk(config.plugins, "plugins");
  return out;
}
