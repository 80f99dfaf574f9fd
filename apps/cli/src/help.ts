import type { AnyCommand, FlagDef } from "./command.js";
import { GLOBAL_FLAGS } from "./common-flags.js";
import { EXIT_CODES } from "./exit-codes.js";
import type { Style } from "./style.js";

function flagLabel(f: FlagDef): string {
  const value = f.type === "boolean" ? "" : ` <${f.oneOf ? f.oneOf.join("|") : (f.value ?? f.type)}>`;
  return `${f.short ? `-${f.short}, ` : "    "}--${f.name}${value}`;
}

function table(rows: [string, string][], indent = 2): string[] {
  const w = Math.min(36, Math.max(...rows.map(([a]) => a.length)));
  return rows.map(([a, b]) => (a.length > w ? `${" ".repeat(indent)}${a}\n${" ".repeat(indent + w + 2)}${b}` : `${" ".repeat(indent)}${a.padEnd(w)}  ${b}`));
}

export function usageLine(def: AnyCommand): string {
  const pos = def.positionals.map((p) => {
    const label = p.oneOf && p.oneOf.length === 1 ? p.oneOf[0] : `<${p.name}>${p.variadic ? "..." : ""}`;
    return p.required ? label : `[${label}]`;
  });
  return ["cflow", def.name, ...pos, "[flags]"].join(" ");
}

/** `cflow <command> --help`. */
export function renderCommandHelp(def: AnyCommand, style: Style): string {
  const out: string[] = [];
  out.push(`${style.bold(`cflow ${def.name}`)} — ${def.summary}`);
  if (def.description) out.push("", def.description);
  out.push("", style.bold("Usage"), `  ${usageLine(def)}`);
  const positionals = def.positionals.filter((p) => !(p.oneOf && p.oneOf.length === 1));
  if (positionals.length) {
    out.push("", style.bold("Arguments"), ...table(positionals.map((p) => [`<${p.name}>${p.variadic ? "..." : ""}`, p.description + (p.required ? "" : " (optional)")])));
  }
  out.push("", style.bold("Flags"), ...table([...def.flags, ...GLOBAL_FLAGS].map((f) => [flagLabel(f), f.description + (f.multiple ? " (repeatable)" : "")])));
  if (def.examples.length) {
    out.push("", style.bold("Examples"));
    for (const e of def.examples) out.push(`  ${style.cyan(`$ ${e.command}`)}`, `      ${e.description}`);
  }
  out.push("", style.bold("Exit codes"), ...table([...def.exitCodes].sort((a, b) => EXIT_CODES[a].code - EXIT_CODES[b].code).map((n) => [String(EXIT_CODES[n].code), EXIT_CODES[n].meaning])));
  return `${out.join("\n")}\n`;
}

/** `cflow --help`. */
export function renderRootHelp(defs: readonly AnyCommand[], style: Style, version: string): string {
  const out: string[] = [];
  out.push(`${style.bold("cflow")} ${version} — certified energy flows: compile, certify, tune and record runs`);
  out.push("", style.bold("Usage"), "  cflow <command> [arguments] [flags]", "  cflow <command> --help");
  out.push("", style.bold("Commands"), ...table(defs.map((d) => [d.name + (d.positionals[0]?.oneOf?.length === 1 ? ` ${d.positionals[0].oneOf[0]}` : ""), d.summary])));
  out.push("", style.bold("Flags of every command"), ...table(GLOBAL_FLAGS.map((f) => [flagLabel(f), f.description])));
  out.push("", style.bold("Environment"), ...table([
    ["NO_COLOR=1", "plain output without colours or live redraws"],
    ["CFLOW_DEBUG=1", "print stack traces with errors"],
  ]));
  out.push("", style.bold("Exit codes"), ...table(Object.values(EXIT_CODES).map((e) => [String(e.code), e.meaning])));
  out.push("", "Start with: cflow examples");
  return `${out.join("\n")}\n`;
}
