// Run ids are generated safely, and no id or path may lead a capsule out of the runs directory.
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { newRunId } from "@cflow/core";
import { checkRunId, recorder, runDirFor } from "../src/index.js";
import { tempRunsDir } from "./fixtures.js";

describe("run ids", () => {
  test("generated ids are timestamped, safe and distinct", () => {
    const at = new Date("2025-01-02T03:04:05.678Z");
    const ids = Array.from({ length: 200 }, () => newRunId(at));
    for (const id of ids) {
      expect(id).toMatch(/^20250102T030405Z-[0-9a-f]{12}$/);
      expect(checkRunId(id)).toBe(id);
    }
    expect(new Set(ids).size).toBe(ids.length);
    const rec = recorder({ runsDir: tempRunsDir("gen") });
    expect(rec.runId).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{12}$/);
  });

  test.each([
    ["..", "parent"],
    ["../escape", "relative escape"],
    ["a/b", "separator"],
    ["a\\b", "backslash"],
    ["/etc", "absolute"],
    ["a..b", "dot-dot inside"],
    [".hidden", "leading dot"],
    ["", "empty"],
    ["with space", "space"],
    ["naïve", "non-ASCII"],
    ["x".repeat(129), "too long"],
    ["a\nb", "newline"],
  ])("refuses %j (%s)", (id) => {
    expect(() => recorder({ runsDir: "/tmp/runs", runId: id })).toThrow(/recorder.runId: refused run id .* one path segment/);
  });

  test("accepts ordinary ids and places the capsule inside the runs directory", () => {
    const runsDir = tempRunsDir("ok");
    for (const id of ["deblur-1d", "A.b_c-9", "2025-01-01T00.00"]) expect(runDirFor(runsDir, id)).toBe(join(runsDir, id));
  });

  test("refuses a capsule path that is a link leading elsewhere", () => {
    const runsDir = tempRunsDir("link");
    const outside = tempRunsDir("outside");
    mkdirSync(join(outside, "victim"));
    symlinkSync(join(outside, "victim"), join(runsDir, "linked"));
    expect(() => recorder({ runsDir, runId: "linked" })).toThrow(/is a link leading outside the runs directory/);
  });
});
