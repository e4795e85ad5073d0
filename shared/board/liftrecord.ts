import type { LiftSummary } from "../analysis/detector.ts";
import { splitFields } from "../protocol/frame.ts";
import { fieldValue } from "../protocol/keyvalue.ts";
import { formatFixed, formatInt, parseDecimal } from "../protocol/wire-number.ts";

/**
 * The lift summary record the board emits when the on-board detector completes a lift, keeps in a
 * RAM ring and appends (sealed, one line each) to its flash ring `lifts.txt`; `lifts,<sinceId>`
 * replays them. Body (see shared/protocol/frame.ts sealLine for the checksum):
 *
 *   E,id=<n>,boot=<n>,kind=<isometric|rackpull>,done=<0|1>,conf=<0|1>,quiet=<0|1>,
 *     base=<N>,thr=<N>,onset=<ms>,peak=<N>,net=<N>,peakt=<ms>,ttp=<ms>,weighed=<N>,liftoff=<ms>,
 *     ttl=<ms>,setdown=<ms>,hold=<ms>,reweigh=<N>,rwdiff=<N>,plates=<0|1>,end=<ms>,gap=<ms>
 *
 * Times are board milliseconds since boot (integers); forces in N with one decimal. A value that
 * the lift did not reach (no lift-off in an isometric pull, no re-weigh…) is empty, e.g. `liftoff=`.
 * done = reached its natural end; conf = confirmed effort; quiet = a steady quiet period was found;
 * base = baseline pin load; thr = onset threshold; peak = peak lifter force (rack pull: weighed −
 * min pin load); net = peak − baseline; weighed = bar weighed on the pins before the pull;
 * reweigh = after set-down; plates = re-weigh differs from weighed beyond tolerance.
 */
export const KIND_NAMES = ["none", "isometric", "rackpull"];

export interface LiftRecord {
  /** "" when the body parsed, otherwise why not */
  error: string;
  id: number;
  boot: number;
  kind: string;
  done: boolean;
  confirmed: boolean;
  quietOk: boolean;
  baselinePinN: number;
  thresholdN: number;
  onsetMs: number;
  peakForceN: number;
  peakNetForceN: number;
  peakMs: number;
  timeToPeakMs: number;
  /** NaN when absent */
  weighedLoadN: number;
  liftOffMs: number;
  timeToLiftOffMs: number;
  setDownMs: number;
  holdMs: number;
  reweighN: number;
  reweighDiffN: number;
  platesChanged: boolean;
  endMs: number;
  maxGapMs: number;
}

function ms(x: number): string {
  return x < 0 ? "" : formatInt(x);
}

function flag(b: boolean): string {
  return b ? "1" : "0";
}

export function liftBody(id: number, boot: number, s: LiftSummary): string {
  const kind = s.kind >= 0 && s.kind < KIND_NAMES.length ? KIND_NAMES[s.kind] : "none";
  const pull = s.kind === 2;
  const hasReweigh = pull && s.reweighStartIndex >= 0;
  return `E,id=${formatInt(id)},boot=${formatInt(boot)},kind=${kind},done=${flag(s.complete)},conf=${flag(s.confirmed)},` +
    `quiet=${flag(s.quietOk)},base=${formatFixed(s.baselinePinN, 1)},thr=${formatFixed(s.thresholdN, 1)},` +
    `onset=${ms(s.onsetMs)},peak=${formatFixed(s.peakForceN, 1)},net=${formatFixed(s.peakNetForceN, 1)},` +
    `peakt=${ms(s.peakMs)},ttp=${ms(s.timeToPeakMs)},weighed=${pull ? formatFixed(s.weighedLoadN, 1) : ""},` +
    `liftoff=${ms(s.liftOffMs)},ttl=${ms(s.timeToLiftOffMs)},setdown=${ms(s.setDownMs)},hold=${ms(s.holdMs)},` +
    `reweigh=${hasReweigh ? formatFixed(s.reweighN, 1) : ""},rwdiff=${hasReweigh ? formatFixed(s.reweighDiffN, 1) : ""},` +
    `plates=${flag(s.platesChanged)},end=${ms(s.endMs)},gap=${ms(s.maxGapMs)}`;
}

/** The id of an E body without parsing the rest; -1 when absent. */
export function liftId(body: string): number {
  if (body.slice(0, 5) !== "E,id=") return -1;
  let end = 5;
  while (end < body.length && body.charCodeAt(end) !== 44) end = end + 1;
  const id = parseDecimal(body.slice(5, end));
  return id === id ? id : -1;
}

function num(fields: string[], key: string): number {
  const v = fieldValue(fields, key);
  return v === "" ? 0 / 0 : parseDecimal(v);
}

export function parseLiftBody(body: string): LiftRecord {
  const f = splitFields(body);
  const r: LiftRecord = {
    error: "", id: num(f, "id"), boot: num(f, "boot"), kind: fieldValue(f, "kind"),
    done: fieldValue(f, "done") === "1", confirmed: fieldValue(f, "conf") === "1", quietOk: fieldValue(f, "quiet") === "1",
    baselinePinN: num(f, "base"), thresholdN: num(f, "thr"), onsetMs: num(f, "onset"), peakForceN: num(f, "peak"),
    peakNetForceN: num(f, "net"), peakMs: num(f, "peakt"), timeToPeakMs: num(f, "ttp"), weighedLoadN: num(f, "weighed"),
    liftOffMs: num(f, "liftoff"), timeToLiftOffMs: num(f, "ttl"), setDownMs: num(f, "setdown"), holdMs: num(f, "hold"),
    reweighN: num(f, "reweigh"), reweighDiffN: num(f, "rwdiff"), platesChanged: fieldValue(f, "plates") === "1",
    endMs: num(f, "end"), maxGapMs: num(f, "gap"),
  };
  if (f[0] !== "E") r.error = "not a lift record";
  else if (r.id !== r.id || r.id < 1) r.error = "no id";
  else if (r.kind !== "isometric" && r.kind !== "rackpull") r.error = "unknown kind";
  return r;
}
