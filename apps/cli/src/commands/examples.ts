import { join, relative } from "node:path";
import { defineCommand } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import { copyExample, findExample, listExamples } from "../examples-catalog.js";
import { prepareOutDir } from "../out-dir.js";

export interface ExamplesCommandOptions {
  /** Example to copy; undefined lists them. */
  name?: string;
  /** `--out` as given: the destination directory of the copy (default ./<name>). */
  out?: string;
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
  exitCodes: ["OK", "INPUT", "IO", "USAGE", "INTERNAL"],
  options: (args) => ({ name: args.positionals.name as string | undefined, out: args.flags.out as string | undefined }),
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
    const dest = prepareOutDir(o.out, { cwd: ctx.cwd, fallback: o.name, flag: "--out", what: "example's copy" });
    const files = copyExample(example, dest);
    const rel = relative(ctx.cwd, dest) || ".";
    out.result({ name: example.name, dest, files }, () =>
      [`copied ${example.name} to ${rel}/ (${files.length} files)`, "", `next: cflow run ${join(rel, example.spec)}`].join("\n"),
    );
    return EXIT_CODES.OK.code;
  },
});
