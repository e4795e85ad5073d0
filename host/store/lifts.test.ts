import { describe, expect, it } from "vitest";
import { distinctLifts } from "./lifts.ts";
import type { LiftRow } from "./store.ts";

const lift = (id: number, sessionId: number, source: string, kind: string, atS: number): LiftRow => ({
  id, sessionId, source, kind, atS, peakForceN: 2000, timeToPeakMs: NaN, weighedLoadN: 2000, timeToLiftOffMs: 500, holdMs: 1000, details: null,
});

describe("distinctLifts: the board's and the host's report of one lift count once", () => {
  it("pairs board and host rows of one session and kind within 2 s, keeping the host's", () => {
    const rows = [
      lift(1, 1, "board", "rack pull", 8.5), lift(2, 1, "host", "rack pull", 8.52), // one lift, reported twice
      lift(3, 1, "host", "rack pull", 30), // the host alone (the board's E record was lost)
      lift(4, 1, "board", "rack pull", 60), // the board alone
      lift(5, 1, "board", "isometric", 61), // another kind close by: its own lift
      lift(6, 2, "host", "rack pull", 8.5), // another session at the same time: its own lift
      lift(7, 1, "host", "rack pull", 63.5), lift(8, 1, "board", "rack pull", 63.6), // two pulls 3.5 s apart are two lifts
    ];
    expect(distinctLifts(rows).map((l) => l.id)).toEqual([2, 3, 4, 5, 7, 6]);
    // two host rows close together are two lifts, not a pair
    expect(distinctLifts([lift(1, 1, "host", "rack pull", 1), lift(2, 1, "host", "rack pull", 2)]).length).toBe(2);
  });
});
