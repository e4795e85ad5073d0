import type { LiftSummary } from "../../shared/analysis/detector.ts";
import { KIND_ISOMETRIC, KIND_RACKPULL } from "../../shared/analysis/detector.ts";
import { parseLiftBody } from "../../shared/board/liftrecord.ts";
import { splitFields } from "../../shared/protocol/frame.ts";
import { parsePairs } from "./commands.ts";

/** What a person sees right now: readings only ever come from intact, in-order frames. */
export interface LiftView {
  source: "board" | "host";
  kind: "rack pull" | "isometric" | "lift";
  /** Session time the lift ended (s). */
  atS: number;
  /**
   * Session time from which the lift's frames are worth analysing (s): the quiet rest before it
   * (host), or ≈ 2 s before its onset (board: its times are the board's own clock). Set on lifts
   * seen live; absent on lifts read back from the store.
   */
  fromS?: number;
  peakForceN: number;
  timeToPeakMs: number;
  /** Rack pull: the bar's weighed load (N), NaN otherwise. */
  weighedLoadN: number;
  timeToLiftOffMs: number;
  holdMs: number;
  /** Rack pull: the load weighed again after set-down (N) and its difference from the first weighing; NaN otherwise (and on lifts read back from the store). */
  reweighLoadN?: number;
  reweighDiffN?: number;
  /** The board's own key=value fields (source "board"). */
  fields?: Record<string, string>;
}

export interface LiveState {
  connected: boolean;
  timeS: number;
  seq: number;
  /** Per channel, N; NaN when the channel has no reading (stale, uncalibrated). */
  forceN: number[];
  totalN: number;
  /** The total of largest magnitude (an isometric pull pushes the pins up: negative). */
  peakTotalN: number;
  /** Session time of the peak (s). */
  peakAtS: number;
  /** Time from the start of the session (or the last reset of the peak) to the peak (s). */
  peakSinceS: number;
  lastLift: LiftView | null;
  notices: string[];
}

export function createLiveState(channels: number): LiveState {
  return {
    connected: true, timeS: 0, seq: -1, forceN: new Array<number>(channels).fill(NaN), totalN: NaN,
    peakTotalN: NaN, peakAtS: NaN, peakSinceS: 0, lastLift: null, notices: [],
  };
}

/** How much rest before a lift's onset its analysis gets when the quiet period is not known (ms). */
const LEAD_MS = 2000;

/**
 * A lift is detected twice: by the board (its E record) and by the host's detector. Lifts of one
 * kind from the two sources less than `withinS` apart are one lift.
 */
export function sameLift(a: { source: string; kind: string; atS: number }, b: { source: string; kind: string; atS: number }, withinS = 2): boolean {
  return a.kind === b.kind && a.source !== b.source && Math.abs(a.atS - b.atS) < withinS;
}

export function liftFromSummary(s: LiftSummary, atS: number): LiftView {
  return {
    source: "host",
    kind: s.kind === KIND_RACKPULL ? "rack pull" : s.kind === KIND_ISOMETRIC ? "isometric" : "lift",
    atS,
    fromS: Math.min(atS, (s.quietStartMs >= 0 ? s.quietStartMs : s.onsetMs - LEAD_MS) / 1000),
    peakForceN: s.peakForceN,
    timeToPeakMs: s.timeToPeakMs >= 0 ? s.timeToPeakMs : NaN,
    weighedLoadN: s.weighedLoadN >= 0 ? s.weighedLoadN : NaN,
    timeToLiftOffMs: s.timeToLiftOffMs >= 0 ? s.timeToLiftOffMs : NaN,
    holdMs: s.holdMs >= 0 ? s.holdMs : NaN,
    reweighLoadN: s.kind === KIND_RACKPULL && s.reweighStartIndex >= 0 ? s.reweighN : NaN,
    reweighDiffN: s.kind === KIND_RACKPULL && s.reweighStartIndex >= 0 ? s.reweighDiffN : NaN,
  };
}

/** An `E` record from the board (shared/board/liftrecord.ts). */
export function liftFromRecord(body: string, atS: number): LiftView {
  const r = parseLiftBody(body);
  return {
    source: "board",
    kind: r.kind === "rackpull" ? "rack pull" : r.kind === "isometric" ? "isometric" : "lift",
    atS,
    fromS: r.endMs >= r.onsetMs ? atS - (r.endMs - r.onsetMs + LEAD_MS) / 1000 : atS - 10,
    peakForceN: r.peakForceN,
    timeToPeakMs: r.timeToPeakMs,
    weighedLoadN: r.weighedLoadN,
    timeToLiftOffMs: r.timeToLiftOffMs,
    holdMs: r.holdMs,
    reweighLoadN: r.reweighN,
    reweighDiffN: r.reweighDiffN,
    fields: parsePairs(splitFields(body), 1),
  };
}
