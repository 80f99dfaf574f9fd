// The browser build's stand-ins for the Node APIs two core modules call directly
// (src/platform/browser-node-apis.ts): os.totalmem from navigator.deviceMemory, and setImmediate
// as a MessageChannel task. Node 20 has MessageChannel but no navigator, so both paths run here.
import { afterEach, describe, expect, it } from "vitest";
import { setImmediate as runSoon, totalmem } from "../src/platform/browser-node-apis.js";

describe("browser stand-ins for Node APIs", () => {
  const original = Object.getOwnPropertyDescriptor(globalThis, "navigator");
  afterEach(() => {
    if (original) Object.defineProperty(globalThis, "navigator", original);
    else delete (globalThis as { navigator?: unknown }).navigator;
  });

  it("totalmem: navigator.deviceMemory GiB, else 4 GiB (the wasm32 limit)", () => {
    Object.defineProperty(globalThis, "navigator", { value: { deviceMemory: 2 }, configurable: true, writable: true });
    expect(totalmem()).toBe(2 * 2 ** 30);
    Object.defineProperty(globalThis, "navigator", { value: { deviceMemory: 0.5 }, configurable: true, writable: true });
    expect(totalmem()).toBe(2 ** 29);
    Object.defineProperty(globalThis, "navigator", { value: {}, configurable: true, writable: true });
    expect(totalmem()).toBe(4 * 2 ** 30);
  });

  it("setImmediate: runs the callback later, after microtasks already queued, once each", async () => {
    const order: string[] = [];
    const done = new Promise<void>((resolve) =>
      runSoon(() => {
        order.push("task");
        resolve();
      }),
    );
    void Promise.resolve().then(() => order.push("microtask"));
    order.push("sync");
    await done;
    expect(order).toEqual(["sync", "microtask", "task"]);
    // many in a row all run, in order
    const seen: number[] = [];
    await new Promise<void>((resolve) => {
      for (let i = 0; i < 100; i++) {
        runSoon(() => {
          seen.push(i);
          if (i === 99) resolve();
        });
      }
    });
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
