import { createRequire } from "node:module";
import { isAbsolute, resolve } from "node:path";
import { type Plugin, type PluginFailure, type Registry, defaultRegistry, validateManifoldFactory, validateTransformFactory } from "@cflow/core";
import { manifoldsPlugin } from "@cflow/manifolds";
import { tunerPlugin } from "@cflow/tuner";
import { findConfigFile, loadConfig } from "./cflow-config.js";
import { packageVersion } from "./package-info.js";
import { loadPlugin } from "./plugin-loader.js";

/** Where the plugins of a command come from. */
export interface PluginSources {
  /** `--plugin` values as given (package names, or paths relative to `cwd`). */
  plugins: readonly string[];
  cwd: string;
  /** Where package names not installed in `cwd` are looked for next (the spec's directory). */
  fallbackDirs?: readonly string[];
  /**
   * The config file: a path, null for none, or undefined to look for `cflow.config.{ts,mjs,js}`
   * from `cwd` upward.
   */
  configFile?: string | null;
}

export interface RunRegistry {
  registry: Registry;
  /** Plugin name → where it came from: `built-in`, the config file, or `--plugin <specifier>`. */
  sources: Map<string, string>;
  /** Plugins whose setup threw (reported by name and hook; the others loaded). */
  failures: PluginFailure[];
  /** The config file the plugins were read from, or null. */
  configFile: string | null;
  /** `--plugin` values made independent of the working directory (paths absolute, package names as given). */
  pluginSpecifiers: string[];
}

/** The packages the CLI registers itself: trusted (tested by their own suites), so not re-validated. */
const BUNDLED: Plugin[] = [manifoldsPlugin, tunerPlugin];

/**
 * The registry a command compiles against: core's built-ins, @cflow/manifolds and @cflow/tuner,
 * then the config file's plugins, then `--plugin` ones, in that order. Transforms and manifolds
 * registered by the last two are validated at registration (shape contract, frame constant,
 * adjoint/inverse probes); a plugin whose setup throws is reported in `failures` and the others
 * still load. A module that cannot be imported is an error naming it.
 */
export async function buildRunRegistry(o: PluginSources): Promise<RunRegistry> {
  let validate = false;
  const registry = defaultRegistry({
    transforms: (name, factory) => {
      if (validate) validateTransformFactory(name, factory);
    },
    manifolds: (name, factory) => {
      if (validate) validateManifoldFactory(name, factory);
    },
  });
  const sources = new Map<string, string>(registry.plugins.map((p) => [p.plugin, "built-in"]));
  registry.use(...BUNDLED);
  for (const p of BUNDLED) sources.set(p.name, "built-in");

  const configFile = o.configFile === undefined ? findConfigFile(o.cwd) : o.configFile;
  const fromConfig = configFile ? await loadConfig(configFile) : [];
  const pluginSpecifiers = o.plugins.map((s) => (s.startsWith(".") || isAbsolute(s) ? resolve(o.cwd, s) : s));
  const fromFlags: [Plugin, string][] = [];
  for (const [i, s] of o.plugins.entries()) fromFlags.push([await loadPlugin(s, o.cwd, o.fallbackDirs), `--plugin ${pluginSpecifiers[i]}`]);

  validate = true;
  for (const p of fromConfig) sources.set(p.name, configFile!);
  for (const [p, source] of fromFlags) sources.set(p.name, source);
  registry.use(...fromConfig, ...fromFlags.map(([p]) => p));
  return { registry, sources, failures: [...registry.failures], configFile, pluginSpecifiers };
}

/** Versions of every cflow package and plugin involved in a run (the manifest's `versions`). */
export function runVersions(registry: Registry): Record<string, string> {
  const require = createRequire(import.meta.url);
  const out: Record<string, string> = { "@cflow/cli": packageVersion() };
  for (const name of ["@cflow/fda", "@cflow/recorder"]) out[name] = (require(`${name}/package.json`) as { version: string }).version;
  for (const p of registry.plugins) out[p.plugin] = p.version;
  return out;
}
