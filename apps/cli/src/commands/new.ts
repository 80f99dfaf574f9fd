import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { CflowError } from "@cflow/core";
import { defineCommand } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import { makeDirectory, prepareOutDir } from "../out-dir.js";
import { checkPackageName, pluginTemplate, shortName } from "../scaffold/plugin-template.js";

export interface NewCommandOptions {
  kind: "plugin";
  /** npm package name of the new plugin. */
  name: string;
  /** `--out` as given: the directory to create (default ./<name without scope>). */
  out?: string;
}

export const newCommand = defineCommand<NewCommandOptions>({
  name: "new",
  summary: "scaffold a plugin package (definePlugin, a kernel op, a test, build config, README)",
  description:
    "Creates ./<name> (or --out) with a package that has @cflow/core as a peer dependency, registers one\n" +
    "small op through definePlugin, and builds and passes its own test out of the box.",
  positionals: [
    { name: "kind", required: true, oneOf: ["plugin"], description: "what to create" },
    { name: "name", required: true, description: "npm package name of the plugin (cflow-plugin-foo, @me/cflow-plugin-foo)" },
  ],
  flags: [{ name: "out", type: "string", value: "dir", description: "directory to create (default: ./<name without scope>); must not exist or be empty" }],
  examples: [
    { command: "cflow new plugin cflow-plugin-curvelets", description: "creates ./cflow-plugin-curvelets; then pnpm install && pnpm build && pnpm test" },
    { command: "cflow new plugin @acme/cflow-plugin-radon --out plugins/radon", description: "a scoped package in plugins/radon" },
  ],
  exitCodes: ["OK", "INPUT", "IO", "USAGE", "INTERNAL"],
  options: (args) => {
    const name = String(args.positionals.name);
    checkPackageName(name);
    return { kind: "plugin", name, out: args.flags.out as string | undefined };
  },
  handler: async (o, ctx) => {
    const dest = prepareOutDir(o.out, { cwd: ctx.cwd, fallback: shortName(o.name), flag: "--out", what: "plugin package" });
    if (readdirSync(dest).length > 0) {
      throw new CflowError("SCAFFOLD_DEST_EXISTS", `${dest} already exists and is not empty; cflow does not overwrite it`, {
        path: dest,
        expected: "a new or empty directory",
        found: `${readdirSync(dest).length} entries`,
        hint: "choose another place with --out <dir>",
      });
    }
    const files = pluginTemplate({ name: o.name, coreRange: `^${coreVersion()}` });
    for (const [rel, text] of Object.entries(files)) {
      const path = join(dest, rel);
      makeDirectory(dirname(path));
      writeFileSync(path, text);
    }
    const rel = relative(ctx.cwd, dest) || ".";
    ctx.out.result({ name: o.name, dest, files: Object.keys(files).sort() }, () =>
      [`created plugin ${o.name} in ${rel}/`, ...Object.keys(files).sort().map((f) => `  ${f}`), "", `next: cd ${rel} && pnpm install && pnpm build && pnpm test`].join("\n"),
    );
    return EXIT_CODES.OK.code;
  },
});

function coreVersion(): string {
  const pj = createRequire(import.meta.url).resolve("@cflow/core/package.json");
  return (JSON.parse(readFileSync(pj, "utf8")) as { version: string }).version;
}
