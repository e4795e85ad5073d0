/**
 * The physiological force model behind every validation curve, noiseless.
 *
 * Lifter force (N, gross: what a force plate under the lifter would show minus body weight):
 *
 *   L(t) = Lb                                         t <= t0
 *   L(t) = Lb + A · U(s) · e^(−s/τf),  s = t − t0     t >  t0          (until release)
 *   R(s) = (1 − e^(−s/τ))^n
 *
 * n = 1 is the exponential rise Chronojump fits; n = 2 a sigmoid (Hill-like) rise that starts with
 * zero slope; n = 3 a slow S-shaped start (a long, nearly flat first phase). τ is set from the
 * requested time to 90 % of A: s90 = τ · −ln(1 − 0.9^(1/n)). τf is a slow fatigue decline (a few
 * % per second) that gives the effort a true, rounded maximum. U(s) is R(s) for plain curves and
 * for the variants (spec.ts):
 *   early-plateau  U = 0.7·R(s) + 0.3·(1 − e^(−(s − s2)/200 ms)) for s > s2 = s90 + 300 ms
 *   double-peak    U = R(s)·(1 − 0.12·e^(−((s − sd)/90 ms)²)),  sd = s90 + 250 ms
 *   dip            U = R(s), and before t0 the force sags by D·sin²(π·(t − t0 + 250)/250) for
 *                  250 ms, D = min(0.6·P, 0.1·(peak − Lb)) (it needs pre-tension P to sag from)
 *   early-release  U = R(s), released at t0 + s90 + 300 ms instead of after ≥ 3 s
 * A is scaled so the true maximum equals the requested peak. Release: the force falls linearly back
 * to Lb over releaseMs. Rack pulls use the plain rise with no fatigue (the bar leaves first).
 */
import type { CurveSpec, CurveTiming } from "./spec.ts";
import { G } from "./spec.ts";

/** x90 of (1 − e^(−x))^n = 0.9. */
export function x90(n: number): number {
  return -Math.log(1 - Math.pow(0.9, 1 / n));
}

export function tauMs(spec: CurveSpec): number {
  return spec.riseTo90Ms / x90(spec.shape);
}

const PLATEAU_SHARE = 0.7;
const PLATEAU_HOLD_MS = 300;
const PLATEAU_TAU_MS = 200;
const SAG_DEPTH = 0.12;
const SAG_AFTER_MS = 250;
const SAG_WIDTH_MS = 90;
const DIP_MS = 250;
const EARLY_RELEASE_AFTER_MS = 300;

/** The noiseless gross lifter force model (N) at time tMs. */
export interface ForceModel {
  (tMs: number): number;
}

export function riseShape(spec: CurveSpec, sMs: number): number {
  if (sMs <= 0) return 0;
  const x = 1 - Math.exp(-sMs / tauMs(spec));
  return spec.shape === 1 ? x : spec.shape === 2 ? x * x : x * x * x;
}

/** Unit-amplitude effort with fatigue: U(s)·e^(−s/τf). */
export function unitEffort(spec: CurveSpec, sMs: number): number {
  if (sMs <= 0) return 0;
  const r = riseShape(spec, sMs);
  const v = spec.variant ?? "plain";
  let u = r;
  if (v === "early-plateau") {
    const s2 = sMs - spec.riseTo90Ms - PLATEAU_HOLD_MS;
    u = PLATEAU_SHARE * r + (s2 > 0 ? (1 - PLATEAU_SHARE) * (1 - Math.exp(-s2 / PLATEAU_TAU_MS)) : 0);
  } else if (v === "double-peak") {
    const z = (sMs - spec.riseTo90Ms - SAG_AFTER_MS) / SAG_WIDTH_MS;
    u = r * (1 - SAG_DEPTH * Math.exp(-z * z));
  }
  return u * Math.exp(-sMs / (spec.fatigueS * 1000));
}

/** Where the effort may peak (ms after t0): up to the release for early releases, else unbounded. */
function effortSpanMs(spec: CurveSpec): number {
  const open = 20 * tauMs(spec) + 10000;
  return spec.variant === "early-release" ? spec.riseTo90Ms + EARLY_RELEASE_AFTER_MS : open;
}

/**
 * Maximum of unitEffort over 0 < s <= span: value and position (ms). A 1 ms grid finds the
 * highest hump (double peaks, shoulders), golden section refines it within its neighbouring cells.
 */
export function unitPeak(spec: CurveSpec): { s: number; v: number } {
  const span = effortSpanMs(spec);
  let bestS = span;
  let bestV = unitEffort(spec, span);
  for (let s = 1; s < span; s += 1) {
    const v = unitEffort(spec, s);
    if (v > bestV) {
      bestV = v;
      bestS = s;
    }
  }
  let lo = Math.max(0, bestS - 1);
  let hi = Math.min(span, bestS + 1);
  const gr = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - gr * (hi - lo);
  let x2 = lo + gr * (hi - lo);
  let f1 = unitEffort(spec, x1);
  let f2 = unitEffort(spec, x2);
  for (let i = 0; i < 100; i++) {
    if (f1 >= f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - gr * (hi - lo);
      f1 = unitEffort(spec, x1);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + gr * (hi - lo);
      f2 = unitEffort(spec, x2);
    }
  }
  const s = (lo + hi) / 2;
  const v = unitEffort(spec, s);
  return v >= bestV ? { s, v } : { s: bestS, v: bestV };
}

export function timing(spec: CurveSpec): CurveTiming {
  if (spec.kind === "isometric") {
    const t0 = 2000;
    const release = t0 + (spec.variant === "early-release" ? effortSpanMs(spec) : Math.max(3000, 3 * spec.riseTo90Ms + 1500));
    return { t0Ms: t0, pretensionStartMs: 0, releaseMs: release, releaseDurMs: 300, durationMs: release + 300 + 1200 };
  }
  // rack pull: 1.5 s resting (weighed), pre-tension over 300 ms then held 1.2 s, pull, hold 2 s, set down, 2 s re-weigh
  const pre = 1500;
  const t0 = spec.pretensionN > 0 ? pre + 300 + 1200 : 2000;
  return { t0Ms: t0, pretensionStartMs: pre, releaseMs: -1, releaseDurMs: 150, durationMs: -1 };
}

/** Depth (N) of the counter-movement dip before t0; 0 unless the variant is "dip". */
export function dipDepthN(spec: CurveSpec): number {
  if (spec.variant !== "dip") return 0;
  const base = spec.barKg * G + spec.pretensionN;
  return Math.min(0.6 * spec.pretensionN, 0.1 * (spec.peakN - base));
}

/** Gross lifter force (N) of an isometric curve as a function of time (ms), noiseless. */
export function isoForceModel(spec: CurveSpec): ForceModel {
  const tm = timing(spec);
  const barN = spec.barKg * G;
  const base = barN + spec.pretensionN;
  const pk = unitPeak(spec);
  const amp = (spec.peakN - base) / pk.v;
  const dip = dipDepthN(spec);
  const effort = (t: number): number => {
    const s = t - tm.t0Ms;
    if (s <= 0) {
      if (dip > 0 && s > -DIP_MS) {
        const x = Math.sin((Math.PI * (s + DIP_MS)) / DIP_MS);
        return base - dip * x * x;
      }
      return base;
    }
    return base + amp * unitEffort(spec, s);
  };
  const fRel = effort(tm.releaseMs);
  return (tMs: number): number => {
    if (tMs <= tm.releaseMs) return effort(tMs);
    const u = (tMs - tm.releaseMs) / tm.releaseDurMs;
    return u >= 1 ? barN : fRel + (barN - fRel) * u;
  };
}

/** Start (N) and amplitude (N) of a rack pull's rise. */
export function rackRise(spec: CurveSpec): { base: number; amp: number } {
  return { base: spec.pretensionN, amp: spec.peakN - spec.pretensionN };
}

/** Lifter force (N) of a rack pull before lift-off, noiseless (no fatigue: the bar leaves first). */
export function rackLifterForce(spec: CurveSpec, tMs: number): number {
  const tm = timing(spec);
  const { base, amp } = rackRise(spec);
  if (spec.pretensionN > 0 && tMs < tm.t0Ms) {
    const u = (tMs - tm.pretensionStartMs) / 300;
    return u <= 0 ? 0 : u >= 1 ? base : base * u;
  }
  return base + amp * riseShape(spec, tMs - tm.t0Ms);
}

/** First s (ms) where the rack-pull rise reaches `target` (N), analytic inverse. */
export function rackTimeToForce(spec: CurveSpec, target: number): number {
  const { base, amp } = rackRise(spec);
  const r = (target - base) / amp;
  const x = Math.pow(r, 1 / spec.shape);
  return -tauMs(spec) * Math.log(1 - x);
}
