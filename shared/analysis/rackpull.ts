// Batch analysis of one rack pull from the PIN LOAD (positive = bar pushes
// down on the pins; pinLoadN is the total, leftN/rightN optional per pin).
//
// Onset, lift-off and the weighed/re-weighed loads come from the on-board
// detector (detectLifts in rack-pull mode) so board and host agree exactly.
// Here we add: kg and uncertainty of the weighing, the lifter's force curve up
// to lift-off (weighed load − pin load), per-pin balance, resolutions, flags.
//
// Weighing uncertainty (standard, k = 1): the calibration's standard
// uncertainty at this load (input) combined with the standard error of the
// mean of the weighing window, u = sqrt(uCal² + SD²/n). The expanded value is
// k = 2. The re-weigh difference uses only the noise part: both weighings use
// the same cells and calibration, so the calibration error cancels.
//
// Pre-tension: the detector keeps the load weighed before any lifter force and
// times the pull from the level the lifter held just before it (see detector.ts);
// the pre-tension phase is reported apart (preTensionN, preTensionStartMs).
//
// Time resolution: as in isometric.ts, one sample interval (the larger of the
// median interval and the largest gap seen during the lift).

import { DetectorConfig, KIND_RACKPULL, LiftSummary, MODE_RACKPULL, detectLifts } from "./detector.ts";
import { baseDetectorConfig, opt, type CommonDetectorOptions } from "./detector-options.ts";
import { anyTrue, asymmetryPct, maxAbsRange, meanRange, medianPeriodMs } from "./series.ts";
import { STANDARD_GRAVITY_MPS2 } from "../units/force.ts";

/** Standard gravity (m/s²), used for every N ↔ kg conversion. */

export interface RackPullOptions extends CommonDetectorOptions {
  restMinLoadN?: number;
  liftOffMinN?: number;
  liftOffSdMultiple?: number;
  /** a steady lower level below this fraction of the weighed load is pre-tension; default 0.5 */
  maxPreTensionFraction?: number;
  /** platesChanged when |re-weigh − weighed| exceeds this; default 1 kg (9.80665 N) */
  reweighToleranceN?: number;
  /** standard uncertainty of the calibration at the weighed load, N; default 0 */
  calibrationUncertaintyN?: number;
  capacityN?: number;
  pinCapacityN?: number;
  saturated?: boolean[];
  leftN?: number[];
  rightN?: number[];
}

export interface RackPullResult {
  found: boolean;
  sampleRateHz: number;
  samplePeriodMs: number;
  timeResolutionMs: number;
  weighedLoadN: number;
  weighedLoadKg: number;
  weighedSdN: number;
  weighedSamples: number;
  weighedStdUncertaintyN: number;
  weighedStdUncertaintyKg: number;
  /** k = 2 */
  weighedExpandedUncertaintyKg: number;
  /** start of the final pull (the departure from the pre-tension level when there was one) */
  onsetMs: number;
  onsetResolutionMs: number;
  /** pre-tension held before the pull (weighed − the level the pull left from), N; 0 = none seen */
  preTensionN: number;
  /** when the lifter started taking pre-tension; -1 = none seen (or held less than one quiet window) */
  preTensionStartMs: number;
  liftedOff: boolean;
  liftOffThresholdN: number;
  liftOffMs: number;
  timeToLiftOffMs: number;
  timeToLiftOffResolutionMs: number;
  /** largest lifter force seen before lift-off (≈ weighed load when it lifts) */
  peakLifterForceN: number;
  /** (lifter force at lift-off − at onset) / time to lift-off */
  breakawayRateNPerS: number;
  /** lifter force (weighed − pin load) from onset to lift-off, times from onset */
  forceCurveTimesMs: number[];
  forceCurveN: number[];
  setDownMs: number;
  holdMs: number;
  holdResolutionMs: number;
  reweighN: number;
  reweighKg: number;
  reweighSdN: number;
  reweighDiffN: number;
  reweighDiffKg: number;
  /** k = 1, noise of the two means only */
  reweighDiffUncertaintyN: number;
  reweighToleranceN: number;
  platesChanged: boolean;
  hasLeftRight: boolean;
  /** share of the resting load on the left pin, % */
  restLeftSharePct: number;
  /** 100·(L − R)/(L + R) of the lifter's force per side, summed from onset to lift-off */
  pullAsymmetryPct: number;
  /** per-pin lift-off (pin below half the total threshold), from onset; -1 if not seen */
  leftLiftOffMs: number;
  rightLiftOffMs: number;
  noQuietPeriod: boolean;
  noOnset: boolean;
  noLiftOff: boolean;
  noSetDown: boolean;
  noReweigh: boolean;
  reweighUnsteady: boolean;
  saturated: boolean;
  overCapacity: boolean;
}

export function rackPullDetectorConfig(sampleRateHz: number, options: RackPullOptions): DetectorConfig {
  const cfg = baseDetectorConfig(sampleRateHz, MODE_RACKPULL, options);
  cfg.restMinLoadN = opt(options.restMinLoadN, cfg.restMinLoadN);
  cfg.liftOffMinN = opt(options.liftOffMinN, cfg.liftOffMinN);
  cfg.liftOffSdMultiple = opt(options.liftOffSdMultiple, cfg.liftOffSdMultiple);
  cfg.reweighToleranceN = opt(options.reweighToleranceN, cfg.reweighToleranceN);
  cfg.maxPreTensionFraction = opt(options.maxPreTensionFraction, cfg.maxPreTensionFraction);
  return cfg;
}

/** Standard uncertainty (N) of a weighing: calibration and standard error of the mean. */
export function weighingUncertaintyN(calibrationUncertaintyN: number, sdN: number, samples: number): number {
  const sem2 = samples > 0 ? (sdN * sdN) / samples : 0;
  return Math.sqrt(calibrationUncertaintyN * calibrationUncertaintyN + sem2);
}

function firstRackPull(lifts: LiftSummary[]): number {
  for (let i = 0; i < lifts.length; i++) {
    if (lifts[i].kind === KIND_RACKPULL && lifts[i].confirmed) return i;
  }
  return -1;
}

function pinLiftOffMs(timesMs: number[], pinN: number[], from: number, to: number, thresholdN: number): number {
  for (let i = from; i <= to; i++) {
    if (pinN[i] <= thresholdN) return timesMs[i] - timesMs[from];
  }
  return -1;
}

export function analyzeRackPull(timesMs: number[], pinLoadN: number[], options: RackPullOptions): RackPullResult {
  const n = timesMs.length;
  const periodMs = medianPeriodMs(timesMs);
  const rateHz = periodMs > 0 ? 1000 / periodMs : 0;
  const ucal = opt(options.calibrationUncertaintyN, 0);
  const cfg = rackPullDetectorConfig(rateHz, options);
  const hasLR = options.leftN !== undefined && options.rightN !== undefined;
  const r: RackPullResult = {
    found: false,
    sampleRateHz: rateHz,
    samplePeriodMs: periodMs,
    timeResolutionMs: periodMs,
    weighedLoadN: -1,
    weighedLoadKg: -1,
    weighedSdN: 0,
    weighedSamples: 0,
    weighedStdUncertaintyN: 0,
    weighedStdUncertaintyKg: 0,
    weighedExpandedUncertaintyKg: 0,
    onsetMs: -1,
    onsetResolutionMs: periodMs,
    preTensionN: 0,
    preTensionStartMs: -1,
    liftedOff: false,
    liftOffThresholdN: 0,
    liftOffMs: -1,
    timeToLiftOffMs: -1,
    timeToLiftOffResolutionMs: periodMs,
    peakLifterForceN: 0,
    breakawayRateNPerS: 0,
    forceCurveTimesMs: [],
    forceCurveN: [],
    setDownMs: -1,
    holdMs: -1,
    holdResolutionMs: periodMs,
    reweighN: -1,
    reweighKg: -1,
    reweighSdN: 0,
    reweighDiffN: 0,
    reweighDiffKg: 0,
    reweighDiffUncertaintyN: 0,
    reweighToleranceN: cfg.reweighToleranceN,
    platesChanged: false,
    hasLeftRight: hasLR,
    restLeftSharePct: 0,
    pullAsymmetryPct: 0,
    leftLiftOffMs: -1,
    rightLiftOffMs: -1,
    noQuietPeriod: true,
    noOnset: true,
    noLiftOff: true,
    noSetDown: true,
    noReweigh: true,
    reweighUnsteady: false,
    saturated: false,
    overCapacity: false,
  };
  if (n < 2) return r;
  const det = detectLifts(timesMs, pinLoadN, cfg);
  const li = firstRackPull(det.lifts);
  let spanFrom = 0;
  let spanTo = n - 1;
  if (li < 0) {
    // no pull: still weigh a resting bar if there is one
    if (det.restLoadN >= 0) {
      r.weighedLoadN = det.restLoadN;
      r.weighedSdN = det.restSdN;
      r.weighedSamples = det.restSamples;
      r.noQuietPeriod = false;
    }
  } else {
    const s = det.lifts[li];
    r.found = true;
    r.noOnset = false;
    r.noQuietPeriod = !s.quietOk;
    r.weighedLoadN = s.weighedLoadN;
    r.weighedSdN = s.weighedSdN;
    r.weighedSamples = s.weighedSamples;
    r.onsetMs = s.onsetMs;
    r.preTensionN = s.preTensionN;
    r.preTensionStartMs = s.preTensionStartMs;
    const res = s.maxGapMs > periodMs ? s.maxGapMs : periodMs;
    r.timeResolutionMs = res;
    r.onsetResolutionMs = res;
    r.timeToLiftOffResolutionMs = res;
    r.holdResolutionMs = res;
    r.liftOffThresholdN = s.liftOffThresholdN;
    r.peakLifterForceN = s.peakForceN;
    const on = s.onsetIndex;
    const curveEnd = s.liftOffIndex >= 0 ? s.liftOffIndex : s.endIndex;
    for (let i = on; i <= curveEnd; i++) {
      r.forceCurveTimesMs.push(timesMs[i] - s.onsetMs);
      r.forceCurveN.push(s.weighedLoadN - pinLoadN[i]);
    }
    if (s.liftOffIndex >= 0) {
      r.liftedOff = true;
      r.noLiftOff = false;
      r.liftOffMs = s.liftOffMs;
      r.timeToLiftOffMs = s.timeToLiftOffMs;
      if (s.timeToLiftOffMs > 0) {
        r.breakawayRateNPerS = ((pinLoadN[on] - pinLoadN[s.liftOffIndex]) * 1000) / s.timeToLiftOffMs;
      }
    }
    if (s.setDownIndex >= 0) {
      r.noSetDown = false;
      r.setDownMs = s.setDownMs;
      r.holdMs = s.holdMs;
    }
    if (s.reweighN >= 0) {
      r.noReweigh = false;
      r.reweighUnsteady = !s.reweighOk;
      r.reweighN = s.reweighN;
      r.reweighSdN = s.reweighSdN;
      r.reweighDiffN = s.reweighDiffN;
      r.reweighDiffKg = s.reweighDiffN / STANDARD_GRAVITY_MPS2;
      r.platesChanged = s.platesChanged;
      const nr = s.reweighEndIndex - s.reweighStartIndex + 1;
      const a = s.weighedSamples > 0 ? (s.weighedSdN * s.weighedSdN) / s.weighedSamples : 0;
      const b = nr > 0 ? (s.reweighSdN * s.reweighSdN) / nr : 0;
      r.reweighDiffUncertaintyN = Math.sqrt(a + b);
      r.reweighKg = s.reweighN / STANDARD_GRAVITY_MPS2;
    }
    spanFrom = s.weighedStartIndex >= 0 ? s.weighedStartIndex : 0;
    spanTo = s.endIndex >= 0 ? s.endIndex : n - 1;
    if (hasLR) {
      const L = options.leftN as number[];
      const R = options.rightN as number[];
      const lb = meanRange(L, s.weighedStartIndex, s.weighedEndIndex);
      const rb = meanRange(R, s.weighedStartIndex, s.weighedEndIndex);
      r.restLeftSharePct = lb + rb > 0 ? (100 * lb) / (lb + rb) : 0;
      let sl = 0;
      let sr = 0;
      for (let i = on; i <= curveEnd; i++) {
        sl = sl + (lb - L[i]);
        sr = sr + (rb - R[i]);
      }
      r.pullAsymmetryPct = asymmetryPct(sl, sr);
      const half = s.liftOffThresholdN / 2;
      const lastI = s.endIndex >= 0 ? s.endIndex : n - 1;
      r.leftLiftOffMs = pinLiftOffMs(timesMs, L, on, lastI, half);
      r.rightLiftOffMs = pinLiftOffMs(timesMs, R, on, lastI, half);
    }
  }
  if (r.weighedLoadN >= 0) {
    r.weighedLoadKg = r.weighedLoadN / STANDARD_GRAVITY_MPS2;
    r.weighedStdUncertaintyN = weighingUncertaintyN(ucal, r.weighedSdN, r.weighedSamples);
    r.weighedStdUncertaintyKg = r.weighedStdUncertaintyN / STANDARD_GRAVITY_MPS2;
    r.weighedExpandedUncertaintyKg = 2 * r.weighedStdUncertaintyKg;
  }
  if (options.saturated !== undefined) r.saturated = anyTrue(options.saturated, spanFrom, spanTo);
  const cap = opt(options.capacityN, -1);
  if (cap > 0 && maxAbsRange(pinLoadN, spanFrom, spanTo) > cap) r.overCapacity = true;
  const pinCap = opt(options.pinCapacityN, -1);
  if (pinCap > 0 && hasLR) {
    if (maxAbsRange(options.leftN as number[], spanFrom, spanTo) > pinCap) r.overCapacity = true;
    if (maxAbsRange(options.rightN as number[], spanFrom, spanTo) > pinCap) r.overCapacity = true;
  }
  return r;
}
