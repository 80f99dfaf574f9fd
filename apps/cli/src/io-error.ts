import { CflowError } from "@cflow/core";

/** The operating-system errors that mean "the file system refused", in words. */
const IO_ERRNOS: Record<string, string> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EFBIG: "the file is too large for the file system",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  EIO: "input/output error of the device",
  ENOTDIR: "a component of the path is a file, not a directory",
  EISDIR: "is a directory, not a file",
};

/** The same errors as C's strerror words them (DuckDB's "IO Error: ...: No space left on device"). */
const STRERROR: [RegExp, string][] = [
  [/No space left on device/i, "ENOSPC"],
  [/Disk quota exceeded/i, "EDQUOT"],
  [/File too large/i, "EFBIG"],
  [/Permission denied/i, "EACCES"],
  [/Operation not permitted/i, "EPERM"],
  [/Read-only file system/i, "EROFS"],
  [/Input\/output error/i, "EIO"],
  [/Not a directory/i, "ENOTDIR"],
  [/Is a directory/i, "EISDIR"],
];

const ERRNO_TOKEN = new RegExp(`\\b(${Object.keys(IO_ERRNOS).join("|")})\\b:`);

/**
 * A file-system refusal — disk full, quota, permission, read-only file system, a file where a
 * directory should be — with the path it happened at. Its own exit code (IO), a plain message.
 */
export class IoError extends CflowError {
  constructor(
    readonly errno: string,
    path: string | undefined,
    context: string | undefined,
    hint?: string,
  ) {
    super(`IO_${errno}`, `${path ? `${path}: ` : ""}${IO_ERRNOS[errno]} (${errno})${context ? ` ${context}` : ""}`, { path, found: `${errno}: ${IO_ERRNOS[errno]}`, hint });
  }
}

interface Found {
  errno: string;
  path?: string;
}

/**
 * The I/O failure inside `err`, if it is one: a Node system error's `code`, or — for errors a
 * library wrapped into text (the recorder's RECORDER_WRITE_FAILED, DuckDB's "IO Error") — the
 * errno token (`ENOSPC:`) or DuckDB's strerror words in the message. Follows `cause` and the
 * wrapped error a CflowError keeps in `details.found`.
 */
export function findIoFailure(err: unknown, depth = 0): Found | null {
  if (depth > 4 || err === null || err === undefined) return null;
  if (typeof err === "string") return fromText(err);
  if (typeof err !== "object") return null;
  const e = err as { code?: unknown; path?: unknown; message?: unknown; cause?: unknown };
  if (typeof e.code === "string" && e.code in IO_ERRNOS && !(err instanceof CflowError)) {
    return { errno: e.code, path: typeof e.path === "string" ? e.path : pathInText(String(e.message ?? "")) };
  }
  if (err instanceof CflowError) {
    const inner = findIoFailure(err.details.found, depth + 1) ?? findIoFailure(e.cause, depth + 1) ?? fromText(err.message);
    return inner && !inner.path && typeof err.details.path === "string" ? { ...inner, path: err.details.path } : inner;
  }
  if (typeof e.message === "string") return fromText(e.message) ?? findIoFailure(e.cause, depth + 1);
  const o = err as Record<string, unknown>;
  // the details of a wrapped CflowError, as RUN_ERROR keeps them: { code, path, found, ... }
  const inner = findIoFailure(o.found, depth + 1);
  return inner && !inner.path && typeof o.path === "string" ? { ...inner, path: o.path } : inner;
}

function fromText(text: string): Found | null {
  const token = ERRNO_TOKEN.exec(text)?.[1];
  if (token) return { errno: token, path: pathInText(text) };
  if (!/IO Error/i.test(text)) return null;
  for (const [re, errno] of STRERROR) if (re.test(text)) return { errno, path: pathInText(text) };
  return null;
}

/** The path a Node (`open '/a/b'`) or DuckDB (`file "/a/b"`) message names. */
function pathInText(text: string): string | undefined {
  return /, \w+ '([^']+)'/.exec(text)?.[1] ?? /file "([^"]+)"/.exec(text)?.[1];
}

/**
 * `err` as an IoError when it is an I/O failure (see findIoFailure), else null. `fallbackPath`
 * names where it happened when the error itself does not (a write through a file descriptor).
 */
export function toIoError(err: unknown, o: { fallbackPath?: string; context?: string; hint?: string } = {}): IoError | null {
  if (err instanceof IoError) return err;
  const found = findIoFailure(err);
  if (!found) return null;
  const io = new IoError(found.errno, displayPath(found.path) ?? o.fallbackPath, o.context, o.hint ?? hintFor(found.errno));
  if (err instanceof Error) io.stack = err.stack;
  return io;
}

/**
 * The file a write was for: the recorder writes `.name.<8 hex>.tmp` and renames it into place
 * (packages/recorder/src/durable-file.ts), so a failure names the file it was writing.
 */
function displayPath(path: string | undefined): string | undefined {
  return path?.replace(/(^|\/)\.([^/]+)\.[0-9a-f]{8}\.tmp$/, "$1$2");
}

function hintFor(errno: string): string | undefined {
  if (errno === "ENOSPC" || errno === "EDQUOT" || errno === "EFBIG") return "free some space (or choose another place) and run the command again";
  if (errno === "EACCES" || errno === "EPERM" || errno === "EROFS") return "choose a place you may write to, or change its permissions";
  return undefined;
}
