import { sameLift } from "../session/live.ts";
import type { LiftRow } from "./store.ts";

/**
 * A lift is detected twice: by the board (its E record, the on-board detector) and by the host
 * (the same detector plus the full analysis), and both are stored. For counting, records and
 * the ladder each lift counts once: lifts of one session and kind less than `withinS` apart are
 * one lift (sameLift), represented by the host's row (the board's when the host has none).
 */
export function distinctLifts(lifts: LiftRow[], withinS = 2): LiftRow[] {
  const sorted = [...lifts].sort((a, b) => a.sessionId - b.sessionId || a.atS - b.atS || a.id - b.id);
  const out: LiftRow[] = [];
  for (const l of sorted) {
    const prev = out[out.length - 1];
    const same = prev !== undefined && prev.sessionId === l.sessionId && sameLift(prev, l, withinS);
    if (!same) out.push(l);
    else if (prev.source !== "host" && l.source === "host") out[out.length - 1] = l;
  }
  return out;
}
