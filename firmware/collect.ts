/**
 * Averaging runs over the next N frames' median-filtered counts per channel (the sampler feeds
 * them, see sampler.ts feedCollector), for rackcell's tare/capture and Chronojump's tare/calibrate.
 * Transient: loaded by the protocol that starts or finishes a run.
 */
import type { AppCtx, Collector } from "./types/rackcell.d.ts";
import { formatFixed } from "../shared/protocol/wire-number.ts";
/** a run is unstable when its SD exceeds this many times the noise seen between successive samples */
const STABLE_RATIO = 2.5;
/** …and exceeds this many counts (a quantised, nearly silent input has tiny successive differences) */
const STABLE_FLOOR_COUNTS = 40;

/** Starts a run; the collector exists only while needed (the finishing protocol drops it). */
export function startCollect(ctx: AppCtx, kind: string, id: number, channel: number, forceN: number, want: number): void {
  const c: Collector = { active: true, kind, cmdId: id, want, n: 0, channel, forceN, stale: false, ref: [], sum: [], sumSq: [], sumD2: [], prev: [] };
  for (let ch = 0; ch < ctx.board.nch; ch++) {
    c.ref[ch] = 0;
    c.sum[ch] = 0;
    c.sumSq[ch] = 0;
    c.sumD2[ch] = 0;
    c.prev[ch] = 0;
  }
  ctx.cal.collector = c;
}

/** A finished run: mean and SD in counts per channel, or why it cannot be used ("" when it can). */
export interface CollectResult { error: string; means: number[]; sds: number[] }

/** Takes the finished run off ctx and summarises it; undefined when there is none. */
export function finishCollect(ctx: AppCtx): LuaMultiReturn<[Collector | undefined, CollectResult]> {
  const c = ctx.cal.collector;
  const r: CollectResult = { error: "", means: [], sds: [] };
  if (c === undefined) return $multi(undefined, r);
  ctx.cal.collector = undefined;
  const n = c.n;
  if (c.stale) {
    r.error = "a channel is stale (no conversions): check the wiring";
    return $multi(c, r);
  }
  for (let ch = 0; ch < ctx.board.nch; ch++) {
    const m = c.sum[ch] / n;
    let v = (c.sumSq[ch] / n - m * m) * n / (n - 1);
    if (v < 0) v = 0;
    const sd = Math.sqrt(v);
    const noise = Math.sqrt(c.sumD2[ch] / (2 * (n - 1)));
    r.means[ch] = c.ref[ch] + m;
    r.sds[ch] = sd;
    const counts = c.kind === "tare" || c.channel < 0 || c.channel === ch;
    if (counts && sd > STABLE_RATIO * noise && sd > STABLE_FLOOR_COUNTS) {
      r.error = `unstable ch${ch}: sd ${formatFixed(sd, 1)} counts vs noise ${formatFixed(noise, 1)}: wait for the load to settle`;
      return $multi(c, r);
    }
  }
  return $multi(c, r);
}
