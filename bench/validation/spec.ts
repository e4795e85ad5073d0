/**
 * What a validation curve is: its specification (the factors a set varies), its timing, and the
 * ground truth the analysis is judged against. Types and constants only; the force model is in
 * model.ts, the truth in truth.ts, the 1 kHz record in curves.ts.
 */
import { STANDARD_GRAVITY_MPS2 as STANDARD_GRAVITY } from "../../shared/units/force.ts";

export const G = STANDARD_GRAVITY;
export const RATE_HZ = 1000;

export type LiftKind = "isometric" | "rackpull";

/**
 * What real isometric pulls do besides a plain rise (model.ts has the formulas):
 *  - plain: the rise R(s) alone;
 *  - dip: a counter-movement dip below the quiet level just before the rise;
 *  - early-plateau: a fast rise to a shoulder, held, then a slower climb to the peak;
 *  - double-peak: the force sags between two near-equal maxima;
 *  - early-release: the lifter lets go soon after the rise.
 */
export type RiseVariant = "plain" | "dip" | "early-plateau" | "double-peak" | "early-release";

export interface CurveSpec {
  id: string;
  kind: LiftKind;
  /** time from the start of the rise to 90 % of the rise amplitude A (ms) */
  riseTo90Ms: number;
  /** rise exponent n of (1 − e^(−s/τ))^n: 1 exponential, 2 sigmoid, 3 slow S-shaped start */
  shape: 1 | 2 | 3;
  /** isometric only; default plain */
  variant?: RiseVariant;
  /** isometric: peak gross lifter force (N). rack pull: the force the lifter is heading for (N, > W) */
  peakN: number;
  /** bar weight in kg (isometric: bar under the pins; rack pull: loaded bar on the pins) */
  barKg: number;
  /** pre-tension (N above W for isometric; taken off the pins for rack pulls); 0 = none */
  pretensionN: number;
  /** left/right asymmetry, % (0..20) */
  asymmetryPct: number;
  /** white noise per pin, N rms at 1 kHz */
  noiseN: number;
  /** fatigue time constant τf (s): larger = flatter plateau */
  fatigueS: number;
  seed: number;
}

/** Curve timing (ms). */
export interface CurveTiming {
  /** isometric: quiet with pre-tension from 0 (or pins empty); rack pull: bar resting from 0 */
  t0Ms: number;
  /** rack pull: pre-tension taken from pretensionStartMs over 300 ms */
  pretensionStartMs: number;
  /** release starts (isometric) / set-down starts (rack pull) */
  releaseMs: number;
  releaseDurMs: number;
  durationMs: number;
}

export interface Curve {
  spec: CurveSpec;
  timing: CurveTiming;
  /** 1 kHz times (ms) from 0 */
  timesMs: number[];
  /** pin load per pin (N), noise included */
  leftN: number[];
  rightN: number[];
  truth: IsometricTruth | RackPullTruth;
}

export const WINDOWS_MS = [50, 100, 150, 200, 250] as const;

export interface IsometricTruth {
  kind: "isometric";
  barN: number;
  /** gross lifter force during the quiet period (W + P) */
  baselineN: number;
  pretension: boolean;
  /** start of the rise (after a counter-movement dip, where the force is back at the baseline) */
  onsetMs: number;
  peakN: number;
  peakNetN: number;
  peakMs: number;
  timeToPeakMs: number;
  timeTo90PctMs: number;
  /** gross lifter force at onset + 50..250 ms */
  forceAtN: number[];
  /** (F(t0 + w) − F(t0)) / w, N/s */
  rfdNPerS: number[];
  /** ∫ (F − baseline) dt over the window, N·s */
  impulseNS: number[];
  peakRfd100NPerS: number;
  peakRfd200NPerS: number;
  asymmetryPct: number;
}

export interface RackPullTruth {
  kind: "rackpull";
  barN: number;
  barKg: number;
  pretension: boolean;
  /** start of the pull (the lifter's force leaves its pre-tension level) */
  onsetMs: number;
  liftOffMs: number;
  timeToLiftOffMs: number;
  /** (W − pre-tension) / time to lift-off: mean lifter RFD from onset to lift-off */
  breakawayRateNPerS: number;
  leftLiftOffMs: number;
  rightLiftOffMs: number;
  setDownMs: number;
  holdMs: number;
}

/** The shape's name in figures and tables: the rise for plain curves, else the variant. */
export function shapeName(spec: CurveSpec): string {
  const v = spec.variant ?? "plain";
  if (v !== "plain") return v.replace(/-/g, "_");
  return spec.shape === 1 ? "exponential" : spec.shape === 2 ? "sigmoid" : "slow_s";
}
