import { describe, expect, it } from "vitest";
import { Kernel } from "../src/kernel/index.js";
import { mulberry32 } from "@cflow/test-kit";

describe("arena", () => {
  const k = Kernel.get("float64");

  it("keeps views valid across memory growth", () => {
    const a = k.alloc(10);
    a.view.set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const before = k.memory.buffer.byteLength;
    const big = k.alloc(4 << 20); // 32 MiB forces growth
    expect(k.memory.buffer.byteLength).toBeGreaterThan(before);
    expect(Array.from(a.view)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    big.free();
    a.free();
  });

  it("reuses, coalesces and zeroes freed blocks, and 16-byte aligns them", () => {
    const start = k.stats();
    const rand = mulberry32(3);
    const live: ReturnType<typeof k.alloc>[] = [];
    for (let round = 0; round < 500; round++) {
      if (live.length > 0 && rand() < 0.45) {
        live.splice(Math.floor(rand() * live.length), 1)[0].free();
      } else {
        const b = k.alloc(1 + Math.floor(rand() * 300));
        expect(b.ptr % 16).toBe(0);
        expect(b.view.every((v) => v === 0)).toBe(true);
        b.view.fill(round + 1);
        live.push(b);
      }
    }
    // no two live blocks overlap
    const spans = live.map((b) => [b.ptr, b.ptr + b.byteLength]).sort((p, q) => p[0] - q[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
    for (const b of live) b.free();
    const end = k.stats();
    expect(end.bytesInUse).toBe(start.bytesInUse);
    expect(end.top).toBe(start.top);
    expect(end.bytesFree).toBe(start.bytesFree);
  });

  it("refuses double free and use after free", () => {
    const b = k.alloc(4);
    b.free();
    expect(() => b.free()).toThrow(/freed twice/);
    expect(() => b.view).toThrow(/after free/);
  });

  it("refuses arrays of another dtype", () => {
    expect(() => k.from(new Float32Array(3))).toThrow(/expected float64, found float32/);
  });
});
