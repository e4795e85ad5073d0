// On-board streaming lift detector. Board rules apply strictly: plain objects,
// numbers only, no allocation per sample (the window and the summary object
// are allocated once in detectorCreate).
//
// Input is the TOTAL PIN LOAD (sum of both pins), positive when the bar pushes
// down on the pins. One rule finds every onset: the pin load falls below the
// quiet-period baseline by more than the onset threshold.
//   - baseline at or above restMinLoadN (bar resting on the pins) -> rack pull:
//     lifter force = weighed load - pin load, lift-off when the pins unload;
//   - otherwise (pins empty, or bar pushed up into them) -> isometric pull:
//     pull force = -pin load, onset/peak as on a force plate.
// The host's batch analyses (isometric.ts, rackpull.ts) take onset, peak, time
// to peak and lift-off from this detector (via detectLifts), so board and host
// can never disagree on those four numbers.
//
// Quiet period: among complete windows of `quietSamples` samples (~1 s) seen
// while waiting, keep the steadiest (lowest SD; the latest of equals). A window whose mean left the
// kept one by more than the onset threshold (and is itself steady, see
// isNewLevel) replaces it even if noisier: the load moved to a new level (bar
// put on the pins), so the old window is stale. If no window reaches maxQuietSdN, the steadiest one is
// used anyway and quietOk is false (the batch flags noQuietPeriod).
//
// A departure is only an "effort" once the net force reaches minEffortNetN
// (or the bar lifts off). Before that it is a candidate: if force returns to
// the baseline it is dropped; if it settles into a new steady window (the
// lifter taking pre-tension) that window becomes the new baseline. This is why
// pre-tension shorter than one quiet window is counted as part of the effort
// (and the batch then flags noPretension).
//
// Rack pull weighing (the bar resting on the pins). The weighed load is the
// steady level BEFORE any lifter force: the first departure from a steady
// resting baseline weighs that baseline (startEffort) if it is not weighed yet.
// The rule for changing the weighed load afterwards:
//   - a higher steady level is a new load (plates added): weighed after one
//     more window (waitUpdate), or at once when a pull leaves from it;
//   - a LOWER steady level reached while the bar stays on the pins is lifter
//     pre-tension, not a new load: the weighed load is kept. Such a level
//     becomes the baseline the pull is timed from (effortSettled), even when
//     it reached minEffortNetN on the way, as long as its net force is below
//     maxPreTensionFraction of the weighed load (higher: a failed pull). The
//     pull's onset is the departure from that level; the pre-tension phase is
//     reported as preTensionStartMs / preTensionN;
//   - only a lower level then held steady for relevelSamples (several seconds)
//     with no lift-off is re-weighed (plates removed).
//
// Why this is one file (≈750 lines) although it has several phases: the
// phases above (quiet window, candidate, effort, rack weighing, settle and
// re-weigh) share one state record and call each other on every sample as
// module-local functions, which Lua reaches as upvalues. Split into modules,
// each of those calls would go through a module table (one more table lookup
// per call on the per-sample path, where the firmware has about 70 of its
// 1500 instructions per frame to spare) and the tables would stay resident
// on the board instead of being dropped after boot (firmware/framer.ts
// TRANSIENT). What is off that path already lives apart: the options
// (detector-options.ts), the quiet window (window.ts), series maths
// (series.ts).

import {
  WindowStats,
  windowCreate,
  windowFull,
  windowMean,
  windowOldestMs,
  windowPush,
  windowReset,
  windowSd,
} from "./window.ts";

/**
 * The codes as a const enum, used inside this module: TSTL inlines its members as literals. A
 * reference to an exported constant would be a table lookup through an upvalue in Lua, keeping
 * the module table resident on the board (which drops it after boot: firmware/framer.ts).
 */
const enum C {
  MODE_AUTO = 0,
  MODE_ISOMETRIC = 1,
  MODE_RACKPULL = 2,
  KIND_NONE = 0,
  KIND_ISOMETRIC = 1,
  KIND_RACKPULL = 2,
  EV_NONE = 0,
  EV_WEIGHED = 1,
  EV_ONSET = 2,
  EV_LIFTOFF = 3,
  EV_SETDOWN = 4,
  EV_REWEIGH = 5,
  EV_ISO_DONE = 6,
  EV_PULL_FAILED = 7,
  EV_FLUSHED = 8,
  PH_WAIT = 0,
  PH_EFFORT = 1,
  PH_HOLD = 2,
  PH_SETTLE = 3,
  CH_NEW = 0,
  CH_LEVEL = 1,
  CH_REFINE = 2,
}

export const MODE_AUTO: number = C.MODE_AUTO;
export const MODE_ISOMETRIC: number = C.MODE_ISOMETRIC;
export const MODE_RACKPULL: number = C.MODE_RACKPULL;

export const KIND_NONE: number = C.KIND_NONE;
export const KIND_ISOMETRIC: number = C.KIND_ISOMETRIC;
export const KIND_RACKPULL: number = C.KIND_RACKPULL;

/** detectorStep return codes (one per sample; later phases win if two coincide) */
export const EV_NONE: number = C.EV_NONE;
/** bar weighed resting on the pins (summary not touched; see state.restLoadN) */
export const EV_WEIGHED: number = C.EV_WEIGHED;
/** effort confirmed (net force reached minEffortNetN) */
export const EV_ONSET: number = C.EV_ONSET;
export const EV_LIFTOFF: number = C.EV_LIFTOFF;
export const EV_SETDOWN: number = C.EV_SETDOWN;
/** rack pull complete: re-weighed after set-down */
export const EV_REWEIGH: number = C.EV_REWEIGH;
/** isometric pull complete */
export const EV_ISO_DONE: number = C.EV_ISO_DONE;
/** rack pull that never lifted off, complete */
export const EV_PULL_FAILED: number = C.EV_PULL_FAILED;
/** an unfinished lift was closed: at end of data (detectorFinish), or a rack pull's bar taken away during its hold (detectorStep) */
export const EV_FLUSHED: number = C.EV_FLUSHED;

export interface DetectorConfig {
  /** MODE_AUTO, MODE_ISOMETRIC or MODE_RACKPULL */
  mode: number;
  /** quiet window length in samples (~1 s of samples) */
  quietSamples: number;
  /** a window is "steady" when its SD is at most this */
  maxQuietSdN: number;
  /** onset threshold = max(onsetSdMultiple * SD, onsetFloorN) ... */
  onsetSdMultiple: number;
  /** ... floor so a perfectly flat (quantised) baseline does not fire on one count */
  onsetFloorN: number;
  /** > 0: fixed threshold instead (e.g. 20 N, VALD ForceDecks style); <= 0: SD rule */
  fixedThresholdN: number;
  /** net force that confirms an effort (separates real pulls from pre-tension) */
  minEffortNetN: number;
  /** isometric / failed pull ends when net force < endFraction * net peak */
  endFraction: number;
  /** isometric effort is closed after this long even if force stays up */
  maxEffortMs: number;
  /** baseline at or above this means the bar rests on the pins (rack pull) */
  restMinLoadN: number;
  /** lift-off threshold = max(liftOffMinN, liftOffSdMultiple * baseline SD) */
  liftOffMinN: number;
  liftOffSdMultiple: number;
  /** |re-weigh - weighed| above this sets platesChanged */
  reweighToleranceN: number;
  /** a lower resting level held this many samples is taken as the new load (plates removed) */
  relevelSamples: number;
  /** rack pull: a steady lower level with net force below this fraction of the weighed load is pre-tension */
  maxPreTensionFraction: number;
}

/** Everything a lift produced. Unreached values are -1 (times, indices) or false. */
export interface LiftSummary {
  kind: number;
  /** true when the lift reached its natural end (not closed by detectorFinish) */
  complete: boolean;
  confirmed: boolean;
  quietOk: boolean;
  quietStartIndex: number;
  quietEndIndex: number;
  quietStartMs: number;
  quietEndMs: number;
  /** baseline pin load (mean of the quiet window), pin-load sign convention */
  baselinePinN: number;
  baselineSdN: number;
  thresholdN: number;
  onsetIndex: number;
  onsetMs: number;
  peakIndex: number;
  peakMs: number;
  /** isometric: max pull force (= -min pin load); rack pull: weighed load - min pin load */
  peakForceN: number;
  /** baseline pin load - min pin load */
  peakNetForceN: number;
  timeToPeakMs: number;
  /** rack pull: bar weight from the resting window; isometric: -1 */
  weighedLoadN: number;
  /** rack pull: start of the pre-tension phase before this pull (-1: none seen) */
  preTensionStartMs: number;
  /** rack pull: lifter force of the pre-tension level the pull left from (weighed − baseline; 0: none) */
  preTensionN: number;
  weighedSdN: number;
  weighedSamples: number;
  weighedStartIndex: number;
  weighedEndIndex: number;
  liftOffThresholdN: number;
  liftOffIndex: number;
  liftOffMs: number;
  timeToLiftOffMs: number;
  setDownIndex: number;
  setDownMs: number;
  holdMs: number;
  reweighOk: boolean;
  reweighN: number;
  reweighSdN: number;
  reweighStartIndex: number;
  reweighEndIndex: number;
  reweighDiffN: number;
  platesChanged: boolean;
  endIndex: number;
  endMs: number;
  /** largest sample interval seen from onset on: the time resolution of this lift */
  maxGapMs: number;
}

export interface DetectorState {
  cfg: DetectorConfig;
  win: WindowStats;
  phase: number;
  n: number;
  lastMs: number;
  hasCand: boolean;
  candMeanN: number;
  candSdN: number;
  candStartIndex: number;
  candEndIndex: number;
  candStartMs: number;
  candEndMs: number;
  /** sample index where the baseline last moved to a new level */
  candLevelIndex: number;
  thresholdN: number;
  resting: boolean;
  restLoadN: number;
  restSdN: number;
  restSamples: number;
  restStartIndex: number;
  restEndIndex: number;
  /** start of the pre-tension below the weighed load (-1: none) */
  preStartMs: number;
  kind: number;
  confirmed: boolean;
  minPinN: number;
  settleHas: boolean;
  settleMeanN: number;
  settleSdN: number;
  settleStartIndex: number;
  settleEndIndex: number;
  summary: LiftSummary;
}

/** Defaults for a given sample rate (quiet window ~1 s). */
export function defaultDetectorConfig(sampleRateHz: number): DetectorConfig {
  let q = Math.floor(sampleRateHz + 0.5);
  if (q < 2) q = 2;
  return {
    mode: C.MODE_AUTO,
    quietSamples: q,
    maxQuietSdN: 25,
    onsetSdMultiple: 5,
    onsetFloorN: 1,
    fixedThresholdN: -1,
    minEffortNetN: 500,
    endFraction: 0.1,
    maxEffortMs: 10000,
    restMinLoadN: 100,
    liftOffMinN: 20,
    liftOffSdMultiple: 5,
    reweighToleranceN: 9.80665,
    relevelSamples: 3 * q,
    maxPreTensionFraction: 0.5,
  };
}

/**
 * The onset threshold for a baseline of the given SD (shared by board and host). Exported by an
 * export list, so the calls inside this module reach it as a local, not through the module table.
 */
function onsetThresholdN(cfg: DetectorConfig, baselineSdN: number): number {
  if (cfg.fixedThresholdN > 0) return cfg.fixedThresholdN;
  const t = cfg.onsetSdMultiple * baselineSdN;
  return t > cfg.onsetFloorN ? t : cfg.onsetFloorN;
}

export { onsetThresholdN };

function clearSummary(s: LiftSummary): void {
  s.kind = C.KIND_NONE;
  s.complete = false;
  s.confirmed = false;
  s.quietOk = false;
  s.quietStartIndex = -1;
  s.quietEndIndex = -1;
  s.quietStartMs = -1;
  s.quietEndMs = -1;
  s.baselinePinN = 0;
  s.baselineSdN = 0;
  s.thresholdN = 0;
  s.onsetIndex = -1;
  s.onsetMs = -1;
  s.peakIndex = -1;
  s.peakMs = -1;
  s.peakForceN = 0;
  s.peakNetForceN = 0;
  s.timeToPeakMs = -1;
  s.weighedLoadN = -1;
  s.preTensionStartMs = -1;
  s.preTensionN = 0;
  s.weighedSdN = 0;
  s.weighedSamples = 0;
  s.weighedStartIndex = -1;
  s.weighedEndIndex = -1;
  s.liftOffThresholdN = 0;
  s.liftOffIndex = -1;
  s.liftOffMs = -1;
  s.timeToLiftOffMs = -1;
  s.setDownIndex = -1;
  s.setDownMs = -1;
  s.holdMs = -1;
  s.reweighOk = false;
  s.reweighN = -1;
  s.reweighSdN = 0;
  s.reweighStartIndex = -1;
  s.reweighEndIndex = -1;
  s.reweighDiffN = 0;
  s.platesChanged = false;
  s.endIndex = -1;
  s.endMs = -1;
  s.maxGapMs = 0;
}

/**
 * `keepTimes` false (the board): the quiet window keeps no sample times, so quietStartMs (and
 * the candidate's start time) stay -1; every other result is the same. Saves ~1.3 KB of heap.
 */
export function detectorCreate(cfg: DetectorConfig, keepTimes = true): DetectorState {
  const summary = {} as LiftSummary;
  clearSummary(summary);
  return {
    cfg: cfg,
    win: windowCreate(cfg.quietSamples, keepTimes),
    phase: C.PH_WAIT,
    n: 0,
    lastMs: 0,
    hasCand: false,
    candMeanN: 0,
    candSdN: 0,
    candStartIndex: -1,
    candEndIndex: -1,
    candStartMs: -1,
    candEndMs: -1,
    candLevelIndex: -1,
    thresholdN: 0,
    resting: false,
    restLoadN: -1,
    restSdN: 0,
    restSamples: 0,
    restStartIndex: -1,
    restEndIndex: -1,
    preStartMs: -1,
    kind: C.KIND_NONE,
    confirmed: false,
    minPinN: 0,
    settleHas: false,
    settleMeanN: 0,
    settleSdN: 0,
    settleStartIndex: -1,
    settleEndIndex: -1,
    summary: summary,
  };
}

function takeWindowAsBaseline(st: DetectorState, i: number, tMs: number, mean: number, sd: number): void {
  st.hasCand = true;
  st.candMeanN = mean;
  st.candSdN = sd;
  st.candStartIndex = i - st.win.count + 1;
  st.candEndIndex = i;
  st.candStartMs = windowOldestMs(st.win);
  st.candEndMs = tMs;
  st.thresholdN = onsetThresholdN(st.cfg, sd);
}

function setRestFromBaseline(st: DetectorState): void {
  st.restLoadN = st.candMeanN;
  st.restSdN = st.candSdN;
  st.restSamples = st.win.count;
  st.restStartIndex = st.candStartIndex;
  st.restEndIndex = st.candEndIndex;
  st.preStartMs = -1;
}

function absN(x: number): number {
  return x < 0 ? -x : x;
}

/**
 * A window shows a new level when it is steady, its mean left the baseline by
 * more than the onset threshold, AND that shift is large against the window's
 * own SD (onsetSdMultiple·SD). The last condition rejects windows straddling a
 * step or holding a spike (their SD is large for their shift): a step only
 * counts once ~96 % of the window sits at the new level.
 */
function isNewLevel(cfg: DetectorConfig, m: number, sd: number, baseMean: number, baseThresholdN: number): boolean {
  if (sd > cfg.maxQuietSdN) return false;
  const shift = absN(m - baseMean);
  return shift > baseThresholdN && shift > cfg.onsetSdMultiple * sd;
}

/**
 * While waiting: keep the steadiest window, follow level changes, weigh a
 * resting bar. A new level is weighed only after it has held for one more
 * window (so the steadiest window at that level has been seen, not one
 * straddling the step); a LOWER level only after relevelSamples, because a
 * lower level is the lifter taking pre-tension, not plates removed, unless it
 * stays for several seconds with no pull (see the header).
 */
function waitUpdate(st: DetectorState, i: number, tMs: number): number {
  const cfg = st.cfg;
  if (!windowFull(st.win)) return C.EV_NONE;
  const m = windowMean(st.win);
  const sd = windowSd(st.win);
  let change = -1;
  if (!st.hasCand) {
    change = C.CH_NEW;
  } else if (isNewLevel(cfg, m, sd, st.candMeanN, st.thresholdN)) {
    change = C.CH_LEVEL;
  } else if (sd <= st.candSdN) {
    // "<=": among equally steady windows keep the latest, closest to the effort
    change = C.CH_REFINE;
  }
  if (change >= 0) {
    takeWindowAsBaseline(st, i, tMs, m, sd);
    if (change !== C.CH_REFINE) st.candLevelIndex = i;
  }
  if (cfg.mode === C.MODE_ISOMETRIC) return C.EV_NONE;
  const cm = st.candMeanN;
  if (st.candSdN <= cfg.maxQuietSdN && cm >= cfg.restMinLoadN) {
    const far = absN(cm - st.restLoadN) > st.thresholdN;
    if (!st.resting || far) {
      const need = st.resting && cm < st.restLoadN ? cfg.relevelSamples : cfg.quietSamples;
      if (i - st.candLevelIndex >= need) {
        st.resting = true;
        setRestFromBaseline(st);
        return C.EV_WEIGHED;
      }
    } else {
      // back at the weighed level: no pre-tension now
      st.preStartMs = -1;
      if (change >= 0 && st.candSdN <= st.restSdN) setRestFromBaseline(st);
    }
  } else if (cm < cfg.restMinLoadN) {
    st.resting = false;
  }
  return C.EV_NONE;
}

function startEffort(st: DetectorState, i: number, tMs: number, pinN: number, gapMs: number): void {
  const cfg = st.cfg;
  const s = st.summary;
  clearSummary(s);
  let kind = C.KIND_ISOMETRIC;
  if (cfg.mode === C.MODE_RACKPULL) kind = C.KIND_RACKPULL;
  else if (cfg.mode === C.MODE_AUTO && st.candMeanN >= cfg.restMinLoadN) kind = C.KIND_RACKPULL;
  st.kind = kind;
  st.confirmed = false;
  st.minPinN = pinN;
  st.phase = C.PH_EFFORT;
  s.kind = kind;
  s.quietOk = st.candSdN <= cfg.maxQuietSdN;
  s.quietStartIndex = st.candStartIndex;
  s.quietEndIndex = st.candEndIndex;
  s.quietStartMs = st.candStartMs;
  s.quietEndMs = st.candEndMs;
  s.baselinePinN = st.candMeanN;
  s.baselineSdN = st.candSdN;
  s.thresholdN = st.thresholdN;
  s.onsetIndex = i;
  s.onsetMs = tMs;
  s.peakIndex = i;
  s.peakMs = tMs;
  s.maxGapMs = gapMs;
  if (kind === C.KIND_RACKPULL) {
    // the first lifter force weighs a steady resting baseline not weighed yet (or higher: plates added)
    if (st.candSdN <= cfg.maxQuietSdN && (!st.resting || st.candMeanN - st.restLoadN > st.thresholdN)) {
      st.resting = true;
      setRestFromBaseline(st);
    }
    s.preTensionStartMs = st.preStartMs;
    if (st.preStartMs >= 0) s.preTensionN = st.restLoadN - st.candMeanN;
    if (st.resting) {
      s.weighedLoadN = st.restLoadN;
      s.weighedSdN = st.restSdN;
      s.weighedSamples = st.restSamples;
      s.weighedStartIndex = st.restStartIndex;
      s.weighedEndIndex = st.restEndIndex;
    } else {
      s.weighedLoadN = st.candMeanN;
      s.weighedSdN = st.candSdN;
      s.weighedSamples = st.win.size;
      s.weighedStartIndex = st.candStartIndex;
      s.weighedEndIndex = st.candEndIndex;
    }
    const lt = cfg.liftOffSdMultiple * st.candSdN;
    s.liftOffThresholdN = lt > cfg.liftOffMinN ? lt : cfg.liftOffMinN;
  }
}

function fillPeak(st: DetectorState): void {
  const s = st.summary;
  s.confirmed = st.confirmed;
  s.peakNetForceN = st.candMeanN - st.minPinN;
  s.peakForceN = st.kind === C.KIND_RACKPULL ? s.weighedLoadN - st.minPinN : -st.minPinN;
  s.timeToPeakMs = s.peakMs - s.onsetMs;
}

/** End of an effort: back to waiting with a fresh quiet period. */
function endEffort(st: DetectorState, i: number, tMs: number, complete: boolean): void {
  const s = st.summary;
  fillPeak(st);
  s.endIndex = i;
  s.endMs = tMs;
  s.complete = complete;
  st.phase = C.PH_WAIT;
  st.hasCand = false;
  windowReset(st.win);
}

function effortStep(st: DetectorState, i: number, tMs: number, pinN: number): number {
  const cfg = st.cfg;
  const s = st.summary;
  if (pinN < st.minPinN) {
    st.minPinN = pinN;
    s.peakIndex = i;
    s.peakMs = tMs;
  }
  const net = st.candMeanN - pinN;
  const netPeak = st.candMeanN - st.minPinN;
  let ev = C.EV_NONE;
  if (!st.confirmed && net >= cfg.minEffortNetN) {
    st.confirmed = true;
    ev = C.EV_ONSET;
  }
  if (st.kind === C.KIND_RACKPULL && pinN <= s.liftOffThresholdN) {
    st.confirmed = true;
    fillPeak(st);
    s.liftOffIndex = i;
    s.liftOffMs = tMs;
    s.timeToLiftOffMs = tMs - s.onsetMs;
    st.phase = C.PH_HOLD;
    return C.EV_LIFTOFF;
  }
  if (st.confirmed) {
    const tooLong = st.kind === C.KIND_ISOMETRIC && tMs - s.onsetMs > cfg.maxEffortMs;
    if (net < cfg.endFraction * netPeak || tooLong) {
      endEffort(st, i, tMs, true);
      return st.kind === C.KIND_ISOMETRIC ? C.EV_ISO_DONE : C.EV_PULL_FAILED;
    }
  } else if (net <= st.thresholdN) {
    // back to baseline before it became an effort: a twitch, forget it
    st.phase = C.PH_WAIT;
  }
  return ev;
}

/** Post-push checks during an effort: a steady window made only of post-onset samples. */
function effortSettled(st: DetectorState, i: number, tMs: number): number {
  const cfg = st.cfg;
  if (!windowFull(st.win) || i - st.summary.onsetIndex + 1 < cfg.quietSamples) return C.EV_NONE;
  const sd = windowSd(st.win);
  if (sd > cfg.maxQuietSdN) return C.EV_NONE;
  const m = windowMean(st.win);
  const pre = st.restLoadN - m;
  // bar still on the pins below its weighed load: pre-tension (if confirmed, only below maxPreTensionFraction)
  const isPre = st.kind === C.KIND_RACKPULL && st.resting && pre > 0 && (!st.confirmed || pre < cfg.maxPreTensionFraction * st.restLoadN);
  if (!st.confirmed || isPre) {
    // settled at a new level: pre-tension; new baseline, the weighed load is kept
    if (isPre && st.preStartMs < 0) st.preStartMs = st.summary.onsetMs;
    takeWindowAsBaseline(st, i, tMs, m, sd);
    st.candLevelIndex = i;
    st.phase = C.PH_WAIT;
    return C.EV_NONE;
  }
  if (st.kind === C.KIND_RACKPULL) {
    // a pull that ground to a halt without lift-off
    endEffort(st, i, tMs, true);
    return C.EV_PULL_FAILED;
  }
  return C.EV_NONE;
}

function completeReweigh(st: DetectorState, i: number, tMs: number, mean: number, sd: number, ok: boolean): void {
  const s = st.summary;
  s.reweighOk = ok;
  s.reweighN = mean;
  s.reweighSdN = sd;
  s.reweighDiffN = mean - s.weighedLoadN;
  s.platesChanged = absN(s.reweighDiffN) > st.cfg.reweighToleranceN;
  s.endIndex = i;
  s.endMs = tMs;
}

function settleStep(st: DetectorState, i: number, tMs: number): number {
  const cfg = st.cfg;
  if (!windowFull(st.win)) return C.EV_NONE;
  const m = windowMean(st.win);
  const sd = windowSd(st.win);
  // fallback candidates must sit on the pins, clearly above zero for their own noise
  // (a window straddling a second lift-off is not a weighing)
  const onPins = m >= cfg.restMinLoadN && m > cfg.onsetSdMultiple * sd;
  if (onPins && (!st.settleHas || sd < st.settleSdN)) {
    st.settleHas = true;
    st.settleMeanN = m;
    st.settleSdN = sd;
    st.settleStartIndex = i - st.win.count + 1;
    st.settleEndIndex = i;
  }
  // steady AND back on the pins: a steady window near zero is the bar lifted again, not a re-weigh
  if (sd > cfg.maxQuietSdN || m < cfg.restMinLoadN) return C.EV_NONE;
  const s = st.summary;
  completeReweigh(st, i, tMs, m, sd, true);
  s.reweighStartIndex = i - st.win.count + 1;
  s.reweighEndIndex = i;
  s.complete = true;
  // the re-weighed bar is the resting load for the next rep
  takeWindowAsBaseline(st, i, tMs, m, sd);
  st.candLevelIndex = i;
  st.resting = m >= cfg.restMinLoadN;
  if (st.resting) setRestFromBaseline(st);
  st.phase = C.PH_WAIT;
  return C.EV_REWEIGH;
}

/**
 * During a hold: is the bar pushed up into the pins (pin load below steady empty pins by the onset
 * threshold)? A bar held off the pins cannot do that: it was taken away after its "lift-off" (bar
 * removed after a re-weigh), and an isometric pull begins. The rack pull ends there without a
 * set-down or re-weigh, and the empty pins become the baseline; the pull's onset is found from the
 * next sample (one sample late). Without this the hold waited for a set-down that never came, and
 * no lift was detected after it.
 */
function barTakenAway(st: DetectorState, pinN: number): boolean {
  const s = st.summary;
  if (!windowFull(st.win)) return false;
  const sd = windowSd(st.win);
  const m = windowMean(st.win);
  if (sd > st.cfg.maxQuietSdN || absN(m) > s.liftOffThresholdN || m - pinN <= onsetThresholdN(st.cfg, sd)) return false;
  const i = st.n - 1;
  s.endIndex = i;
  s.endMs = st.lastMs;
  takeWindowAsBaseline(st, i, st.lastMs, m, sd);
  st.candLevelIndex = i;
  st.resting = false;
  st.phase = C.PH_WAIT;
  return true;
}

/** Feed one sample; returns an EV_* code. st.summary holds the current/last lift. */
export function detectorStep(st: DetectorState, tMs: number, pinN: number): number {
  const cfg = st.cfg;
  const s = st.summary;
  const i = st.n;
  const gap = i > 0 ? tMs - st.lastMs : 0;
  let ev = C.EV_NONE;
  if (st.phase === C.PH_WAIT) {
    if (st.hasCand && st.candMeanN - pinN > st.thresholdN) {
      if (cfg.mode !== C.MODE_RACKPULL || st.candMeanN >= cfg.restMinLoadN) {
        startEffort(st, i, tMs, pinN, gap);
        ev = effortStep(st, i, tMs, pinN);
      }
    }
  } else {
    if (gap > s.maxGapMs) s.maxGapMs = gap;
    if (st.phase === C.PH_EFFORT) {
      ev = effortStep(st, i, tMs, pinN);
    } else if (st.phase === C.PH_HOLD) {
      if (pinN > 2 * s.liftOffThresholdN) {
        s.setDownIndex = i;
        s.setDownMs = tMs;
        s.holdMs = tMs - s.liftOffMs;
        st.phase = C.PH_SETTLE;
        st.settleHas = false;
        windowReset(st.win);
        ev = C.EV_SETDOWN;
      } else if (pinN < -s.thresholdN && barTakenAway(st, pinN)) {
        ev = C.EV_FLUSHED;
      }
    }
  }
  windowPush(st.win, tMs, pinN);
  if (ev === C.EV_NONE) {
    if (st.phase === C.PH_WAIT) ev = waitUpdate(st, i, tMs);
    else if (st.phase === C.PH_EFFORT) ev = effortSettled(st, i, tMs);
    else if (st.phase === C.PH_SETTLE) ev = settleStep(st, i, tMs);
  }
  st.lastMs = tMs;
  st.n = i + 1;
  return ev;
}

/** End of data: close an unfinished lift. Returns EV_FLUSHED if the summary was filled. */
export function detectorFinish(st: DetectorState): number {
  const s = st.summary;
  const i = st.n - 1;
  if (st.phase === C.PH_EFFORT) {
    if (!st.confirmed) {
      st.phase = C.PH_WAIT;
      return C.EV_NONE;
    }
    endEffort(st, i, st.lastMs, false);
    return C.EV_FLUSHED;
  }
  if (st.phase === C.PH_HOLD) {
    s.endIndex = i;
    s.endMs = st.lastMs;
    st.phase = C.PH_WAIT;
    return C.EV_FLUSHED;
  }
  if (st.phase === C.PH_SETTLE) {
    if (st.settleHas) {
      completeReweigh(st, i, st.lastMs, st.settleMeanN, st.settleSdN, false);
      s.reweighStartIndex = st.settleStartIndex;
      s.reweighEndIndex = st.settleEndIndex;
    } else {
      s.endIndex = i;
      s.endMs = st.lastMs;
    }
    st.phase = C.PH_WAIT;
    return C.EV_FLUSHED;
  }
  return C.EV_NONE;
}

export interface DetectorEvent {
  index: number;
  tMs: number;
  code: number;
  /** EV_WEIGHED: weighed load; EV_REWEIGH: re-weighed load; otherwise 0 */
  valueN: number;
}

export interface DetectLiftsResult {
  events: DetectorEvent[];
  lifts: LiftSummary[];
  /** resting load at the end of the data (-1 when the pins were not holding a bar) */
  restLoadN: number;
  restSdN: number;
  restSamples: number;
}

function copySummary(s: LiftSummary): LiftSummary {
  // a plain loop, not a spread: the spread pulls lualib's ObjectAssign into the board's heap
  const c = {} as Record<string, unknown>;
  const src = s as unknown as Record<string, unknown>;
  for (const k in src) c[k] = src[k];
  return c as unknown as LiftSummary;
}

function isLiftEnd(ev: number): boolean {
  return ev === C.EV_REWEIGH || ev === C.EV_ISO_DONE || ev === C.EV_PULL_FAILED || ev === C.EV_FLUSHED;
}

/** Run the streaming detector over whole arrays (vectors, host batch analysis). */
export function detectLifts(timesMs: number[], pinLoadN: number[], config: DetectorConfig): DetectLiftsResult {
  const st = detectorCreate(config);
  const events: DetectorEvent[] = [];
  const lifts: LiftSummary[] = [];
  const n = timesMs.length < pinLoadN.length ? timesMs.length : pinLoadN.length;
  for (let i = 0; i < n; i++) {
    const ev = detectorStep(st, timesMs[i], pinLoadN[i]);
    if (ev !== C.EV_NONE) {
      let v = 0;
      if (ev === C.EV_WEIGHED) v = st.restLoadN;
      else if (ev === C.EV_REWEIGH) v = st.summary.reweighN;
      events.push({ index: i, tMs: timesMs[i], code: ev, valueN: v });
      if (isLiftEnd(ev)) lifts.push(copySummary(st.summary));
    }
  }
  const fin = detectorFinish(st);
  if (fin !== C.EV_NONE) {
    events.push({ index: n - 1, tMs: n > 0 ? timesMs[n - 1] : 0, code: fin, valueN: 0 });
    lifts.push(copySummary(st.summary));
  }
  const resting = st.resting;
  return {
    events: events,
    lifts: lifts,
    restLoadN: resting ? st.restLoadN : -1,
    restSdN: resting ? st.restSdN : 0,
    restSamples: resting ? st.restSamples : 0,
  };
}
