import { createRequire } from "node:module";
import { isAbsolute, resolve } from "node:path";
import { type Plugin, type PluginFailure, type Registry, defaultRegistry } from "@cflow/core";
import { validateManifoldFactory, validateTransformFactory } from "@cflow/core/testing";
import { manifoldsPlugin } from "@cflow/manifolds";
import { tunerPlugin } from "@cflow/tuner";
import { findConfigFiles, loadConfig } from "./cflow-config.js";
import { packageVersion } from "./package-info.js";
import { loadPlugin } from "./plugin-loader.js";

/** Where the plugins of a command come from. */
export interface PluginSources {
  /** `--plugin` values as given (package names, or paths relative to `cwd`). */
  plugins: readonly string[];
  cwd: string;
  /** The spec's directory: its nearest config is loaded first, and package names not installed in `cwd` are looked for there. */
  specDir?: string;
  /**
   * The config files, in order; undefined to discover them (`findConfigFiles`: the nearest
   * `cflow.config.{ts,mjs,js}` from `specDir` upward, then the one from `cwd` upward if different).
   */
  configFiles?: readonly string[];
}

export interface RunRegistry {
  registry: Registry;
  /** Plugin name → where it came from: `built-in`, the config file, or `--plugin <specifier>`. */
  sources: Map<string, string>;
  /** Plugins whose setup threw (reported by name and hook; the others loaded). */
  failures: PluginFailure[];
  /** The config files the plugins were read from, in load order (none: empty). */
  configFiles: string[];
  /** `--plugin` values made independent of the working directory (paths absolute, package names as given). */
  pluginSpecifiers: string[];
}

/** The packages the CLI registers itself: trusted (tested by their own suites), so not re-validated. */
const BUNDLED: Plugin[] = [manifoldsPlugin, tunerPlugin];

/**
 * The registry a command compiles against: core's built-ins, @cflow/manifolds and @cflow/tuner,
 * then the plugins of the config nearest the spec, then those of the working directory's config
 * (when it is another file), then `--plugin` ones, in that order; a plugin given by more than one
 * of them (same name and version) loads once, from the first. Transforms and manifolds
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

  const configFiles = [...(o.configFiles ?? findConfigFiles(o.specDir ? [o.specDir, o.cwd] : [o.cwd]))];
  const loaded: [Plugin, string][] = [];
  for (const file of configFiles) for (const p of await loadConfig(file)) loaded.push([p, file]);
  const pluginSpecifiers = o.plugins.map((s) => (s.startsWith(".") || isAbsolute(s) ? resolve(o.cwd, s) : s));
  for (const [i, s] of o.plugins.entries()) loaded.push([await loadPlugin(s, o.cwd, o.specDir ? [o.specDir] : []), `--plugin ${pluginSpecifiers[i]}`]);

  validate = true;
  const taken = new Map<string, string>();
  const plugins: Plugin[] = [];
  for (const [p, source] of loaded) {
    if (taken.get(p.name) === p.version) continue;
    taken.set(p.name, p.version);
    sources.set(p.name, source);
    plugins.push(p);
  }
  registry.use(...plugins);
  return { registry, sources, failures: [...registry.failures], configFiles, pluginSpecifiers };
}

/** Versions of every cflow package and plugin involved in a run (the manifest's `versions`). */
export function runVersions(registry: Registry): Record<string, string> {
  const require = createRequire(import.meta.url);
  const out: Record<string, string> = { "@cflow/cli": packageVersion() };
  for (const name of ["@cflow/fda", "@cflow/recorder"]) out[name] = (require(`${name}/package.json`) as { version: string }).version;
  for (const p of registry.plugins) out[p.plugin] = p.version;
  return out;
}
