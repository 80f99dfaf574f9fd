import { defineCommand } from "../command.js";
import { FLAGS } from "../common-flags.js";

export interface PluginsCommandOptions {
  /** --plugin values as given. */
  plugins: string[];
}

export const pluginsCommand = defineCommand<PluginsCommandOptions>({
  name: "plugins",
  summary: "list the registered transforms, manifolds, ops, atoms and policies with who provides them",
  positionals: [],
  flags: [FLAGS.plugin],
  examples: [
    { command: "cflow plugins", description: "the built-ins of @cflow/core and the bundled packages" },
    { command: "cflow plugins --plugin ./my-plugin/dist/index.js", description: "check that a plugin loads and what it registers" },
  ],
  exitCodes: ["OK", "INPUT", "USAGE", "INTERNAL"],
  options: (args) => ({ plugins: (args.flags.plugin as string[] | undefined) ?? [] }),
});
