import { CflowError } from "../errors.js";
import type { AtomDef } from "../atoms/atom.js";
import type { OpFactory } from "../ops/op.js";
import type { ManifoldFactory } from "../ports/manifold.js";
import type { PolicyDef } from "./policy.js";
import type { TransformFactory } from "../transforms/transform.js";
import { nearestName } from "./nearest.js";
import type { Plugin } from "./plugin.js";

export type NamespaceName = "transforms" | "manifolds" | "ops" | "atoms" | "policies";

/** Who registered an entry. */
export interface Provider {
  plugin: string;
  version: string;
}

export interface Entry<T> {
  name: string;
  value: T;
  provider: Provider;
}

export interface RegisterOptions {
  /** Replace an entry another plugin registered under the same name. */
  override?: boolean;
}

/** A plugin's `setup` failed: which plugin, which hook, why. Its registrations were undone. */
export interface PluginFailure {
  plugin: string;
  version: string;
  hook: "setup";
  error: Error;
}

export interface PluginLoadReport {
  loaded: Provider[];
  failed: PluginFailure[];
}

type Validator<T> = (name: string, value: T) => void;

/** The one casing of registry keys: camelCase ("waveletL1", "hamiltonianDamped", "swtDb4", "gapDial"). */
const KEY_CASING = /^[a-z][A-Za-z0-9]*$/;

/** `name` in camelCase: separators dropped, the letter after one upper-cased ("gap-dial" → "gapDial", "swt-db4" → "swtDb4"). */
export function camelCaseKey(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0);
  return words.map((w, i) => (i === 0 ? w[0].toLowerCase() + w.slice(1) : w[0].toUpperCase() + w.slice(1))).join("");
}

/** The camelCase key among `keys` that an old-style `name` ("hamiltonian_damped", "swt-db4") now goes by, if any. */
export function renamedKey(name: string, keys: Iterable<string>): string | undefined {
  if (KEY_CASING.test(name)) return undefined;
  const key = camelCaseKey(name);
  for (const k of keys) if (k === key) return key;
  return undefined;
}

/** The hint for a name not in `keys`: its new camelCase key when it is an old-style one, else the nearest key. */
export function unknownNameHint(name: unknown, keys: Iterable<string>): string | undefined {
  if (typeof name !== "string") return undefined;
  const list = [...keys];
  const renamed = renamedKey(name, list);
  if (renamed) return `"${name}" is now "${renamed}" (registry keys are camelCase; see CHANGELOG.md)`;
  const near = nearestName(name, list);
  return near ? `did you mean "${near}"?` : undefined;
}

/** One namespace of the registry: names → values, with who provided each. */
export class Table<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    readonly namespace: NamespaceName,
    private readonly owner: Registry,
    private readonly validate?: Validator<T>,
  ) {}

  register(name: string, value: T, options: RegisterOptions = {}): void {
    if (typeof name !== "string" || name.length === 0) {
      throw new CflowError("REGISTRY_BAD_NAME", `${this.namespace}: expected a non-empty name, found ${JSON.stringify(name)}`, {
        path: this.namespace,
        expected: "non-empty string",
        found: name,
      });
    }
    if (!KEY_CASING.test(name)) {
      throw new CflowError("REGISTRY_BAD_NAME", `${this.namespace}: "${name}" is not a camelCase name — registry keys are camelCase (letters and digits, lower-case first): "${camelCaseKey(name)}"`, {
        path: `${this.namespace}.${name}`,
        expected: "a camelCase name",
        found: name,
        hint: `register it as "${camelCaseKey(name)}"`,
      });
    }
    const provider = this.owner.currentProvider();
    const existing = this.entries.get(name);
    if (existing && !options.override) {
      throw new CflowError(
        "REGISTRY_DUPLICATE",
        `${this.namespace} "${name}" is registered twice: by ${existing.provider.plugin}@${existing.provider.version} and by ${provider.plugin}@${provider.version}` +
          ` (pass { override: true } from ${provider.plugin} to replace it)`,
        { path: `${this.namespace}.${name}`, found: provider.plugin, expected: `a name not registered by ${existing.provider.plugin}` },
      );
    }
    this.validate?.(name, value);
    const entry = { name, value, provider };
    this.entries.set(name, entry);
    this.owner.journal(() => {
      if (existing) this.entries.set(name, existing);
      else this.entries.delete(name);
    });
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The value registered under `name`; throws naming the nearest registered name if unknown. */
  get(name: string, path?: string): T {
    const e = this.entries.get(name);
    if (!e) throw this.unknown(name, path);
    return e.value;
  }

  entry(name: string): Entry<T> | undefined {
    return this.entries.get(name);
  }

  names(): string[] {
    return [...this.entries.keys()].sort();
  }

  list(): Entry<T>[] {
    return this.names().map((n) => this.entries.get(n)!);
  }

  /** The nearest registered name to `name` (for "did you mean"): its camelCase key first. */
  nearest(name: string): string | undefined {
    return this.renamed(name) ?? nearestName(name, this.entries.keys());
  }

  /** The registered camelCase key of an old-style name ("gap-dial" → "gapDial"), if `name` is one. */
  renamed(name: string): string | undefined {
    return renamedKey(name, this.entries.keys());
  }

  unknown(name: string, path?: string): CflowError {
    const singular = this.namespace === "policies" ? "policy" : this.namespace.replace(/s$/, "");
    const renamed = typeof name === "string" ? this.renamed(name) : undefined;
    if (renamed !== undefined) {
      return new CflowError("REGISTRY_RENAMED", `${path ? `${path}: ` : ""}${singular} "${name}" is now "${renamed}" (registry keys are camelCase; see CHANGELOG.md)`, {
        path: path ?? this.namespace,
        found: name,
        expected: renamed,
        hint: `write "${renamed}"`,
      });
    }
    const near = this.nearest(String(name));
    return new CflowError(
      "REGISTRY_UNKNOWN",
      `${path ? `${path}: ` : ""}unknown ${singular} "${String(name)}"` + (near ? ` — did you mean "${near}"?` : "") + ` (registered: ${this.names().join(", ") || "none"})`,
      { path: path ?? this.namespace, found: name, expected: `one of ${this.names().join(", ")}`, hint: near ? `did you mean "${near}"?` : undefined },
    );
  }
}

export interface RegistryValidators {
  transforms?: Validator<TransformFactory>;
  manifolds?: Validator<ManifoldFactory>;
}

/**
 * A per-instance registry of everything a spec can name. No global state: two flows in one
 * process can use different registries (different plugin sets). Built-ins register through the
 * same `use(plugin)` API as third-party plugins.
 */
export class Registry {
  readonly transforms: Table<TransformFactory>;
  readonly manifolds: Table<ManifoldFactory>;
  readonly ops: Table<OpFactory>;
  readonly atoms: Table<AtomDef>;
  readonly policies: Table<PolicyDef>;
  readonly plugins: Provider[] = [];
  readonly failures: PluginFailure[] = [];
  private provider: Provider = { plugin: "(direct)", version: "-" };
  private undo: (() => void)[] | null = null;

  constructor(validators: RegistryValidators = {}) {
    this.transforms = new Table("transforms", this, validators.transforms);
    this.manifolds = new Table("manifolds", this, validators.manifolds);
    this.ops = new Table("ops", this);
    this.atoms = new Table("atoms", this);
    this.policies = new Table("policies", this);
  }

  /**
   * Loads plugins in order. A plugin whose setup throws (a duplicate name, a transform that fails
   * validation, its own bug) is reported by name and hook, its partial registrations are undone,
   * and the remaining plugins still load.
   */
  use(...plugins: Plugin[]): PluginLoadReport {
    const report: PluginLoadReport = { loaded: [], failed: [] };
    for (const plugin of plugins) {
      const provider = { plugin: String(plugin?.name ?? "(unnamed)"), version: String(plugin?.version ?? "0.0.0") };
      const prev = this.provider;
      this.provider = provider;
      this.undo = [];
      try {
        if (typeof plugin?.setup !== "function") {
          throw new CflowError("PLUGIN_BAD_SHAPE", `plugin ${provider.plugin}: expected { name, version, setup(registry) }, found no setup function`, {
            path: provider.plugin,
            expected: "setup(registry)",
            found: typeof plugin?.setup,
          });
        }
        plugin.setup(this);
        this.plugins.push(provider);
        report.loaded.push(provider);
      } catch (err) {
        for (const u of this.undo.reverse()) u();
        const error = err instanceof Error ? err : new Error(String(err));
        const failure: PluginFailure = { plugin: provider.plugin, version: provider.version, hook: "setup", error };
        this.failures.push(failure);
        report.failed.push(failure);
      } finally {
        this.provider = prev;
        this.undo = null;
      }
    }
    return report;
  }

  /** Every entry of every namespace with its provider (what `cflow plugins` lists). */
  list(): { namespace: NamespaceName; name: string; provider: Provider }[] {
    const out: { namespace: NamespaceName; name: string; provider: Provider }[] = [];
    for (const t of [this.transforms, this.manifolds, this.ops, this.atoms, this.policies] as Table<unknown>[]) {
      for (const e of t.list()) out.push({ namespace: t.namespace, name: e.name, provider: e.provider });
    }
    return out;
  }

  /** @internal the plugin whose setup is running. */
  currentProvider(): Provider {
    return this.provider;
  }

  /** @internal records how to undo a registration if the running plugin fails. */
  journal(undo: () => void): void {
    this.undo?.push(undo);
  }
}
