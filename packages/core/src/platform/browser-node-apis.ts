// Browser versions of the two Node APIs core modules still call directly — `os.totalmem()` in
// spec/element-limit.ts and the global `setImmediate` in controller/run-certified.ts. The browser
// build (tsup.config.ts) resolves "node:os" to this file and injects `setImmediate` from it.

/**
 * The device's memory in bytes: `navigator.deviceMemory` (GiB, rounded down to a power of two and
 * capped at 8 by browsers) where the browser reports it, else 4 GiB, the most a WebAssembly
 * (wasm32) memory can hold.
 */
export function totalmem(): number {
  const gib = (globalThis.navigator as { deviceMemory?: number } | undefined)?.deviceMemory;
  return (typeof gib === "number" && gib > 0 ? gib : 4) * 2 ** 30;
}

/**
 * Runs `callback` after the events already queued (a macrotask through a MessageChannel, which
 * browsers do not clamp to 4 ms as they do nested `setTimeout(0)`), in pages and workers alike.
 */
function runSoon(callback: () => void): void {
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    channel.port1.close();
    callback();
  };
  channel.port2.postMessage(null);
}

// injected as the global `setImmediate` (esbuild renames the calls to runSoon)
export { runSoon as setImmediate };
