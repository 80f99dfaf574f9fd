// Recent (controller/recent.ts): the last `keep` items of a sequence and its length, in memory
// that stays bounded however many are pushed.
import { describe, expect, it } from "vitest";
import { Recent } from "../src/controller/recent.js";

describe("Recent", () => {
  it("keeps the last `keep` items, oldest first, and counts them all", () => {
    const r = new Recent<number>(3);
    expect(r.items).toEqual([]);
    expect(r.last).toBeUndefined();
    for (let i = 0; i < 2; i++) r.push(i);
    expect(r.items).toEqual([0, 1]);
    for (let i = 2; i < 10; i++) r.push(i);
    expect(r.items).toEqual([7, 8, 9]);
    expect(r.last).toBe(9);
    expect(r.count).toBe(10);
  });

  it("never holds more than 2 × keep items between reads", () => {
    const r = new Recent<number>(100);
    let most = 0;
    for (let i = 0; i < 100_000; i++) {
      r.push(i);
      // the list itself, not the trimmed view: the amortised trimming bounds it
      most = Math.max(most, (r as unknown as { list: number[] }).list.length);
    }
    expect(most).toBeLessThan(200);
    expect(r.items).toEqual(Array.from({ length: 100 }, (_, i) => 99_900 + i));
    expect(r.count).toBe(100_000);
  });
});
