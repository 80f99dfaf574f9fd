import { isAbsolute, resolve } from "node:path";
import { CflowError, type Plugin } from "@cflow/core";
import { importModule } from "./module-import.js";

/**
 * Imports the plugins named by `--plugin`: package names (resolved from `cwd`) or paths to a
 * module (TypeScript or JavaScript) whose default export — or `plugin` export — is a
 * `definePlugin({ name, version, setup })`.
 */
export async function loadPlugins(specifiers: readonly string[], cwd: string): Promise<Plugin[]> {
  const out: Plugin[] = [];
  for (const s of specifiers) out.push(await loadPlugin(s, cwd));
  return out;
}

export async function loadPlugin(specifier: string, cwd: string): Promise<Plugin> {
  const isPath = specifier.startsWith(".") || isAbsolute(specifier);
  const target = isPath ? resolve(cwd, specifier) : specifier;
  const mod = await importModule(target, cwd, "plugin");
  const value = (mod.default ?? mod.plugin) as Partial<Plugin> | undefined;
  if (!isPlugin(value)) {
    const found =
      value === undefined
        ? `no default export (exports: ${Object.keys(mod).join(", ") || "none"})`
        : typeof value !== "object" || value === null
          ? typeof value
          : `an object with ${Object.keys(value).join(", ") || "no keys"}`;
    throw new CflowError("PLUGIN_BAD_SHAPE", `plugin ${specifier}: the module does not export a plugin`, {
      path: target,
      expected: "export default definePlugin({ name, version, setup(registry) { ... } })",
      found,
    });
  }
  return value as Plugin;
}

/** Whether a value has a plugin's shape: `{ name, version, setup(registry) }`. */
export function isPlugin(value: unknown): value is Plugin {
  const p = value as Partial<Plugin> | null | undefined;
  return typeof p === "object" && p !== null && typeof p.name === "string" && typeof p.version === "string" && typeof p.setup === "function";
}
