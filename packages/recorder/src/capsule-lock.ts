import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { CflowError } from "@cflow/core";
import { LOCK_FILE } from "./capsule-layout.js";
import { assertNoLinks, capsulePath, capsuleRoot, createCapsuleFileExclusive, removeCapsuleFile } from "./capsule-files.js";

/**
 * One writer per capsule (SCHEMA.md "Lock"). A writer — `cflow run`, `resume`, `report`, the
 * recorder sink — holds `<runDir>/lock`, a small JSON file created atomically with O_EXCL that
 * names its owner: pid, host, start time, command. A second writer is refused with CAPSULE_LOCKED
 * naming the holder. A lock whose owner is gone (same host, pid no longer running — a SIGKILLed
 * run) is stale and taken over, and the caller is told so; a lock from another host cannot be
 * checked and is refused unless the caller forces it.
 */
export const LOCK_TAKEOVER_FILE = `${LOCK_FILE}.takeover`;

export interface LockOwner {
  pid: number;
  host: string;
  /** ISO 8601 time the lock was taken. */
  started_at: string;
  /** What holds it (`cflow resume`, `recorder`...). */
  command: string;
  /** Random: tells this lock from a later one of the same pid. */
  token: string;
}

export interface LockOptions {
  /** What takes the lock, recorded in the lock file and named to a refused writer. */
  command: string;
  /** Take the lock even from a live or unverifiable holder (another host). */
  force?: boolean;
}

/** Locks this process holds, by capsule directory (a second acquisition in-process is refused too). */
const held = new Map<string, CapsuleLock>();
let exitHookInstalled = false;

/** The capsule directories whose locks this process holds (a process that runs many commands checks none is left). */
export function heldCapsuleLocks(): string[] {
  return [...held.keys()];
}

export class CapsuleLock {
  private released = false;

  constructor(
    readonly runDir: string,
    readonly owner: LockOwner,
    /** The stale or forced lock this one replaced (the caller warns about it). */
    readonly replaced: LockOwner | null,
  ) {}

  get held(): boolean {
    return !this.released;
  }

  /** Removes the lock file (only if it is still this lock: a forced takeover is left alone). Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    held.delete(this.runDir);
    const current = readLockFile(this.runDir);
    if (current.owner?.token === this.owner.token) removeCapsuleFile(this.runDir, LOCK_FILE);
  }
}

/**
 * Takes the capsule's lock or throws CAPSULE_LOCKED naming the holder. A capsule holding a
 * symbolic link where a writer could reach is refused (CAPSULE_LINK) before the lock is handed out:
 * whoever holds a lock may write anywhere in the capsule.
 */
export function acquireCapsuleLock(runDir: string, options: LockOptions): CapsuleLock {
  const root = capsuleRoot(runDir);
  const mine = held.get(root);
  if (mine) throw lockedError(root, mine.owner, "this process already holds it");
  const owner: LockOwner = { pid: process.pid, host: hostname(), started_at: new Date().toISOString(), command: options.command, token: randomBytes(8).toString("hex") };
  let replaced: LockOwner | null = null;
  for (let attempt = 0; attempt < 4; attempt++) {
    if (createCapsuleFileExclusive(root, LOCK_FILE, `${JSON.stringify(owner)}\n`)) {
      const lock = new CapsuleLock(root, owner, replaced);
      held.set(root, lock);
      installExitHook();
      try {
        assertNoLinks(root);
      } catch (e) {
        lock.release();
        throw e;
      }
      return lock;
    }
    const existing = readLockFile(root);
    if (existing.raw === null) continue; // released between our attempt and the read: try again
    const verdict = staleness(existing.owner);
    if (verdict !== "stale" && !options.force) {
      const why = verdict === "foreign" ? "held from another host, which cannot be checked from here" : existing.owner?.pid === process.pid ? "this process already holds it" : "its owner is running";
      throw lockedError(root, existing.owner, why);
    }
    takeOver(root, existing.raw);
    replaced = existing.owner ?? { pid: -1, host: "unknown", started_at: "unknown", command: "unknown (unreadable lock file)", token: "" };
  }
  throw new CflowError("CAPSULE_LOCKED", `${root}: could not take the capsule's lock — other writers keep taking it`, { path: capsulePath(root, LOCK_FILE), expected: "one writer at a time", hint: "retry when the other cflow processes are done" });
}

/** Runs `fn` holding the capsule's lock; the lock is released on every exit path. */
export async function withCapsuleLock<T>(runDir: string, options: LockOptions, fn: (lock: CapsuleLock) => Promise<T> | T): Promise<T> {
  const lock = acquireCapsuleLock(runDir, options);
  try {
    return await fn(lock);
  } finally {
    lock.release();
  }
}

/** The lock file's text and parsed owner (null text: no lock; null owner: unreadable). */
function readLockFile(root: string): { raw: string | null; owner: LockOwner | null } {
  const path = capsulePath(root, LOCK_FILE);
  let raw: string;
  try {
    raw = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { raw: null, owner: null };
    throw e;
  }
  try {
    const o = JSON.parse(raw) as LockOwner;
    const ok = Number.isInteger(o.pid) && typeof o.host === "string" && typeof o.started_at === "string" && typeof o.command === "string" && typeof o.token === "string";
    return { raw, owner: ok ? o : null };
  } catch {
    return { raw, owner: null };
  }
}

/**
 * `stale`: same host and the owner's pid is not running (or is this very process, which does not
 * hold it: a previous process with the same pid, as happens in containers). `live`: it runs, or
 * the file is unreadable (a writer between creating and filling it). `foreign`: another host.
 */
function staleness(owner: LockOwner | null): "stale" | "live" | "foreign" {
  if (owner === null) return "live";
  if (owner.host !== hostname()) return "foreign";
  // This process: live if one of its locks has that token (whatever path spelled the capsule).
  if (owner.pid === process.pid) return [...held.values()].some((l) => l.owner.token === owner.token) ? "live" : "stale";
  return pidAlive(owner.pid) ? "live" : "stale";
}

function pidAlive(pid: number): boolean {
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes a stale lock whose text is `raw`. Takeovers are serialised by a second exclusive file,
 * so two processes that both found the same stale lock cannot both remove it and then both
 * create one; the lock is removed only if it still holds exactly the text judged stale.
 */
function takeOver(root: string, raw: string): void {
  const guard = { pid: process.pid, host: hostname(), started_at: new Date().toISOString() };
  if (!createCapsuleFileExclusive(root, LOCK_TAKEOVER_FILE, `${JSON.stringify(guard)}\n`)) {
    const path = capsulePath(root, LOCK_TAKEOVER_FILE);
    throw new CflowError("CAPSULE_LOCKED", `${root}: another process is taking over the capsule's stale lock (${path} exists)`, {
      path,
      expected: "one writer at a time",
      found: readFileSync(path, "utf8").trim(),
      hint: `retry in a moment; if no cflow process is running, delete ${path}`,
    });
  }
  try {
    if (readLockFile(root).raw === raw) removeCapsuleFile(root, LOCK_FILE);
  } finally {
    removeCapsuleFile(root, LOCK_TAKEOVER_FILE);
  }
}

function lockedError(root: string, owner: LockOwner | null, why: string): CflowError {
  const path = capsulePath(root, LOCK_FILE);
  const holder = owner ? `pid ${owner.pid} on ${owner.host} (${owner.command}) since ${owner.started_at}` : "a writer whose lock file cannot be read";
  return new CflowError("CAPSULE_LOCKED", `${root}: the capsule is in use — locked by ${holder}; ${why}`, {
    path,
    expected: "one writer per capsule",
    found: owner ? { pid: owner.pid, host: owner.host, since: owner.started_at, command: owner.command } : "an unreadable lock file",
    hint: owner?.host !== undefined && owner.host !== hostname()
      ? `if that process is gone, pass --break-lock (or remove ${path})`
      : `wait for it to finish; if no such process runs, remove ${path} or pass --break-lock`,
  });
}

/** A process that exits without releasing (process.exit in the middle of a command) leaves no lock behind. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const lock of [...held.values()]) {
      try {
        lock.release();
      } catch {
        // exiting: a lock that cannot be removed is stale and will be taken over
      }
    }
  });
}
