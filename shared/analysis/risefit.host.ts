// HOST ONLY (uses Math.exp / Math.pow / Math.log, absent on NodeMCU's Lua 5.1):
// least-squares fits of one rise model to the start of an isometric pull.
//
// Two models, each with its own onset t0 (the force is Fbase before it):
//   exponential  F = Fbase + A·(1 − e^(−k·s))          s = t − t0 > 0
//                (Chronojump's maximumIsometricForce.R model: steepest at t0)
//   hill         F = Fbase + A·s^n / (s^n + c^n)       n >= 1.25
//                (an S-shaped rise: zero slope at t0 for n > 1, half of A
//                 at s = c; n sets how long the slow start lasts)
// For fixed t0 and shape parameters (k, or c and n) the model is linear in
// Fbase and A, so those come from closed-form least squares. k and c are
// searched on a log-spaced grid then refined by golden section; for each n
// (a coarse grid, then the best one's neighbours ±0.25) t0 is searched on a
// grid then refined by golden section: every step is fixed, so the fit is
// deterministic. Exponential t0 is searched from three sample intervals
// before the detected onset (the threshold crossing is late); the S-shaped
// rise's slow start can leave the threshold much later, so its t0 is searched
// from HILL_T0_SPAN_MS before. Both go up to two intervals after the onset:
// the converter's centred filter shows a rise before it starts (below).
//
// The converter. An HX711 output is not a point sample: each word is the
// input averaged by the chip's digital filter over four conversion periods
// (a sinc⁴ decimator: the cubic B-spline over 4·T, the filter the emulator's
// physics models, settling in 4 periods as the datasheet says). At 80 SPS that
// rounds the first 25 ms of a fast rise, at 10 SPS the first 200 ms, so an
// exponential seen through it looks S-shaped. With converterPeriodMs > 0 the
// fit compares each sample with the model averaged by that filter (centred on
// the sample: a constant delay only moves t0), so the models describe the
// force itself and the choice between them is not decided by the filter.

export type RiseModelName = "exponential" | "hill";
export const RISE_MODELS: RiseModelName[] = ["exponential", "hill"];

export interface RiseFit {
  model: RiseModelName;
  ok: boolean;
  fBaseN: number;
  /** rise amplitude A (N): the force tends to Fbase + A */
  ampN: number;
  t0Ms: number;
  /** exponential: rate constant (1/s); -1 for hill */
  kPerS: number;
  /** hill: time from t0 to half of A (ms) and the exponent; -1 for the exponential */
  halfTimeMs: number;
  hillN: number;
  /** RMS residual over the fitted samples (N) */
  rmsErrorN: number;
  /** RMS residual as % of A: the fit error the choice is made on */
  rmsErrorPct: number;
  samples: number;
  /** the converter's period T the fit averaged over (0: point samples) */
  converterPeriodMs: number;
}

const K_MIN = 0.1;
const K_MAX = 1000;
const HALF_MIN_MS = 5;
const HALF_MAX_MS = 5000;
const SCALE_GRID = 20;
const GOLDEN_STEPS = 18;
const T0_STEPS = 12;
const T0_GOLDEN_STEPS = 12;
/** hill exponents: a coarse grid, then the best one's neighbours at HILL_N_FINE */
const HILL_N_GRID = [1.5, 2, 2.5, 3, 4, 6];
const HILL_N_FINE = 0.25;
export const HILL_T0_SPAN_MS = 250;

/** The model's unit rise g(s) (0 at t0, tends to 1); `scale` is k (1/s) or c (ms). */
function unitRise(model: RiseModelName, sMs: number, scale: number, n: number): number {
  if (!(sMs > 0)) return 0;
  if (model === "exponential") return 1 - Math.exp((-scale * sMs) / 1000);
  const x = Math.pow(sMs / scale, n);
  return x / (1 + x);
}

/** The sinc⁴ filter's impulse response (cubic B-spline over 4·T) at half-period nodes, offsets in units of T. */
const SINC4_OFFSETS = [-1.5, -1, -0.5, 0, 0.5, 1, 1.5];
const SINC4_WEIGHTS = [1 / 96, 1 / 12, 23 / 96, 1 / 3, 23 / 96, 1 / 12, 1 / 96];

/** The unit rise as a sample shows it: averaged by the converter's filter when periodMs > 0. */
function sampledRise(model: RiseModelName, sMs: number, scale: number, n: number, periodMs: number): number {
  if (!(periodMs > 0)) return unitRise(model, sMs, scale, n);
  if (sMs <= -1.5 * periodMs) return 0;
  let g = 0;
  for (let j = 0; j < SINC4_OFFSETS.length; j++) g += SINC4_WEIGHTS[j] * unitRise(model, sMs + SINC4_OFFSETS[j] * periodMs, scale, n);
  return g;
}

function scaleOf(fit: RiseFit): number {
  return fit.model === "exponential" ? fit.kPerS : fit.halfTimeMs;
}

/** The model's force at tMs (the force itself, before the converter). */
export function riseForceN(fit: RiseFit, tMs: number): number {
  return fit.fBaseN + fit.ampN * unitRise(fit.model, tMs - fit.t0Ms, scaleOf(fit), fit.hillN);
}

/** What the model predicts a sample at tMs reads (through the converter's filter the fit assumed). */
export function riseSampleN(fit: RiseFit, tMs: number): number {
  return fit.fBaseN + fit.ampN * sampledRise(fit.model, tMs - fit.t0Ms, scaleOf(fit), fit.hillN, fit.converterPeriodMs);
}

interface Lin {
  ok: boolean;
  a: number;
  b: number;
  sse: number;
}

const NO_FIT: Lin = { ok: false, a: 0, b: 0, sse: Infinity };

/** Closed-form least squares of F ≈ a + b·g(t − t0) over samples from..to. */
function linearFit(timesMs: number[], forceN: number[], from: number, to: number, model: RiseModelName, t0Ms: number, scale: number, n: number, periodMs: number): Lin {
  let m = 0;
  let sg = 0;
  let sgg = 0;
  let sf = 0;
  let sgf = 0;
  let sff = 0;
  for (let i = from; i <= to; i++) {
    const g = sampledRise(model, timesMs[i] - t0Ms, scale, n, periodMs);
    const f = forceN[i];
    m += 1;
    sg += g;
    sgg += g * g;
    sf += f;
    sgf += g * f;
    sff += f * f;
  }
  const det = m * sgg - sg * sg;
  if (!(det > 1e-12 * m * m)) return NO_FIT;
  const b = (m * sgf - sg * sf) / det;
  const a = (sf - b * sg) / m;
  // SSE from the sums: Σ(f − a − b·g)² expanded; clamp the rounding below 0
  const sse = Math.max(0, sff - a * sf - b * sgf);
  return { ok: b > 0, a, b, sse: b > 0 ? sse : Infinity };
}

interface Best {
  lin: Lin;
  scale: number;
}

/** Golden-section minimum of f on [lo, hi] (f returns a fit; compared on sse). */
function golden<T extends { sse: number }>(lo: number, hi: number, steps: number, f: (x: number) => T): { x: number; v: T } {
  const gr = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - gr * (hi - lo);
  let x2 = lo + gr * (hi - lo);
  let f1 = f(x1);
  let f2 = f(x2);
  for (let it = 0; it < steps; it++) {
    if (f1.sse <= f2.sse) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - gr * (hi - lo);
      f1 = f(x1);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + gr * (hi - lo);
      f2 = f(x2);
    }
  }
  return f1.sse <= f2.sse ? { x: x1, v: f1 } : { x: x2, v: f2 };
}

/** Best scale (k or c) for fixed t0 and n: log grid, then golden section between the neighbours. */
function fitScale(timesMs: number[], forceN: number[], from: number, to: number, model: RiseModelName, t0Ms: number, n: number, periodMs: number): Best {
  const lmin = Math.log(model === "exponential" ? K_MIN : HALF_MIN_MS);
  const lmax = Math.log(model === "exponential" ? K_MAX : HALF_MAX_MS);
  const step = (lmax - lmin) / SCALE_GRID;
  let bestJ = -1;
  let best: Lin = NO_FIT;
  for (let j = 0; j <= SCALE_GRID; j++) {
    const f = linearFit(timesMs, forceN, from, to, model, t0Ms, Math.exp(lmin + step * j), n, periodMs);
    if (f.sse < best.sse) {
      best = f;
      bestJ = j;
    }
  }
  if (bestJ < 0) return { lin: NO_FIT, scale: 0 };
  const lo = lmin + step * Math.max(0, bestJ - 1);
  const hi = lmin + step * Math.min(SCALE_GRID, bestJ + 1);
  const g = golden(lo, hi, GOLDEN_STEPS, (x) => linearFit(timesMs, forceN, from, to, model, t0Ms, Math.exp(x), n, periodMs));
  return g.v.sse < best.sse ? { lin: g.v, scale: Math.exp(g.x) } : { lin: best, scale: Math.exp(lmin + step * bestJ) };
}

interface Trial extends Best {
  sse: number;
  t0: number;
  n: number;
}

/**
 * Fit `model` to samples from..to (include some baseline before the onset; end near the peak).
 * onsetMs is the detected onset, periodMs the sample interval; converterPeriodMs > 0 averages the
 * model by the HX711's filter of that period before comparing it with the samples (see the header).
 */
export function fitRise(
  model: RiseModelName,
  timesMs: number[],
  forceN: number[],
  from: number,
  to: number,
  onsetMs: number,
  periodMs: number,
  converterPeriodMs = 0,
): RiseFit {
  const out: RiseFit = {
    model, ok: false, fBaseN: 0, ampN: 0, t0Ms: -1, kPerS: -1, halfTimeMs: -1, hillN: -1,
    rmsErrorN: 0, rmsErrorPct: 0, samples: to - from + 1, converterPeriodMs,
  };
  if (to - from + 1 < 5) return out;
  const span = model === "exponential" ? 3 * periodMs : Math.max(3 * periodMs, HILL_T0_SPAN_MS);
  const t0Lo = Math.max(timesMs[from], onsetMs - span);
  // the converter's filter is centred on the sample: a rise shows up to 2 periods before it starts
  const t0Hi = onsetMs + 2 * converterPeriodMs;
  const ns = model === "exponential" ? [1] : HILL_N_GRID;
  const trial = (t0: number, n: number): Trial => {
    const b = fitScale(timesMs, forceN, from, to, model, t0, n, converterPeriodMs);
    return { ...b, sse: b.lin.sse, t0, n };
  };
  // per exponent: t0 on a grid, then golden section between the best point's neighbours
  const cell = (t0Hi - t0Lo) / T0_STEPS;
  const fitN = (n: number): Trial => {
    let bestN: Trial = { lin: NO_FIT, scale: 0, sse: Infinity, t0: onsetMs, n };
    let bestJ = 0;
    for (let j = 0; j <= T0_STEPS; j++) {
      const t = trial(t0Hi - cell * j, n);
      if (t.sse < bestN.sse) {
        bestN = t;
        bestJ = j;
      }
    }
    if (!bestN.lin.ok) return bestN;
    const tBest = t0Hi - cell * bestJ;
    const g = golden(Math.max(t0Lo, tBest - cell), Math.min(t0Hi, tBest + cell), T0_GOLDEN_STEPS, (x) => trial(x, n));
    return g.v.lin.ok && g.v.sse < bestN.sse ? g.v : bestN;
  };
  let best: Trial = { lin: NO_FIT, scale: 0, sse: Infinity, t0: onsetMs, n: 1 };
  for (const n of ns) {
    const t = fitN(n);
    if (t.sse < best.sse) best = t;
  }
  if (model === "hill" && best.lin.ok) {
    for (const n of [best.n - HILL_N_FINE, best.n + HILL_N_FINE]) {
      const t = fitN(n);
      if (t.sse < best.sse) best = t;
    }
  }
  if (!best.lin.ok) return out;
  out.ok = true;
  out.fBaseN = best.lin.a;
  out.ampN = best.lin.b;
  out.t0Ms = best.t0;
  if (model === "exponential") out.kPerS = best.scale;
  else {
    out.halfTimeMs = best.scale;
    out.hillN = best.n;
  }
  out.rmsErrorN = Math.sqrt(best.sse / out.samples);
  out.rmsErrorPct = (100 * out.rmsErrorN) / out.ampN;
  return out;
}
