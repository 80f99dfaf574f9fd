import { join, relative, resolve } from "node:path";
import { defineCommand } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import { copyExample, findExample, listExamples } from "../examples-catalog.js";

export interface ExamplesCommandOptions {
  /** Example to copy; undefined lists them. */
  name?: string;
  /** Absolute destination directory of the copy. */
  dest?: string;
}

export const examplesCommand = defineCommand<ExamplesCommandOptions>({
  name: "examples",
  summary: "list the bundled examples, or copy one into the working directory",
  positionals: [{ name: "name", description: "example to copy into ./<name> (or --out)" }],
  flags: [{ name: "out", type: "string", value: "dir", description: "where to copy the example (default: ./<name>); must not exist or be empty" }],
  examples: [
    { command: "cflow examples", description: "names, titles and one-line summaries" },
    { command: "cflow examples deconv-2d", description: "copy the 2D deconvolution example to ./deconv-2d, then: cflow run deconv-2d/spec.ts" },
    { command: "cflow examples lasso --out my-lasso", description: "copy it under another name" },
  ],
  exitCodes: ["OK", "INPUT", "USAGE", "INTERNAL"],
  options: (args, { cwd }) => {
    const name = args.positionals.name as string | undefined;
    const out = args.flags.out as string | undefined;
    return { name, dest: name ? resolve(cwd, out ?? name) : undefined };
  },
  handler: async (o, ctx) => {
    const { out } = ctx;
    if (!o.name) {
      const all = listExamples(ctx.examplesDir);
      out.result(
        all.map((e) => ({ name: e.name, title: e.title, summary: e.summary, spec: join(e.dir, e.spec) })),
        () => {
          if (!all.length) return `no examples are bundled in ${ctx.examplesDir}`;
          const w = Math.max(...all.map((e) => e.name.length));
          const lines = all.map((e) => `  ${out.style.bold(e.name.padEnd(w))}  ${e.title}${e.summary ? `\n  ${" ".repeat(w)}  ${out.style.dim(e.summary)}` : ""}`);
          return ["Bundled examples (copy one with: cflow examples <name>)", "", ...lines].join("\n");
        },
      );
      return EXIT_CODES.OK.code;
    }
    const example = findExample(ctx.examplesDir, o.name);
    const dest = o.dest!;
    const files = copyExample(example, dest);
    const rel = relative(ctx.cwd, dest) || ".";
    out.result({ name: example.name, dest, files }, () =>
      [`copied ${example.name} to ${rel}/ (${files.length} files)`, "", `next: cflow run ${join(rel, example.spec)}`].join("\n"),
    );
    return EXIT_CODES.OK.code;
  },
});
