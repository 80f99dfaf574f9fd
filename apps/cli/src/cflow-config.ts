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

/** The config file names looked for, in this order, in the working directory and each parent. */
export const CONFIG_FILES = ["cflow.config.ts", "cflow.config.mjs", "cflow.config.js"] as const;

const CONFIG_KEYS = ["plugins"];

/** Identity function that types a config (`export default defineConfig({ plugins: [graph()] })`). */
export function defineConfig(config: CflowConfig): CflowConfig {
  return config;
}

/** The nearest `cflow.config.{ts,mjs,js}` from `cwd` upward, or null. */
export function findConfigFile(cwd: string): string | null {
  let dir = resolve(cwd);
  for (;;) {
    for (const name of CONFIG_FILES) {
      const file = join(dir, name);
      if (existsSync(file) && statSync(file).isFile()) return file;
    }
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
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
