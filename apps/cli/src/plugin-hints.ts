import { existsSync, readdirSync, realpathSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { type Finding, type NamespaceName, type Plugin, Registry, SpecLintError } from "@cflow/core";
import { configChain, loadConfig } from "./cflow-config.js";
import { loadPlugin } from "./plugin-loader.js";

/** Where cflow looks for plugins a spec may be missing, and what it already loaded. */
export interface HintSources {
  /** Start directories (the spec's, the working one): node_modules and configs from each upward. */
  dirs: readonly string[];
  /** The config files the command loaded (their plugins are already in the registry). */
  loadedConfigs: readonly string[];
  /** Names of the plugins in the registry. */
  loadedPlugins: ReadonlySet<string>;
  /** For relative paths in messages. */
  cwd: string;
}

/** A plugin that registers a name, and how to load it. */
interface Candidate {
  plugin: Plugin;
  /** "installed package @cflow/plugin-graph" / "config examples/x/cflow.config.ts (not loaded)". */
  where: string;
  /** What to do: "pass --plugin @cflow/plugin-graph" / … */
  load: string;
}

/** Installed packages that name themselves cflow plugins: @cflow/plugin-*, cflow-plugin-*, @scope/cflow-plugin-*. */
const PLUGIN_PACKAGE = /^(@cflow\/plugin-|cflow-plugin-|@[^/]+\/cflow-plugin-)/;

/**
 * Lint findings with a hint for every name no loaded plugin registers (`Finding.unknown`): which
 * known plugin registers it — an installed cflow plugin package (in node_modules from the spec's
 * directory or the working directory upward) or a plugin of a config file that was found but not
 * loaded — and how to load it. Findings without such a name are returned as they are; nothing is
 * looked up when there are none.
 */
export async function withPluginHints(findings: Finding[], o: HintSources): Promise<Finding[]> {
  const wanted = findings.filter((f) => f.unknown);
  if (wanted.length === 0) return findings;
  const candidates = await knownPlugins(o);
  return findings.map((f) => {
    if (!f.unknown) return f;
    const { namespace, name } = f.unknown;
    const hits = candidates.filter((c) => registers(c.plugin, namespace, name));
    if (hits.length === 0) return f;
    const said = hits.map((c) => `${namespace.replace(/s$/, "")} "${name}" is registered by plugin ${c.plugin.name} (${c.where}): ${c.load}`).join("; ");
    return { ...f, hint: f.hint ? `${said}; or ${f.hint}` : said };
  });
}

/** A SpecLintError with the hints of `withPluginHints`; any other error as it is. */
export async function explainLintError(err: unknown, o: HintSources): Promise<unknown> {
  if (!(err instanceof SpecLintError) || !err.findings.some((f) => f.unknown)) return err;
  return new SpecLintError(await withPluginHints(err.findings, o));
}

async function knownPlugins(o: HintSources): Promise<Candidate[]> {
  const rel = (p: string) => relative(o.cwd, p) || p;
  const out: Candidate[] = [];
  const seen = new Set<string>(o.loadedPlugins);
  const add = (plugin: Plugin, where: string, load: string) => {
    if (seen.has(plugin.name)) return;
    seen.add(plugin.name);
    out.push({ plugin, where, load });
  };
  for (const { name, dir } of installedPluginPackages(o.dirs)) {
    const plugin = await tryImport(() => loadPlugin(name, dir));
    if (plugin) add(plugin, `installed in ${rel(join(dir, "node_modules", name))}`, `pass --plugin ${name}, or list "${name}" in the plugins of a cflow.config.ts next to the spec`);
  }
  const loaded = new Set(o.loadedConfigs.map((f) => resolve(f)));
  const configs = [...new Set(o.dirs.flatMap((d) => configChain(d)))].filter((f) => !loaded.has(resolve(f)));
  for (const file of configs) {
    const plugins = await tryImport(() => loadConfig(file));
    for (const plugin of plugins ?? []) {
      add(plugin, `in ${rel(file)}, a config cflow found but did not load`, `cflow loads only the config nearest the spec and the working directory's — run from ${rel(dirname(file))}, or pass that plugin with --plugin`);
    }
  }
  return out;
}

/** Whether a plugin's setup registers `name` in `namespace` (run on a scratch registry). */
function registers(plugin: Plugin, namespace: NamespaceName, name: string): boolean {
  const scratch = new Registry();
  scratch.use(plugin);
  return scratch[namespace].has(name);
}

/** Installed cflow plugin packages visible from each directory upward, nearest first, each once. */
function installedPluginPackages(dirs: readonly string[]): { name: string; dir: string }[] {
  const out: { name: string; dir: string }[] = [];
  const real = new Set<string>();
  for (const start of dirs) {
    for (let d = resolve(start); ; d = dirname(d)) {
      const nm = join(d, "node_modules");
      for (const name of packagesIn(nm)) {
        if (!PLUGIN_PACKAGE.test(name)) continue;
        const path = realPath(join(nm, name));
        if (!path || real.has(path)) continue;
        real.add(path);
        out.push({ name, dir: d });
      }
      if (dirname(d) === d) break;
    }
  }
  return out;
}

function packagesIn(nm: string): string[] {
  if (!existsSync(nm)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(nm)) {
    if (entry.startsWith("@")) for (const sub of safeList(join(nm, entry))) out.push(`${entry}/${sub}`);
    else out.push(entry);
  }
  return out;
}

function realPath(p: string): string | null {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** A candidate that cannot be imported (broken, not a plugin) is simply not suggested. */
async function tryImport<T>(f: () => Promise<T>): Promise<T | null> {
  try {
    return await f();
  } catch {
    return null;
  }
}
