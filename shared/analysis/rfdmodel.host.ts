// HOST ONLY: model estimates of the early-force numbers (force at, RFD over
// the fixed windows, peak RFD, time to 90 %) for pulls sampled too slowly for
// raw RFD (an HX711 gives 10 or 80 samples/s; the literature asks for 1 kHz).
//
// 1. Both rise models of risefit.host.ts (exponential, hill) are fitted to the
//    samples from FIT_LEAD_MS before the onset up to where the force first
//    reaches FIT_END_FRACTION (80 %) of its net peak (at most FIT_MAX_SPAN_MS
//    after onset): the early phase the windows describe, not a plateau's
//    later climb or sag, which neither model has. (Fitting to 95 % let the
//    hill's power-law tail bend its start: sigmoid RFD 0–100 median 12.6 %
//    instead of 1.7 % in the validation suite; 50–65 % left too few samples.)
//    Samples of a counter-movement dip (more than the onset threshold below
//    the baseline) before the onset are left out: neither model has a dip.
// 2. Choice (per pull): the model with the lower fit error, the RMS residual
//    as % of its amplitude. Tie rule: the S-shaped hill rise is chosen only
//    when its error is below HILL_TIE_RATIO times the exponential's (it has
//    one parameter more, and the exponential is the lab's usual model).
//    Below CONVERTER_MAX_RATE_HZ the fit goes through the HX711's filter
//    (risefit.host.ts header).
// 3. Each window's model value is presented only if the model explains the
//    window's samples at least as well as the raw value does: over the samples
//    from the detected onset to onset + window (and the sample either side,
//    which the raw interpolation reads), the model's RMS residual must not
//    exceed that of the raw value's own straight line (the chord from the
//    force at onset to the force at onset + window). Otherwise the raw value
//    is presented and the window is flagged (modelRejected).
// 4. fitWarning when the chosen model's error exceeds FIT_WARNING_PCT (5 %,
//    Chronojump's threshold).
// Model windows start at the model's own t0, not at the detected onset: at 80
// SPS the threshold crossing is up to a sample late and its force is already
// above baseline, which is exactly the bias the model is there to remove.

import { IsometricOptions, IsometricResult, analyzeIsometric } from "./isometric.ts";
import { RISE_MODELS, fitRise, riseForceN, riseSampleN, type RiseFit, type RiseModelName } from "./risefit.host.ts";
import { interpolateAt } from "./series.ts";

export const FIT_WARNING_PCT = 5;
export const HILL_TIE_RATIO = 0.8;
export const FIT_END_FRACTION = 0.8;
export const FIT_MAX_SPAN_MS = 1500;
/** samples before the onset in the fit: enough baseline for the hill's earliest t0 */
export const FIT_LEAD_MS = 350;
export const RFD_WINDOWS_MS = [50, 100, 150, 200, 250];
/** below this rate the samples are taken to come from the rack's HX711 (10/80, ≈92 SPS): the fit averages the models by its filter */
export const CONVERTER_MAX_RATE_HZ = 200;

/** The chosen model among the fits (rule 2 of the header); null when none fitted. */
export function chooseRiseModel(fits: RiseFit[]): RiseFit | null {
  let exp: RiseFit | null = null;
  let hill: RiseFit | null = null;
  for (const f of fits) {
    if (!f.ok) continue;
    if (f.model === "exponential") exp = f;
    else hill = f;
  }
  if (exp === null) return hill;
  if (hill === null) return exp;
  return hill.rmsErrorPct < HILL_TIE_RATIO * exp.rmsErrorPct ? hill : exp;
}

export interface WindowValue {
  windowMs: number;
  /** the model's values from its t0 */
  modelForceN: number;
  modelRfdNPerS: number;
  /** what is presented: the model's value, or the raw one when the model explains the window worse */
  forceN: number;
  rfdNPerS: number;
  modelRejected: boolean;
  /** RMS residuals over the window's samples (N): the model's and the raw chord's */
  modelRmsN: number;
  rawRmsN: number;
}

export interface ModelMetrics {
  /** the chosen fit and every fit tried */
  fit: RiseFit;
  fits: RiseFit[];
  model: RiseModelName;
  /** the chosen model's fit error: RMS residual, % of its amplitude */
  fitErrorPct: number;
  fitWarning: boolean;
  /** the model's start of the rise (t0) and t0 − detected onset */
  onsetMs: number;
  onsetShiftMs: number;
  windows: WindowValue[];
  /** presented values (model, or raw where rejected) */
  forceAt50MsN: number;
  forceAt100MsN: number;
  forceAt150MsN: number;
  forceAt200MsN: number;
  forceAt250MsN: number;
  rfd50NPerS: number;
  rfd100NPerS: number;
  rfd150NPerS: number;
  rfd200NPerS: number;
  rfd250NPerS: number;
  /** windows whose raw value is presented */
  rejectedWindows: number;
  /** the model's steepest slope (N/s) and best 100/200 ms window slopes */
  peakRfdNPerS: number;
  peakRfd100NPerS: number;
  peakRfd200NPerS: number;
  /** from t0 to 90 % of the model's amplitude (ms) */
  timeTo90PctMs: number;
}

/** Mean model slope over windowMs from t0 (N/s). */
export function modelRfdNPerS(fit: RiseFit, windowMs: number): number {
  return ((riseForceN(fit, fit.t0Ms + windowMs) - fit.fBaseN) * 1000) / windowMs;
}

function steepestNPerS(fit: RiseFit): number {
  if (fit.model === "exponential") return fit.ampN * fit.kPerS;
  // hill: numerical derivative over a 0.5 ms grid up to twice the half time
  let best = 0;
  const h = 0.01;
  for (let s = 0.5; s <= 2 * fit.halfTimeMs; s += 0.5) {
    const d = ((riseForceN(fit, fit.t0Ms + s + h) - riseForceN(fit, fit.t0Ms + s - h)) * 1000) / (2 * h);
    if (d > best) best = d;
  }
  return best;
}

function bestWindowNPerS(fit: RiseFit, windowMs: number): number {
  if (fit.model === "exponential") return modelRfdNPerS(fit, windowMs); // concave: the first window is steepest
  let best = 0;
  for (let s = 0; s <= 3 * fit.halfTimeMs; s += 1) {
    const r = ((riseForceN(fit, fit.t0Ms + s + windowMs) - riseForceN(fit, fit.t0Ms + s)) * 1000) / windowMs;
    if (r > best) best = r;
  }
  return best;
}

function timeTo90Ms(fit: RiseFit): number {
  if (fit.model === "exponential") return fit.kPerS > 0 ? (Math.log(10) / fit.kPerS) * 1000 : -1;
  return fit.halfTimeMs * Math.pow(9, 1 / fit.hillN);
}

/** Rule 3 of the header for one window: RMS residuals of the model and of the raw chord. */
function windowResiduals(fit: RiseFit, timesMs: number[], forceN: number[], onsetMs: number, windowMs: number): { model: number; raw: number } {
  const endMs = onsetMs + windowMs;
  let first = 0;
  while (first < timesMs.length - 1 && timesMs[first + 1] <= onsetMs) first += 1;
  let last = first;
  while (last < timesMs.length - 1 && timesMs[last] < endMs) last += 1;
  const f0 = interpolateAt(timesMs, forceN, first, onsetMs);
  const f1 = interpolateAt(timesMs, forceN, first, endMs);
  let sm = 0;
  let sr = 0;
  for (let i = first; i <= last; i++) {
    const em = forceN[i] - riseSampleN(fit, timesMs[i]);
    const er = forceN[i] - (f0 + ((f1 - f0) * (timesMs[i] - onsetMs)) / windowMs);
    sm += em * em;
    sr += er * er;
  }
  const n = last - first + 1;
  return { model: Math.sqrt(sm / n), raw: Math.sqrt(sr / n) };
}

/** Model numbers for the chosen fit, each window checked against the raw value (rule 3). */
export function modelMetrics(fits: RiseFit[], raw: IsometricResult, timesMs: number[], forceN: number[]): ModelMetrics | null {
  const fit = chooseRiseModel(fits);
  if (fit === null) return null;
  const t0 = fit.t0Ms;
  const rawF = [raw.forceAt50MsN, raw.forceAt100MsN, raw.forceAt150MsN, raw.forceAt200MsN, raw.forceAt250MsN];
  const rawRfd = [raw.rfd50NPerS, raw.rfd100NPerS, raw.rfd150NPerS, raw.rfd200NPerS, raw.rfd250NPerS];
  const windows: WindowValue[] = [];
  let rejected = 0;
  for (let i = 0; i < RFD_WINDOWS_MS.length; i++) {
    const w = RFD_WINDOWS_MS[i];
    const mF = riseForceN(fit, t0 + w);
    const mRfd = modelRfdNPerS(fit, w);
    const rawAvailable = rawRfd[i] >= 0 || rawF[i] >= 0;
    const res = rawAvailable ? windowResiduals(fit, timesMs, forceN, raw.onsetMs, w) : { model: 0, raw: 0 };
    const reject = rawAvailable && res.model > res.raw;
    if (reject) rejected += 1;
    windows.push({
      windowMs: w, modelForceN: mF, modelRfdNPerS: mRfd,
      forceN: reject ? rawF[i] : mF, rfdNPerS: reject ? rawRfd[i] : mRfd,
      modelRejected: reject, modelRmsN: res.model, rawRmsN: res.raw,
    });
  }
  return {
    fit, fits, model: fit.model, fitErrorPct: fit.rmsErrorPct, fitWarning: fit.rmsErrorPct > FIT_WARNING_PCT,
    onsetMs: t0, onsetShiftMs: t0 - raw.onsetMs, windows,
    forceAt50MsN: windows[0].forceN, forceAt100MsN: windows[1].forceN, forceAt150MsN: windows[2].forceN,
    forceAt200MsN: windows[3].forceN, forceAt250MsN: windows[4].forceN,
    rfd50NPerS: windows[0].rfdNPerS, rfd100NPerS: windows[1].rfdNPerS, rfd150NPerS: windows[2].rfdNPerS,
    rfd200NPerS: windows[3].rfdNPerS, rfd250NPerS: windows[4].rfdNPerS,
    rejectedWindows: rejected,
    peakRfdNPerS: steepestNPerS(fit),
    peakRfd100NPerS: bestWindowNPerS(fit, 100),
    peakRfd200NPerS: bestWindowNPerS(fit, 200),
    timeTo90PctMs: timeTo90Ms(fit),
  };
}

/** The samples the models are fitted to (rule 1 of the header). */
export function fitRange(timesMs: number[], forceN: number[], raw: IsometricResult): { from: number; to: number } {
  let from = raw.onsetIndex;
  while (from > 0 && timesMs[from - 1] >= raw.onsetMs - FIT_LEAD_MS) from -= 1;
  // leave out a counter-movement dip: start after the last sample clearly below the baseline
  for (let i = raw.onsetIndex - 1; i >= from; i--) {
    if (forceN[i] < raw.baselineN - raw.onsetThresholdN) {
      from = i + 1;
      break;
    }
  }
  const target = raw.baselineN + FIT_END_FRACTION * raw.peakNetForceN;
  let to = raw.onsetIndex;
  while (to < raw.peakIndex && forceN[to] < target && timesMs[to + 1] <= raw.onsetMs + FIT_MAX_SPAN_MS) to += 1;
  return { from, to };
}

export interface IsometricWithModel {
  raw: IsometricResult;
  /** null when there was no onset or no model fitted */
  model: ModelMetrics | null;
  /** raw RFD should not be trusted at this rate (see isometric.ts) */
  rfdUnreliable: boolean;
  /** the chosen model's fit error exceeds FIT_WARNING_PCT */
  modelFitWarning: boolean;
}

/** Raw analysis plus the model estimates (see the header). */
export function analyzeIsometricWithModel(timesMs: number[], forceN: number[], options: IsometricOptions): IsometricWithModel {
  const raw = analyzeIsometric(timesMs, forceN, options);
  if (!raw.found) return { raw, model: null, rfdUnreliable: raw.rfdUnreliable, modelFitWarning: false };
  const { from, to } = fitRange(timesMs, forceN, raw);
  const converterMs = raw.sampleRateHz < CONVERTER_MAX_RATE_HZ ? raw.samplePeriodMs : 0;
  const fits = RISE_MODELS.map((m) => fitRise(m, timesMs, forceN, from, to, raw.onsetMs, raw.samplePeriodMs, converterMs));
  const model = modelMetrics(fits, raw, timesMs, forceN);
  return { raw, model, rfdUnreliable: raw.rfdUnreliable, modelFitWarning: model !== null && model.fitWarning };
}
