import type { IntegrityCounts } from "../session/session.ts";

/** The integrity counts in one line, for the terminal and the web page alike. */
export function formatCounts(c: IntegrityCounts): string {
  return `${c.good} good · ${c.corrupt} corrupt · ${c.missing} missing · ${c.duplicates} dup · ${c.resets} resets · ${c.reconnects} reconnects` +
    (c.calibrationMismatches > 0 ? ` · ${c.calibrationMismatches} force mismatches` : "");
}
