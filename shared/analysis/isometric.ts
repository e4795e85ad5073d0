// Batch analysis of one isometric pull (IMTP-style) from a force series.
//
// forceN is the PULL force: it rises with the lifter's effort (for pins, pass
// -pinLoad; adding the bar weight is fine, only gross values change). leftN /
// rightN (optional, same convention) give asymmetry.
//
// Quiet period, onset, peak force and time to peak come from the on-board
// detector (detectLifts over -forceN in isometric mode), so board and host
// agree exactly. Everything else (force at fixed times, RFD, impulse, flags)
// is computed here from the array. Times are in ms, forces in N, impulse in
// N·s, RFD in N/s. Unavailable values are -1 (see windowsAvailable); no NaN.
//
// Time resolution: each event is the first sample past its threshold, so the
// true instant lies up to one sample interval earlier; a duration between two
// such events is uncertain by up to one interval either way. We report the
// larger of the median interval and the largest interval seen in the lift as
// every *ResolutionMs.
//
// RFD reliability rule: force-plate practice asks for >= 1000 Hz for RFD and
// down-sampling to 100 Hz biases force at 100/200 ms and RFD strongly (Ripley,
// McMahon & Comfort 2024). So rfdUnreliable = sampleRateHz < rfdMinRateHz
// (default 1000). At HX711 rates use the model estimates (rfdmodel.host.ts).

import { DetectorConfig, MODE_ISOMETRIC, KIND_ISOMETRIC, detectLifts, LiftSummary } from "./detector.ts";
import { baseDetectorConfig, opt, type CommonDetectorOptions } from "./detector-options.ts";
import { windowCreate, windowFull, windowPush, windowSd } from "./window.ts";
import { anyTrue, asymmetryPct, integrateTo, interpolateAt, maxAbsRange, meanRange, medianPeriodMs } from "./series.ts";

export interface IsometricOptions extends CommonDetectorOptions {
  maxEffortMs?: number;
  /** reading that means "no pre-tension" (0 for -pinLoad); default 0 */
  unloadedForceN?: number;
  /** baseline below unloadedForceN + this => noPretension; default 50 N */
  pretensionMinN?: number;
  /** shockLoad when net force at shockWindowMs >= shockFraction * net peak; defaults 50 ms, 0.5 */
  shockWindowMs?: number;
  shockFraction?: number;
  /** default 1000 Hz */
  rfdMinRateHz?: number;
  /** total capacity (N); <= 0 or absent: not checked */
  capacityN?: number;
  /** per-pin capacity (N), checked on leftN/rightN */
  pinCapacityN?: number;
  /** per-sample ADC saturation flags */
  saturated?: boolean[];
  leftN?: number[];
  rightN?: number[];
}

export interface IsometricResult {
  found: boolean;
  sampleRateHz: number;
  samplePeriodMs: number;
  timeResolutionMs: number;
  quietStartMs: number;
  quietEndMs: number;
  baselineN: number;
  baselineSdN: number;
  onsetThresholdN: number;
  onsetIndex: number;
  onsetMs: number;
  onsetResolutionMs: number;
  peakIndex: number;
  peakMs: number;
  peakForceN: number;
  peakNetForceN: number;
  timeToPeakMs: number;
  timeToPeakResolutionMs: number;
  /** first/last time (from onset) force is within 1 % of peak: where "the" peak could honestly be */
  nearPeakFirstMs: number;
  nearPeakLastMs: number;
  nearPeakSpanMs: number;
  /** time from onset until net force first reaches 90 % of net peak (interpolated) */
  timeTo90PctMs: number;
  timeTo90PctResolutionMs: number;
  endMs: number;
  /** how many of the 50..250 ms windows fit in the record (the rest are -1) */
  windowsAvailable: number;
  forceAt50MsN: number;
  forceAt100MsN: number;
  forceAt150MsN: number;
  forceAt200MsN: number;
  forceAt250MsN: number;
  netForceAt50MsN: number;
  netForceAt100MsN: number;
  netForceAt150MsN: number;
  netForceAt200MsN: number;
  netForceAt250MsN: number;
  rfd50NPerS: number;
  rfd100NPerS: number;
  rfd150NPerS: number;
  rfd200NPerS: number;
  rfd250NPerS: number;
  impulse50NS: number;
  impulse100NS: number;
  impulse150NS: number;
  impulse200NS: number;
  impulse250NS: number;
  peakRfd100NPerS: number;
  /** start of the best 100 ms window, from onset */
  peakRfd100StartMs: number;
  peakRfd200NPerS: number;
  peakRfd200StartMs: number;
  hasLeftRight: boolean;
  /** 100·(L − R)/(L + R) of net (baseline-removed) pin forces; + = left stronger */
  asymmetryAtPeakPct: number;
  asymmetryMeanPct: number;
  rfdUnreliable: boolean;
  noQuietPeriod: boolean;
  noOnset: boolean;
  noPretension: boolean;
  shockLoad: boolean;
  saturated: boolean;
  overCapacity: boolean;
}

/** The detector configuration the isometric analysis uses at this rate. */
export function isometricDetectorConfig(sampleRateHz: number, options: IsometricOptions): DetectorConfig {
  const cfg = baseDetectorConfig(sampleRateHz, MODE_ISOMETRIC, options);
  cfg.maxEffortMs = opt(options.maxEffortMs, cfg.maxEffortMs);
  return cfg;
}

/** Pull-force series to the detector's pin-load convention (exact negation). */
export function negateSeries(values: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) out.push(-values[i]);
  return out;
}

function emptyResult(rateHz: number, periodMs: number): IsometricResult {
  return {
    found: false,
    sampleRateHz: rateHz,
    samplePeriodMs: periodMs,
    timeResolutionMs: periodMs,
    quietStartMs: -1,
    quietEndMs: -1,
    baselineN: 0,
    baselineSdN: 0,
    onsetThresholdN: 0,
    onsetIndex: -1,
    onsetMs: -1,
    onsetResolutionMs: periodMs,
    peakIndex: -1,
    peakMs: -1,
    peakForceN: 0,
    peakNetForceN: 0,
    timeToPeakMs: -1,
    timeToPeakResolutionMs: periodMs,
    nearPeakFirstMs: -1,
    nearPeakLastMs: -1,
    nearPeakSpanMs: -1,
    timeTo90PctMs: -1,
    timeTo90PctResolutionMs: periodMs,
    endMs: -1,
    windowsAvailable: 0,
    forceAt50MsN: -1,
    forceAt100MsN: -1,
    forceAt150MsN: -1,
    forceAt200MsN: -1,
    forceAt250MsN: -1,
    netForceAt50MsN: -1,
    netForceAt100MsN: -1,
    netForceAt150MsN: -1,
    netForceAt200MsN: -1,
    netForceAt250MsN: -1,
    rfd50NPerS: -1,
    rfd100NPerS: -1,
    rfd150NPerS: -1,
    rfd200NPerS: -1,
    rfd250NPerS: -1,
    impulse50NS: -1,
    impulse100NS: -1,
    impulse150NS: -1,
    impulse200NS: -1,
    impulse250NS: -1,
    peakRfd100NPerS: -1,
    peakRfd100StartMs: -1,
    peakRfd200NPerS: -1,
    peakRfd200StartMs: -1,
    hasLeftRight: false,
    asymmetryAtPeakPct: 0,
    asymmetryMeanPct: 0,
    rfdUnreliable: true,
    noQuietPeriod: true,
    noOnset: true,
    noPretension: false,
    shockLoad: false,
    saturated: false,
    overCapacity: false,
  };
}

/** Fixed-window numbers from onset to onset + windowMs. */
export interface WindowMetrics {
  available: boolean;
  forceN: number;
  netForceN: number;
  rfdNPerS: number;
  impulseNS: number;
}

export function windowMetrics(
  timesMs: number[],
  forceN: number[],
  baselineN: number,
  onsetIndex: number,
  windowMs: number,
): WindowMetrics {
  const n = timesMs.length;
  const tEnd = timesMs[onsetIndex] + windowMs;
  if (n === 0 || timesMs[n - 1] < tEnd) {
    return { available: false, forceN: -1, netForceN: -1, rfdNPerS: -1, impulseNS: -1 };
  }
  const f = interpolateAt(timesMs, forceN, onsetIndex, tEnd);
  return {
    available: true,
    forceN: f,
    netForceN: f - baselineN,
    rfdNPerS: ((f - forceN[onsetIndex]) * 1000) / windowMs,
    impulseNS: integrateTo(timesMs, forceN, baselineN, onsetIndex, tEnd),
  };
}

/** Largest mean slope over a sliding window starting at any sample from onset to peak. */
export function peakSlidingRfd(
  timesMs: number[],
  forceN: number[],
  onsetIndex: number,
  lastStartIndex: number,
  windowMs: number,
): { rfdNPerS: number; startMs: number } {
  const n = timesMs.length;
  let best = -1;
  let bestStart = -1;
  let found = false;
  for (let i = onsetIndex; i <= lastStartIndex && i < n; i++) {
    const tEnd = timesMs[i] + windowMs;
    if (timesMs[n - 1] < tEnd) break;
    const r = ((interpolateAt(timesMs, forceN, i, tEnd) - forceN[i]) * 1000) / windowMs;
    if (!found || r > best) {
      found = true;
      best = r;
      bestStart = timesMs[i] - timesMs[onsetIndex];
    }
  }
  return { rfdNPerS: best, startMs: bestStart };
}

/** Is there any complete quiet window with SD <= maxSdN? (for a record without an effort) */
export function hasSteadyWindow(timesMs: number[], values: number[], samples: number, maxSdN: number): boolean {
  const w = windowCreate(samples);
  for (let i = 0; i < values.length; i++) {
    windowPush(w, timesMs[i], values[i]);
    if (windowFull(w) && windowSd(w) <= maxSdN) return true;
  }
  return false;
}

function firstIsometric(lifts: LiftSummary[]): number {
  for (let i = 0; i < lifts.length; i++) {
    if (lifts[i].kind === KIND_ISOMETRIC && lifts[i].confirmed) return i;
  }
  return -1;
}

export function analyzeIsometric(timesMs: number[], forceN: number[], options: IsometricOptions): IsometricResult {
  const n = timesMs.length;
  const periodMs = medianPeriodMs(timesMs);
  const rateHz = periodMs > 0 ? 1000 / periodMs : 0;
  const r = emptyResult(rateHz, periodMs);
  r.rfdUnreliable = rateHz < opt(options.rfdMinRateHz, 1000);
  const hasLR = options.leftN !== undefined && options.rightN !== undefined;
  r.hasLeftRight = hasLR;
  let spanFrom = 0;
  let spanTo = n - 1;
  let li = -1;
  let s: LiftSummary = {} as LiftSummary;
  if (n >= 2) {
    const det = detectLifts(timesMs, negateSeries(forceN), isometricDetectorConfig(rateHz, options));
    li = firstIsometric(det.lifts);
    if (li >= 0) s = det.lifts[li];
  }
  if (li >= 0) {
    const on = s.onsetIndex;
    const base = -s.baselinePinN;
    r.found = true;
    r.noOnset = false;
    r.noQuietPeriod = !s.quietOk;
    r.quietStartMs = s.quietStartMs;
    r.quietEndMs = s.quietEndMs;
    r.baselineN = base;
    r.baselineSdN = s.baselineSdN;
    r.onsetThresholdN = s.thresholdN;
    r.onsetIndex = on;
    r.onsetMs = s.onsetMs;
    r.peakIndex = s.peakIndex;
    r.peakMs = s.peakMs;
    r.peakForceN = s.peakForceN;
    r.peakNetForceN = s.peakNetForceN;
    r.timeToPeakMs = s.timeToPeakMs;
    r.endMs = s.endMs;
    const res = s.maxGapMs > periodMs ? s.maxGapMs : periodMs;
    r.timeResolutionMs = res;
    r.onsetResolutionMs = res;
    r.timeToPeakResolutionMs = res;
    r.timeTo90PctResolutionMs = res;
    spanFrom = s.quietStartIndex;
    spanTo = s.endIndex;

    // within 1 % of (gross) peak: first and last such sample in the effort
    const near = s.peakForceN - 0.01 * (s.peakForceN < 0 ? -s.peakForceN : s.peakForceN);
    for (let i = on; i <= s.endIndex; i++) {
      if (forceN[i] >= near) {
        if (r.nearPeakFirstMs < 0) r.nearPeakFirstMs = timesMs[i] - s.onsetMs;
        r.nearPeakLastMs = timesMs[i] - s.onsetMs;
      }
    }
    r.nearPeakSpanMs = r.nearPeakLastMs - r.nearPeakFirstMs;

    // time to 90 % of net peak, interpolated between the bracketing samples
    const target = base + 0.9 * s.peakNetForceN;
    for (let i = on; i <= s.peakIndex; i++) {
      if (forceN[i] >= target) {
        let t = timesMs[i];
        if (i > on) {
          const f0 = forceN[i - 1];
          t = timesMs[i - 1] + ((target - f0) * (timesMs[i] - timesMs[i - 1])) / (forceN[i] - f0);
        }
        r.timeTo90PctMs = t - s.onsetMs;
        break;
      }
    }

    const w50 = windowMetrics(timesMs, forceN, base, on, 50);
    const w100 = windowMetrics(timesMs, forceN, base, on, 100);
    const w150 = windowMetrics(timesMs, forceN, base, on, 150);
    const w200 = windowMetrics(timesMs, forceN, base, on, 200);
    const w250 = windowMetrics(timesMs, forceN, base, on, 250);
    let avail = 0;
    if (w50.available) avail = avail + 1;
    if (w100.available) avail = avail + 1;
    if (w150.available) avail = avail + 1;
    if (w200.available) avail = avail + 1;
    if (w250.available) avail = avail + 1;
    r.windowsAvailable = avail;
    r.forceAt50MsN = w50.forceN;
    r.forceAt100MsN = w100.forceN;
    r.forceAt150MsN = w150.forceN;
    r.forceAt200MsN = w200.forceN;
    r.forceAt250MsN = w250.forceN;
    r.netForceAt50MsN = w50.netForceN;
    r.netForceAt100MsN = w100.netForceN;
    r.netForceAt150MsN = w150.netForceN;
    r.netForceAt200MsN = w200.netForceN;
    r.netForceAt250MsN = w250.netForceN;
    r.rfd50NPerS = w50.rfdNPerS;
    r.rfd100NPerS = w100.rfdNPerS;
    r.rfd150NPerS = w150.rfdNPerS;
    r.rfd200NPerS = w200.rfdNPerS;
    r.rfd250NPerS = w250.rfdNPerS;
    r.impulse50NS = w50.impulseNS;
    r.impulse100NS = w100.impulseNS;
    r.impulse150NS = w150.impulseNS;
    r.impulse200NS = w200.impulseNS;
    r.impulse250NS = w250.impulseNS;

    const p100 = peakSlidingRfd(timesMs, forceN, on, s.peakIndex, 100);
    const p200 = peakSlidingRfd(timesMs, forceN, on, s.peakIndex, 200);
    r.peakRfd100NPerS = p100.rfdNPerS;
    r.peakRfd100StartMs = p100.startMs;
    r.peakRfd200NPerS = p200.rfdNPerS;
    r.peakRfd200StartMs = p200.startMs;

    r.noPretension = base - opt(options.unloadedForceN, 0) < opt(options.pretensionMinN, 50);
    const shockMs = opt(options.shockWindowMs, 50);
    const ws = windowMetrics(timesMs, forceN, base, on, shockMs);
    const fShock = ws.available ? ws.netForceN : s.peakNetForceN;
    r.shockLoad = fShock >= opt(options.shockFraction, 0.5) * s.peakNetForceN;

    if (hasLR) {
      const L = options.leftN as number[];
      const R = options.rightN as number[];
      const lb = meanRange(L, s.quietStartIndex, s.quietEndIndex);
      const rb = meanRange(R, s.quietStartIndex, s.quietEndIndex);
      r.asymmetryAtPeakPct = asymmetryPct(L[s.peakIndex] - lb, R[s.peakIndex] - rb);
      let sl = 0;
      let sr = 0;
      for (let i = on; i <= s.endIndex; i++) {
        sl = sl + (L[i] - lb);
        sr = sr + (R[i] - rb);
      }
      r.asymmetryMeanPct = asymmetryPct(sl, sr);
    }
  } else {
    const cfg = isometricDetectorConfig(rateHz, options);
    r.noQuietPeriod = !hasSteadyWindow(timesMs, forceN, cfg.quietSamples, cfg.maxQuietSdN);
    // no effort: still report the raw peak so a failed capture is visible
    for (let i = 0; i < n; i++) {
      if (i === 0 || forceN[i] > r.peakForceN) {
        r.peakForceN = forceN[i];
        r.peakIndex = i;
        r.peakMs = timesMs[i];
      }
    }
  }
  if (options.saturated !== undefined) r.saturated = anyTrue(options.saturated, spanFrom, spanTo);
  const cap = opt(options.capacityN, -1);
  if (cap > 0 && n > 0 && maxAbsRange(forceN, spanFrom, spanTo) > cap) r.overCapacity = true;
  const pinCap = opt(options.pinCapacityN, -1);
  if (pinCap > 0 && hasLR && n > 0) {
    if (maxAbsRange(options.leftN as number[], spanFrom, spanTo) > pinCap) r.overCapacity = true;
    if (maxAbsRange(options.rightN as number[], spanFrom, spanTo) > pinCap) r.overCapacity = true;
  }
  return r;
}
