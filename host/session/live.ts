import type { LiftSummary } from "../../shared/analysis/detector.ts";
import { KIND_ISOMETRIC, KIND_RACKPULL } from "../../shared/analysis/detector.ts";

/** What a person sees right now: readings only ever come from intact, in-order frames. */
export interface LiftView {
  source: "board" | "host";
  kind: "rack pull" | "isometric" | "lift";
  /** Session time the lift ended (s). */
  atS: number;
  peakForceN: number;
  timeToPeakMs: number;
  /** Rack pull: the bar's weighed load (N), NaN otherwise. */
  weighedLoadN: number;
  timeToLiftOffMs: number;
  holdMs: number;
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

export function liftFromSummary(s: LiftSummary, atS: number): LiftView {
  return {
    source: "host",
    kind: s.kind === KIND_RACKPULL ? "rack pull" : s.kind === KIND_ISOMETRIC ? "isometric" : "lift",
    atS,
    peakForceN: s.peakForceN,
    timeToPeakMs: s.timeToPeakMs,
    weighedLoadN: s.weighedLoadN >= 0 ? s.weighedLoadN : NaN,
    timeToLiftOffMs: s.timeToLiftOffMs,
    holdMs: s.holdMs,
  };
}

function pick(fields: Record<string, string>, keys: string[]): number {
  for (const k of keys) if (fields[k] !== undefined && fields[k] !== "") return Number(fields[k]);
  return NaN;
}

/** An `E` record from the board (keys read with aliases; unknown ones kept in `fields`). */
export function liftFromRecord(fields: Record<string, string>, atS: number): LiftView {
  const kind = fields.kind ?? fields.k ?? "";
  return {
    source: "board",
    kind: /rack|^2$|^rp$/i.test(kind) ? "rack pull" : /iso|^1$/i.test(kind) ? "isometric" : "lift",
    atS,
    peakForceN: pick(fields, ["peak", "peakN", "pk", "peak_n"]),
    timeToPeakMs: pick(fields, ["ttp", "ttpMs", "ttp_ms", "timeToPeakMs"]),
    weighedLoadN: pick(fields, ["load", "loadN", "weighed", "w", "weighedN"]),
    timeToLiftOffMs: pick(fields, ["ttlo", "liftoff", "tlo", "timeToLiftOffMs", "ttl"]),
    holdMs: pick(fields, ["hold", "holdMs", "hold_ms"]),
    fields,
  };
}
