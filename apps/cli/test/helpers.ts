import { mkdirSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CflowError } from "@cflow/core";
import { expect } from "vitest";
import { main } from "../src/main.js";

export const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
export const FIXTURES = join(PACKAGE_DIR, "test", "fixtures");

/**
 * A fresh directory inside the workspace (apps/cli/.tmp, git-ignored): modules written there
 * resolve @cflow/core and the workspace's tools like a user's project would.
 */
export function tempDir(prefix: string): string {
  const root = join(PACKAGE_DIR, ".tmp");
  mkdirSync(root, { recursive: true });
  return mkdtempSync(join(root, `${prefix}-`));
}

/** Runs `fn` and returns the CflowError it throws (failing the test if it throws anything else or nothing). */
export async function caught(fn: () => unknown): Promise<CflowError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CflowError);
    return e as CflowError;
  }
  throw new Error("expected a CflowError, nothing was thrown");
}

/** Asserts an error names the file, what was found and what was expected. */
export function expectNamed(err: CflowError, file: string, found: string | RegExp, expected: string | RegExp): void {
  expect(err.message).toContain(file);
  expect(err.details.path).toContain(file);
  const text = `${err.message} ${String(err.details.found)}`;
  if (typeof found === "string") expect(text).toContain(found);
  else expect(text).toMatch(found);
  if (typeof expected === "string") expect(String(err.details.expected)).toContain(expected);
  else expect(String(err.details.expected)).toMatch(expected);
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `cflow <argv>` in process, with captured output and a non-TTY, colourless environment by default. */
export async function cli(argv: string[], o: { cwd?: string; env?: Record<string, string | undefined>; examplesDir?: string; tty?: boolean } = {}): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s), isTTY: o.tty ?? false },
    stderr: { write: (s: string) => (stderr += s), isTTY: o.tty ?? false },
    env: o.env ?? {},
    cwd: o.cwd ?? PACKAGE_DIR,
    examplesDir: o.examplesDir,
  });
  return { code, stdout, stderr };
}
