import { describe, expect, it } from "vitest";
import { parseSampleLine, replayChronojumpSession } from "../host/testing/chronojump-session.ts";

/**
 * Chronojump mode: Chronojump's own session replayed against the emulated board through its
 * serial device (host/testing/chronojump-session.ts), every reply read with Chronojump's patterns.
 */
describe("Chronojump mode on the emulated board", () => {
  it("discovers, tares, calibrates, captures the load on the pins within 1 %, and switches back to rackcell", async () => {
    const run = await replayChronojumpSession();
    expect(run.problems).toEqual([]);
    expect(run.forceErrorPct).toBeLessThan(1);
  }, 60_000);

  it("reads sample lines as Chronojump does", () => {
    expect(parseSampleLine("12500;490.33")).toEqual({ us: 12500, forceN: 490.33 });
    expect(parseSampleLine("12500;490,33")).toBeUndefined();
    expect(parseSampleLine("1;2;3")).toBeUndefined();
    expect(parseSampleLine("2147483648;1.00")).toBeUndefined();
  });
});
