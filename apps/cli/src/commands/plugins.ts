import { relative } from "node:path";
import { defineCommand } from "../command.js";
import { CONFIG_FILES } from "../cflow-config.js";
import { FLAGS } from "../common-flags.js";
import { EXIT_CODES } from "../exit-codes.js";
import { buildRunRegistry } from "../run-registry.js";

export interface PluginsCommandOptions {
  /** --plugin values as given. */
  plugins: string[];
}

export const pluginsCommand = defineCommand<PluginsCommandOptions>({
  name: "plugins",
  summary: "list the registered transforms, manifolds, ops, atoms and policies with who provides them",
  description:
    `Loads what \`cflow run\` would: cflow's built-ins, the plugins of the nearest ${CONFIG_FILES.join(" / ")}\n` +
    "(from the working directory upward) and --plugin ones. A plugin whose setup throws is listed with the hook\n" +
    "and the error (exit 6); the others still load.",
  positionals: [],
  flags: [FLAGS.plugin],
  examples: [
    { command: "cflow plugins", description: "the built-ins of @cflow/core and the bundled packages, plus cflow.config.ts plugins" },
    { command: "cflow plugins --plugin ./my-plugin/dist/index.js", description: "check that a plugin loads and what it registers" },
  ],
  exitCodes: ["OK", "INPUT", "USAGE", "INTERNAL"],
  options: (args) => ({ plugins: (args.flags.plugin as string[] | undefined) ?? [] }),
  handler: async (o, ctx) => {
    const { registry, sources, failures, configFiles } = await buildRunRegistry({ plugins: o.plugins, cwd: ctx.cwd });
    // no spec here: only the working directory's config (at most one)
    const configFile = configFiles[0] ?? null;
    const plugins = [
      ...registry.plugins.map((p) => ({ name: p.plugin, version: p.version, source: sources.get(p.plugin) ?? "built-in", status: "loaded" as const })),
      ...failures.map((f) => ({ name: f.plugin, version: f.version, source: sources.get(f.plugin) ?? "", status: "failed" as const, hook: f.hook, error: f.error.message })),
    ];
    const entries = registry.list().map((e) => {
      const kind = e.namespace === "policies" ? registry.policies.get(e.name).kind : undefined;
      return { namespace: e.namespace, name: e.name, ...(kind ? { kind } : {}), provider: e.provider.plugin, version: e.provider.version };
    });
    ctx.out.result({ config: configFile, plugins, entries }, () => {
      const s = ctx.out.style;
      const rel = (p: string) => (p.startsWith("/") ? relative(ctx.cwd, p) || p : p);
      const lines = [configFile ? `config: ${rel(configFile)}` : s.dim(`config: none (no ${CONFIG_FILES.join(", ")} from here upward)`), "", s.bold("Plugins")];
      const w = Math.max(...plugins.map((p) => p.name.length));
      for (const p of plugins) {
        const where = p.source.startsWith("--plugin ") ? `--plugin ${rel(p.source.slice(9))}` : rel(p.source);
        if (p.status === "loaded") lines.push(`  ${p.name.padEnd(w)}  ${p.version.padEnd(8)}  ${s.dim(where)}`);
        else lines.push(s.red(`  ${p.name.padEnd(w)}  ${p.version.padEnd(8)}  failed in ${p.hook}: ${p.error}`) + s.dim(`  (${where})`));
      }
      for (const ns of ["transforms", "manifolds", "ops", "atoms", "policies"] as const) {
        const list = entries.filter((e) => e.namespace === ns);
        lines.push("", s.bold(`${ns} (${list.length})`));
        const nw = Math.max(0, ...list.map((e) => e.name.length + (e.kind ? e.kind.length + 3 : 0)));
        for (const e of list) lines.push(`  ${`${e.name}${e.kind ? ` (${e.kind})` : ""}`.padEnd(nw)}  ${s.dim(`${e.provider}@${e.version}`)}`);
      }
      return lines.join("\n");
    });
    return failures.length > 0 ? EXIT_CODES.INPUT.code : EXIT_CODES.OK.code;
  },
});
