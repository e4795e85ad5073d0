// HOST ONLY (uses Math.exp / Math.log, absent on NodeMCU's Lua 5.1): the
// exponential rise model for isometric pulls sampled too slowly for raw RFD.
//
//   F(t) = Fbase                                  for t <= t0
//   F(t) = Fbase + Fmax · (1 − e^(−k·(t − t0)))   for t >  t0
//
// (Chronojump's maximumIsometricForce.R fits the same shape and warns when the
// fit error exceeds 5 %.) For fixed t0 and k the model is linear in Fbase and
// Fmax, so those come from closed-form least squares; k is found by a
// log-spaced grid then golden-section refinement, t0 by a grid over the three
// sample intervals before the detected onset (the threshold crossing is
// always late). All steps are fixed: the fit is deterministic.
//
// Model RFD values use the same window definitions as the raw ones but start
// at the model's t0 (see modelMetrics); show both side by side.
//
// Fit warning. The RMS error over the whole rise, as % of Fmax, misses the
// case that matters most: a rise that starts with zero slope (sigmoid,
// Hill-type). Its error sits in the first 100-200 ms, where the force is small
// against Fmax, yet the model's early RFD is then far too high (up to +180 % in
// the validation suite while the RMS error stays near 3 %). Judging the early
// residuals against the early force does not help at HX711 rates: the chip's
// digital filter (settling ~4 conversions) rounds the start of a fast
// exponential just as much. So the sigmoid test compares shapes: the same fit
// with a zero-slope start, F = Fbase + A·(1 − e^(−k·(t − t0)))², over the same
// samples. The warning fires when
//   - the RMS error exceeds FIT_WARNING_PCT of Fmax (as Chronojump), or
//   - the sigmoid fits clearly better (SSE ratio < SIGMOID_SSE_RATIO) AND its
//     zero-slope phase (the inflection, ln 2/k after t0) lasts at least
//     SIGMOID_MIN_LAG_PERIODS sample intervals: longer than the converter's
//     own rounding (filter settling + median of 3), so it is the lifter's.
// A sigmoid whose lag is shorter than that cannot be told from a filtered
// exponential at this rate (nor is its model RFD worse than theirs).

import { IsometricOptions, IsometricResult, analyzeIsometric } from "./isometric.ts";

export interface ExpFit {
  ok: boolean;
  fBaseN: number;
  fMaxN: number;
  kPerS: number;
  t0Ms: number;
  /** RMS residual over the fitted samples */
  rmsErrorN: number;
  /** RMS residual as % of Fmax */
  rmsErrorPct: number;
  /** SSE of the sigmoid alternative / SSE of this fit (< 1: the sigmoid fits better); -1 if not tried */
  sigmoidSseRatio: number;
  /** the sigmoid alternative's zero-slope phase: its inflection, ln 2/k after its t0 (ms); -1 if not tried */
  sigmoidLagMs: number;
  /** the rise starts with zero slope for a resolvable time: the exponential is the wrong shape */
  sigmoidShape: boolean;
  /** rmsErrorPct > FIT_WARNING_PCT or sigmoidShape */
  fitWarning: boolean;
  samples: number;
}

const K_MIN = 0.1;
const K_MAX = 1000;
const K_GRID = 80;
const GOLDEN_STEPS = 60;
const T0_STEPS = 30;
export const FIT_WARNING_PCT = 5;
export const SIGMOID_SSE_RATIO = 0.1;
export const SIGMOID_MIN_LAG_PERIODS = 6;
const FIT_MAX_SPAN_MS = 1500;

interface LinFit {
  ok: boolean;
  a: number;
  b: number;
  sse: number;
}

/** g(t) = (1 − e^(−k·dt)) for the exponential (shape 1), its square for the sigmoid (shape 2). */
function shapeG(dtS: number, k: number, shape: number): number {
  if (!(dtS > 0)) return 0;
  const x = 1 - Math.exp(-k * dtS);
  return shape === 2 ? x * x : x;
}

/** Closed-form least squares of F ≈ a + b·g(t) for given t0 (ms) and k (1/s). */
function linearFit(timesMs: number[], forceN: number[], from: number, to: number, t0Ms: number, k: number, shape: number): LinFit {
  let n = 0;
  let sg = 0;
  let sgg = 0;
  let sf = 0;
  let sgf = 0;
  for (let i = from; i <= to; i++) {
    const g = shapeG((timesMs[i] - t0Ms) / 1000, k, shape);
    n += 1;
    sg += g;
    sgg += g * g;
    sf += forceN[i];
    sgf += g * forceN[i];
  }
  const det = n * sgg - sg * sg;
  if (!(det > 1e-12 * n * n)) return { ok: false, a: 0, b: 0, sse: Infinity };
  const b = (n * sgf - sg * sf) / det;
  const a = (sf - b * sg) / n;
  let sse = 0;
  for (let i = from; i <= to; i++) {
    const e = forceN[i] - a - b * shapeG((timesMs[i] - t0Ms) / 1000, k, shape);
    sse += e * e;
  }
  return { ok: true, a, b, sse };
}

function fitK(timesMs: number[], forceN: number[], from: number, to: number, t0Ms: number, shape: number): { k: number; fit: LinFit } {
  const lmin = Math.log(K_MIN);
  const lmax = Math.log(K_MAX);
  let bestJ = -1;
  let best: LinFit = { ok: false, a: 0, b: 0, sse: Infinity };
  for (let j = 0; j <= K_GRID; j++) {
    const f = linearFit(timesMs, forceN, from, to, t0Ms, Math.exp(lmin + ((lmax - lmin) * j) / K_GRID), shape);
    if (f.ok && f.sse < best.sse) {
      best = f;
      bestJ = j;
    }
  }
  if (bestJ < 0) return { k: 0, fit: best };
  // golden section on log k within the neighbouring grid cells
  const step = (lmax - lmin) / K_GRID;
  let lo = lmin + step * Math.max(0, bestJ - 1);
  let hi = lmin + step * Math.min(K_GRID, bestJ + 1);
  const gr = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - gr * (hi - lo);
  let x2 = lo + gr * (hi - lo);
  let f1 = linearFit(timesMs, forceN, from, to, t0Ms, Math.exp(x1), shape);
  let f2 = linearFit(timesMs, forceN, from, to, t0Ms, Math.exp(x2), shape);
  for (let it = 0; it < GOLDEN_STEPS; it++) {
    if (f1.sse <= f2.sse) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - gr * (hi - lo);
      f1 = linearFit(timesMs, forceN, from, to, t0Ms, Math.exp(x1), shape);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + gr * (hi - lo);
      f2 = linearFit(timesMs, forceN, from, to, t0Ms, Math.exp(x2), shape);
    }
  }
  let k = Math.exp(lmin + step * bestJ);
  if (f1.ok && f1.sse < best.sse) {
    best = f1;
    k = Math.exp(x1);
  }
  if (f2.ok && f2.sse < best.sse) {
    best = f2;
    k = Math.exp(x2);
  }
  return { k, fit: best };
}

interface ShapeFit {
  ok: boolean;
  sse: number;
  a: number;
  b: number;
  k: number;
  t0Ms: number;
}

/** Best fit of one shape: t0 over [onsetMs − 3·periodMs, onsetMs], k by grid + golden section. */
function fitShape(timesMs: number[], forceN: number[], from: number, to: number, onsetMs: number, periodMs: number, shape: number): ShapeFit {
  const out: ShapeFit = { ok: false, sse: Infinity, a: 0, b: 0, k: 0, t0Ms: -1 };
  for (let j = 0; j <= T0_STEPS; j++) {
    const t0 = onsetMs - (3 * periodMs * j) / T0_STEPS;
    const r = fitK(timesMs, forceN, from, to, t0, shape);
    if (r.fit.ok && r.fit.b > 0 && r.fit.sse < out.sse) {
      out.ok = true;
      out.sse = r.fit.sse;
      out.a = r.fit.a;
      out.b = r.fit.b;
      out.k = r.k;
      out.t0Ms = t0;
    }
  }
  return out;
}

/**
 * Fit the model to samples from..to (include some baseline before the onset
 * and end at the peak). t0 is searched over [onsetMs − 3·periodMs, onsetMs].
 * The sigmoid alternative is fitted the same way (see the header).
 */
export function fitExpRise(
  timesMs: number[],
  forceN: number[],
  from: number,
  to: number,
  onsetMs: number,
  periodMs: number,
): ExpFit {
  const out: ExpFit = {
    ok: false,
    fBaseN: 0,
    fMaxN: 0,
    kPerS: 0,
    t0Ms: -1,
    rmsErrorN: 0,
    rmsErrorPct: 0,
    sigmoidSseRatio: -1,
    sigmoidLagMs: -1,
    sigmoidShape: false,
    fitWarning: true,
    samples: to - from + 1,
  };
  if (to - from + 1 < 4) return out;
  const e = fitShape(timesMs, forceN, from, to, onsetMs, periodMs, 1);
  if (!e.ok) return out;
  out.ok = true;
  out.fBaseN = e.a;
  out.fMaxN = e.b;
  out.kPerS = e.k;
  out.t0Ms = e.t0Ms;
  out.rmsErrorN = Math.sqrt(e.sse / out.samples);
  out.rmsErrorPct = (100 * out.rmsErrorN) / out.fMaxN;
  const sg = fitShape(timesMs, forceN, from, to, onsetMs, periodMs, 2);
  if (sg.ok && sg.k > 0) {
    // an exact exponential (SSE 0) is not sigmoid: the ratio is then large
    out.sigmoidSseRatio = e.sse > 0 ? sg.sse / e.sse : sg.sse > 0 ? 1e9 : 1;
    out.sigmoidLagMs = (Math.LN2 / sg.k) * 1000;
    out.sigmoidShape = out.sigmoidSseRatio < SIGMOID_SSE_RATIO && out.sigmoidLagMs >= SIGMOID_MIN_LAG_PERIODS * periodMs;
  }
  out.fitWarning = out.rmsErrorPct > FIT_WARNING_PCT || out.sigmoidShape;
  return out;
}

/** Model force at absolute time tMs. */
export function modelForceN(fit: ExpFit, tMs: number): number {
  const dt = (tMs - fit.t0Ms) / 1000;
  return dt > 0 ? fit.fBaseN + fit.fMaxN * (1 - Math.exp(-fit.kPerS * dt)) : fit.fBaseN;
}

export interface ModelMetrics {
  fit: ExpFit;
  /** the model's start of the rise (t0): all model windows start here */
  onsetMs: number;
  /** t0 − detected onset (≤ 0: threshold detection is late by this much) */
  onsetShiftMs: number;
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
  /** instantaneous maximum, Fmax·k at t0 */
  peakRfdNPerS: number;
  /** best sliding-window slope (the window starting at t0, since the curve is concave) */
  peakRfd100NPerS: number;
  peakRfd200NPerS: number;
  /** from t0 to 90 % of Fmax: ln(10)/k */
  timeTo90PctMs: number;
}

/** Mean slope of the model over windowMs from t0: Fmax·(1 − e^(−k·w))/w. */
export function modelRfdNPerS(fit: ExpFit, windowMs: number): number {
  return (fit.fMaxN * (1 - Math.exp((-fit.kPerS * windowMs) / 1000)) * 1000) / windowMs;
}

/**
 * Model numbers anchored at the model's own start t0, not at the detected
 * onset: at 80 SPS the threshold crossing is up to a sample late and its
 * force is already above baseline, which is exactly the bias the model is
 * there to remove. onsetShiftMs says how far apart the two are.
 */
export function modelMetrics(fit: ExpFit, detectedOnsetMs: number): ModelMetrics {
  const t0 = fit.t0Ms;
  return {
    fit,
    onsetMs: t0,
    onsetShiftMs: t0 - detectedOnsetMs,
    forceAt50MsN: modelForceN(fit, t0 + 50),
    forceAt100MsN: modelForceN(fit, t0 + 100),
    forceAt150MsN: modelForceN(fit, t0 + 150),
    forceAt200MsN: modelForceN(fit, t0 + 200),
    forceAt250MsN: modelForceN(fit, t0 + 250),
    rfd50NPerS: modelRfdNPerS(fit, 50),
    rfd100NPerS: modelRfdNPerS(fit, 100),
    rfd150NPerS: modelRfdNPerS(fit, 150),
    rfd200NPerS: modelRfdNPerS(fit, 200),
    rfd250NPerS: modelRfdNPerS(fit, 250),
    peakRfdNPerS: fit.fMaxN * fit.kPerS,
    peakRfd100NPerS: modelRfdNPerS(fit, 100),
    peakRfd200NPerS: modelRfdNPerS(fit, 200),
    timeTo90PctMs: fit.kPerS > 0 ? (Math.log(10) / fit.kPerS) * 1000 : -1,
  };
}

export interface IsometricWithModel {
  raw: IsometricResult;
  /** null when there was no onset or the fit failed */
  model: ModelMetrics | null;
  /** raw RFD should not be trusted at this rate (see isometric.ts) */
  rfdUnreliable: boolean;
  /** the model exists but fits worse than FIT_WARNING_PCT, or the rise is sigmoid-shaped (see the header) */
  modelFitWarning: boolean;
}

/** Raw analysis plus the model estimate; the fit covers 100 ms before onset up to the peak (at most 1.5 s after onset). */
export function analyzeIsometricWithModel(
  timesMs: number[],
  forceN: number[],
  options: IsometricOptions,
): IsometricWithModel {
  const raw = analyzeIsometric(timesMs, forceN, options);
  if (!raw.found) return { raw, model: null, rfdUnreliable: raw.rfdUnreliable, modelFitWarning: false };
  let from = raw.onsetIndex;
  while (from > 0 && timesMs[from - 1] >= raw.onsetMs - 100) from -= 1;
  // stop at the peak, and after 1.5 s of plateau (enough to pin Fmax, keeps the fit fast)
  let to = raw.peakIndex;
  while (to > raw.onsetIndex && timesMs[to] > raw.onsetMs + FIT_MAX_SPAN_MS) to -= 1;
  const fit = fitExpRise(timesMs, forceN, from, to, raw.onsetMs, raw.samplePeriodMs);
  if (!fit.ok) return { raw, model: null, rfdUnreliable: raw.rfdUnreliable, modelFitWarning: false };
  return { raw, model: modelMetrics(fit, raw.onsetMs), rfdUnreliable: raw.rfdUnreliable, modelFitWarning: fit.fitWarning };
}
