import { replayChronojumpSession } from "../../host/testing/chronojump-session.ts";

/**
 * Chronojump mode: Chronojump's own session replayed against the emulated board through its
 * serial device (host/testing/chronojump-session.ts).
 * - interop.chronojump_session_ok: 1 when every step and reply passed, else 0 (the problems are printed).
 * - interop.chronojump_force_error_pct: mean captured force (after the first quarter of the capture)
 *   vs the load the scenario puts on the pins, %.
 */
export async function figures(): Promise<Record<string, number>> {
  const run = await replayChronojumpSession();
  for (const p of run.problems) console.error(`interop: ${p}`);
  return {
    "interop.chronojump_session_ok": run.problems.length === 0 ? 1 : 0,
    "interop.chronojump_force_error_pct": run.forceErrorPct,
  };
}
