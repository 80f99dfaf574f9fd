import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";

export const HAS_REDIS = spawnSync("redis-server", ["--version"]).status === 0;

/** A free TCP port on the loopback interface (the kernel's pick). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** A redis-server of this test on a loopback port, with its data (AOF, fsync on every write) in `dir`. */
export interface TestRedis {
  port: number;
  url: string;
  /** Stops it (SIGTERM: it writes its AOF and exits) and waits for the exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port and directory (the AOF brings the data back). */
  start(): Promise<void>;
}

export async function startRedis(dir: string): Promise<TestRedis> {
  if (!HAS_REDIS) throw new Error("redis-server is missing: the queue tests need Debian's redis-server (apt-get install -y redis-server)");
  const port = await freePort();
  mkdirSync(dir, { recursive: true });
  let child: ChildProcess | null = null;
  const start = () =>
    new Promise<void>((resolve, reject) => {
      const c = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no"], { stdio: ["ignore", "pipe", "pipe"] });
      child = c;
      let log = "";
      const onData = (d: Buffer) => {
        log += d.toString();
        if (/Ready to accept connections/.test(log)) resolve();
      };
      c.stdout!.on("data", onData);
      c.stderr!.on("data", onData);
      c.once("exit", (code) => reject(new Error(`redis-server exited (${code}) before it was ready:\n${log}`)));
    });
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    start,
    stop: () =>
      new Promise<void>((resolve) => {
        const c = child;
        if (!c || c.exitCode !== null) return resolve();
        c.once("exit", () => resolve());
        c.kill("SIGTERM");
      }),
  };
}
