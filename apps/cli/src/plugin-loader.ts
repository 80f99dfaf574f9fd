import { isAbsolute, resolve } from "node:path";
import { CflowError, type Plugin, describeValue } from "@cflow/core";
import { importModule } from "./module-import.js";

/** Imports the plugins named by `--plugin` (see `loadPlugin`), in order. */
export async function loadPlugins(specifiers: readonly string[], cwd: string, fallbackDirs: readonly string[] = []): Promise<Plugin[]> {
  const out: Plugin[] = [];
  for (const s of specifiers) out.push(await loadPlugin(s, cwd, fallbackDirs));
  return out;
}

/**
 * Imports a plugin: a path to a module (TypeScript or JavaScript, relative to `cwd`) or a package
 * name, resolved from `cwd` and, when not installed there, from each of `fallbackDirs` (the spec's
 * directory: an example's own dependencies). The plugin is the module's default export, else its
 * `plugin` export, else its only export that is a `definePlugin({ name, version, setup })` (so
 * `--plugin @cflow/plugin-graph` finds `graphPlugin`).
 */
export async function loadPlugin(specifier: string, cwd: string, fallbackDirs: readonly string[] = []): Promise<Plugin> {
  const isPath = specifier.startsWith(".") || isAbsolute(specifier);
  const target = isPath ? resolve(cwd, specifier) : specifier;
  const dirs = isPath ? [cwd] : [...new Set([cwd, ...fallbackDirs])];
  for (let i = 0; ; i++) {
    try {
      return pluginOf(await importModule(target, dirs[i], "plugin"), specifier, target);
    } catch (err) {
      const notHere = err instanceof CflowError && err.code === "MODULE_NOT_FOUND" && err.message.includes(`cannot find ${specifier}`);
      if (!notHere || i === dirs.length - 1) throw err;
    }
  }
}

function pluginOf(mod: Record<string, unknown>, specifier: string, target: string): Plugin {
  if (mod.default !== undefined || mod.plugin !== undefined) {
    const value = mod.default ?? mod.plugin;
    if (isPlugin(value)) return value;
    throw notAPlugin(specifier, target, typeof value === "object" && value !== null ? `an object with ${Object.keys(value).join(", ") || "no keys"}` : describeValue(value));
  }
  const plugins = Object.entries(mod).filter(([, v]) => isPlugin(v));
  if (plugins.length === 1) return plugins[0][1] as Plugin;
  if (plugins.length > 1) {
    throw new CflowError("PLUGIN_AMBIGUOUS", `plugin ${specifier}: the module exports ${plugins.length} plugins (${plugins.map(([k]) => k).join(", ")}) and no default one`, {
      path: target,
      expected: "one plugin: a default export, a `plugin` export, or a single definePlugin(...) export",
      found: plugins.map(([k]) => k).join(", "),
      hint: "write a module that re-exports the one you want as default, and pass its path",
    });
  }
  throw notAPlugin(specifier, target, `no plugin among its exports (${Object.keys(mod).join(", ") || "none"})`);
}

function notAPlugin(specifier: string, target: string, found: string): CflowError {
  return new CflowError("PLUGIN_BAD_SHAPE", `plugin ${specifier}: the module does not export a plugin`, {
    path: target,
    expected: "export default definePlugin({ name, version, setup(registry) { ... } })",
    found,
  });
}

/** Whether a value has a plugin's shape: `{ name, version, setup(registry) }`. */
export function isPlugin(value: unknown): value is Plugin {
  const p = value as Partial<Plugin> | null | undefined;
  return typeof p === "object" && p !== null && typeof p.name === "string" && typeof p.version === "string" && typeof p.setup === "function";
}
