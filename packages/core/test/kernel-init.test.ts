// Loading the kernel asynchronously (initKernel: bytes, a Response, a URL — the browser path) and
// the errors for sources that are not the kernel asked for. Kernels are process-wide and this file
// has its own module graph (vitest isolates test files), so the order below is the load order:
// every failing source first, while no kernel is loaded, then the loads, then what follows them.
import { readFileSync } from "node:fs";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dtype } from "../src/dtype.js";
import { CflowError } from "../src/errors.js";
import { CellBank, Kernel, PlanBuilder, initKernel, reference } from "../src/kernel/index.js";
import { mulberry32, randomArray } from "@cflow/test-kit";
import { parityTol } from "./helpers.js";

const require = createRequire(import.meta.url);
const wasmPath = (dtype: Dtype) => require.resolve(`@cflow/core/wasm/kernel.${dtype}.wasm`);
const wasmBytes = (dtype: Dtype) => new Uint8Array(readFileSync(wasmPath(dtype)));
/** The smallest valid WebAssembly module: the header alone (no cflow.kernel section). */
const EMPTY_MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

async function rejection(p: Promise<unknown>): Promise<CflowError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CflowError);
  return err as CflowError;
}

/** A plan with `dot` on the kernel, against the plain-TypeScript reference. */
function checkDot(dtype: Dtype): void {
  const k = Kernel.get(dtype);
  const rand = mulberry32(5);
  const xa = randomArray(dtype, 1001, rand);
  const ya = randomArray(dtype, 1001, rand);
  const [x, y] = [k.from(xa), k.from(ya)];
  const cells = new CellBank(k);
  const d = cells.cell();
  const plan = new PlanBuilder(k).call("dot", 1001, x, y, d).build();
  plan.run();
  const want = reference.vec.dot(1001, xa, ya);
  expect(Math.abs(d.value - want)).toBeLessThanOrEqual(parityTol(dtype) * 1001 * 4);
  plan.dispose();
  cells.dispose();
  x.free();
  y.free();
}

describe("initKernel", () => {
  // serves /kernel.<dtype>.wasm as application/octet-stream (no streaming compile), 404 otherwise
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const m = /^\/kernel\.(float32|float64)\.wasm$/.exec(req.url ?? "");
      if (!m) {
        res.writeHead(404, "Not Found").end();
        return;
      }
      res.writeHead(200, { "content-type": "application/octet-stream" }).end(wasmBytes(m[1] as Dtype));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("refuses sources that are not the kernel of the dtype, naming the source", async () => {
    let e = await rejection(initKernel({ wasm: { float32: new Uint8Array([1, 2, 3]) } }));
    expect(e.code).toBe("KERNEL_BAD_WASM");
    expect(e.message).toContain("initKernel: wasm.float32 (Uint8Array(3)) is not a WebAssembly module");

    e = await rejection(initKernel({ wasm: { float32: EMPTY_MODULE } }));
    expect(e.code).toBe("KERNEL_BAD_WASM");
    expect(e.message).toMatch(/is not a cflow kernel: it has no "cflow\.kernel" section/);

    e = await rejection(initKernel({ wasm: { float32: wasmBytes("float64") } }));
    expect(e.code).toBe("DTYPE_MISMATCH");
    expect(e.details).toMatchObject({ expected: "float32", found: "the float64 build" });

    e = await rejection(initKernel({ wasm: { float32: 42 as never } }));
    expect(e.code).toBe("KERNEL_BAD_OPTIONS");
    expect(e.details).toMatchObject({ path: "initKernel: wasm.float32", found: "42" });

    e = await rejection(initKernel({ wasm: { float32: "kernel.float32.wasm" } }));
    expect(e.code).toBe("KERNEL_BAD_OPTIONS");
    expect(e.message).toContain('"kernel.float32.wasm" is not a URL');

    e = await rejection(initKernel({ wasm: { float16: EMPTY_MODULE } as never }));
    expect(e.code).toBe("DTYPE_MISMATCH");
    expect(e.details.path).toBe("initKernel: wasm.float16");

    e = await rejection(initKernel({ dtypes: ["float64"], wasm: { float32: EMPTY_MODULE } }));
    expect(e.code).toBe("KERNEL_BAD_OPTIONS");
    expect(e.message).toContain("wasm.float32 is given but dtypes does not include float32");

    const missing = pathToFileURL(`${wasmPath("float32")}.missing`);
    e = await rejection(initKernel({ wasm: { float32: missing } }));
    expect(e.code).toBe("KERNEL_FETCH_FAILED");
    expect(e.details.found).toBe(missing.href);

    e = await rejection(initKernel({ wasm: { float32: `${base}/nowhere.wasm` } }));
    expect(e.code).toBe("KERNEL_FETCH_FAILED");
    expect(e.message).toBe(`${base}/nowhere.wasm: HTTP 404 Not Found`);
  });

  it("loads a kernel from an HTTP URL and one from a streamed Response; Kernel.get then returns them", async () => {
    const response = new Response(wasmBytes("float64"), { headers: { "content-type": "application/wasm" } });
    // two loads of float32 at once share one instance
    await Promise.all([initKernel({ wasm: { float32: `${base}/kernel.float32.wasm`, float64: response } }), initKernel({ dtypes: ["float32"] })]);
    for (const dtype of ["float64", "float32"] as const) {
      const k = Kernel.get(dtype);
      expect(k.dtype).toBe(dtype);
      expect(Kernel.get(dtype)).toBe(k);
      // the opcode table travels in the .wasm: one entry per plan-callable export, numbered 0..n−1
      const ops = [...k.opcodes.values()];
      expect(ops.length).toBeGreaterThan(50);
      expect(ops.map((o) => o.opcode).sort((a, b) => a - b)).toEqual(ops.map((_, i) => i));
      for (const o of ops) expect(typeof (k.exports as unknown as Record<string, unknown>)[o.name], o.name).toBe("function");
      checkDot(dtype);
    }
  });

  it("is a no-op once loaded, and refuses to replace a loaded kernel", async () => {
    const k = Kernel.get("float64");
    await initKernel();
    expect(Kernel.get("float64")).toBe(k);
    const e = await rejection(initKernel({ wasm: { float64: wasmBytes("float64") } }));
    expect(e.code).toBe("KERNEL_ALREADY_LOADED");
    expect(e.message).toBe("initKernel: the float64 kernel is already loaded; a second one cannot replace it");
  });
});
