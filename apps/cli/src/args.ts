import { nearestName } from "@cflow/core";
import type { AnyCommand, FlagDef, ParsedArgs } from "./command.js";
import { GLOBAL_FLAGS } from "./common-flags.js";
import { parseDuration } from "./duration.js";
import { UsageError } from "./usage-error.js";

export interface ParseResult {
  args: ParsedArgs;
  help: boolean;
  json: boolean;
  quiet: boolean;
}

/**
 * Parses the arguments after the command name: `--flag value`, `--flag=value`, `--flag` and
 * `--no-flag` for booleans, one-letter aliases, repeatable flags, `--` ending the flags. Every
 * mistake is a UsageError naming the flag, what was found and what was expected. With `--help`
 * positionals are not checked (help must work on an incomplete command line).
 */
export function parseArgs(def: AnyCommand, argv: readonly string[]): ParseResult {
  const flagDefs = [...def.flags, ...GLOBAL_FLAGS];
  const byName = new Map(flagDefs.map((f) => [f.name, f]));
  const byShort = new Map(flagDefs.filter((f) => f.short).map((f) => [f.short!, f]));
  const flags: ParsedArgs["flags"] = {};
  const rest: string[] = [];
  const usage = (message: string, details: ConstructorParameters<typeof UsageError>[1]) => new UsageError(message, details, def.name);

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      rest.push(...argv.slice(i + 1));
      break;
    }
    let flag: FlagDef | undefined;
    let inline: string | undefined;
    let negated = false;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
      flag = byName.get(name);
      if (!flag && name.startsWith("no-") && byName.get(name.slice(3))?.type === "boolean" && inline === undefined) {
        flag = byName.get(name.slice(3));
        negated = true;
      }
      if (!flag) {
        const near = nearestName(name, byName.keys());
        throw usage(`unknown flag --${name} for cflow ${def.name}` + (near ? ` — did you mean --${near}?` : ""), {
          path: `cflow ${def.name}`,
          found: `--${name}`,
          expected: `one of ${flagDefs.map((f) => `--${f.name}`).join(", ")}`,
          hint: near ? `did you mean --${near}?` : undefined,
        });
      }
    } else if (/^-[A-Za-z]$/.test(arg)) {
      flag = byShort.get(arg.slice(1));
      if (!flag) {
        throw usage(`unknown flag ${arg} for cflow ${def.name}`, {
          path: `cflow ${def.name}`,
          found: arg,
          expected: `one of ${[...byShort.keys()].map((s) => `-${s}`).join(", ")} or a --long flag`,
        });
      }
    } else {
      rest.push(arg);
      continue;
    }

    let value: string | number | boolean;
    if (flag.type === "boolean") {
      if (inline === undefined) value = !negated;
      else if (inline === "true" || inline === "false") value = inline === "true";
      else throw usage(`--${flag.name} is a switch: it takes no value`, { path: `--${flag.name}`, expected: "--" + flag.name + " or --" + flag.name + "=true|false", found: `--${flag.name}=${inline}` });
    } else {
      let text = inline;
      if (text === undefined) {
        const next = argv[i + 1];
        if (next === undefined || (next.startsWith("-") && next.length > 1 && !/^-\d/.test(next))) {
          throw usage(`--${flag.name} needs a value`, { path: `--${flag.name}`, expected: `--${flag.name} <${flag.value ?? flag.type}>`, found: next === undefined ? "end of the command line" : next });
        }
        text = next;
        i++;
      }
      value = convert(flag, text, usage);
    }
    const prev = flags[flag.name];
    if (flag.multiple) flags[flag.name] = [...((prev as (string | number)[] | undefined) ?? []), value as string | number];
    else if (prev !== undefined) {
      throw usage(`--${flag.name} is given twice`, { path: `--${flag.name}`, expected: "at most once", found: `${String(prev)} and ${String(value)}` });
    } else flags[flag.name] = value;
  }

  const help = flags.help === true;
  const positionals: ParsedArgs["positionals"] = {};
  let k = 0;
  for (const p of def.positionals) {
    if (p.variadic) {
      positionals[p.name] = rest.slice(k);
      k = rest.length;
    } else positionals[p.name] = rest[k++];
    const v = positionals[p.name];
    if (help) continue;
    const missing = v === undefined || (Array.isArray(v) && v.length === 0);
    if (missing && p.required) {
      throw usage(`cflow ${def.name}: missing <${p.name}>`, { path: `cflow ${def.name}`, expected: `<${p.name}>: ${p.description}`, found: "nothing" });
    }
    if (p.oneOf && typeof v === "string" && !p.oneOf.includes(v)) {
      throw usage(`cflow ${def.name}: unknown <${p.name}> "${v}"`, { path: `cflow ${def.name} <${p.name}>`, expected: `one of ${p.oneOf.join(", ")}`, found: v });
    }
  }
  if (k < rest.length && !help) {
    throw usage(`cflow ${def.name}: unexpected argument "${rest[k]}"`, {
      path: `cflow ${def.name}`,
      expected: def.positionals.length ? def.positionals.map((p) => `<${p.name}>`).join(" ") : "no arguments",
      found: rest.join(" "),
    });
  }
  return { args: { positionals, flags }, help, json: flags.json === true, quiet: flags.quiet === true };
}

function convert(flag: FlagDef, text: string, usage: (m: string, d: ConstructorParameters<typeof UsageError>[1]) => UsageError): string | number {
  const where = `--${flag.name}`;
  switch (flag.type) {
    case "string":
      if (flag.oneOf && !flag.oneOf.includes(text)) {
        const near = nearestName(text, flag.oneOf);
        throw usage(`${where}: unknown value "${text}"` + (near ? ` — did you mean ${near}?` : ""), { path: where, expected: `one of ${flag.oneOf.join(", ")}`, found: text });
      }
      return text;
    case "integer":
    case "number": {
      const ok = flag.type === "integer" ? /^-?\d+$/.test(text) : text.trim() !== "" && Number.isFinite(Number(text));
      const what = flag.type === "integer" ? "an integer" : "a number";
      const n = Number(text);
      if (!ok) throw usage(`${where}: expected ${what}, found "${text}"`, { path: where, expected: what, found: text });
      if (flag.min !== undefined && n < flag.min) throw usage(`${where}: ${text} is too small`, { path: where, expected: `${what} ≥ ${flag.min}`, found: n });
      return n;
    }
    case "duration":
      return parseDuration(text, where);
    case "boolean":
      throw new Error("boolean flags are converted by the parser");
  }
}
