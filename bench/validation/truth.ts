/**
 * Ground truth of a validation curve, worked out from the noiseless force model (model.ts), not
 * from the sampled, noisy record: onset, peak and its time, time to 90 %, force, RFD and impulse
 * over the fixed windows, peak sliding-window RFD (isometric); lift-off, hold, break-away rate
 * (rack pull).
 */
import { isoForceModel, rackTimeToForce, timing, unitPeak } from "./model.ts";
import type { CurveSpec, CurveTiming, IsometricTruth, RackPullTruth } from "./spec.ts";
import { G, WINDOWS_MS } from "./spec.ts";

/** Simpson integral of f over [a, b] with an even number of steps. */
function simpson(f: (t: number) => number, a: number, b: number, steps: number): number {
  const h = (b - a) / steps;
  let s = f(a) + f(b);
  for (let i = 1; i < steps; i++) s += (i % 2 === 1 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3;
}

export function isoTruth(spec: CurveSpec): IsometricTruth {
  const tm = timing(spec);
  const barN = spec.barKg * G;
  const base = barN + spec.pretensionN;
  const F = isoForceModel(spec);
  const pk = unitPeak(spec);
  const peakMs = tm.t0Ms + pk.s;
  const peakN = spec.peakN;
  // time to 90 % of net peak: the first 1 ms step that reaches it, then bisection within it
  const target = base + 0.9 * (peakN - base);
  let hi = tm.t0Ms;
  while (hi < peakMs && F(hi) < target) hi = Math.min(peakMs, hi + 1);
  let lo = Math.max(tm.t0Ms, hi - 1);
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (F(mid) >= target) hi = mid;
    else lo = mid;
  }
  const forceAtN: number[] = [];
  const rfd: number[] = [];
  const imp: number[] = [];
  for (const w of WINDOWS_MS) {
    const f = F(tm.t0Ms + w);
    forceAtN.push(f);
    rfd.push(((f - base) * 1000) / w);
    imp.push(simpson((t) => F(t) - base, tm.t0Ms, tm.t0Ms + w, 2000) / 1000);
  }
  const peakSliding = (w: number): number => {
    let best = 0;
    for (let s = 0; s <= pk.s; s += 0.1) {
      const r = ((F(tm.t0Ms + s + w) - F(tm.t0Ms + s)) * 1000) / w;
      if (r > best) best = r;
    }
    return best;
  };
  return {
    kind: "isometric",
    barN,
    baselineN: base,
    pretension: spec.pretensionN > 0,
    onsetMs: tm.t0Ms,
    peakN,
    peakNetN: peakN - base,
    peakMs,
    timeToPeakMs: pk.s,
    timeTo90PctMs: hi - tm.t0Ms,
    forceAtN,
    rfdNPerS: rfd,
    impulseNS: imp,
    peakRfd100NPerS: peakSliding(100),
    peakRfd200NPerS: peakSliding(200),
    asymmetryPct: spec.asymmetryPct,
  };
}

export const RACK_HOLD_MS = 2000;
export const RACK_REWEIGH_MS = 2000;

export function rackTruth(spec: CurveSpec): { truth: RackPullTruth; timing: CurveTiming } {
  const tm = timing(spec);
  const barN = spec.barKg * G;
  const a = spec.asymmetryPct / 100;
  const liftOff = tm.t0Ms + rackTimeToForce(spec, barN);
  // the left pin unloads when L·(1 + a)/2 = W/2 (before lift-off when a > 0); the right at lift-off
  const leftTarget = barN / (1 + a);
  const leftOff = leftTarget <= spec.pretensionN ? tm.t0Ms : tm.t0Ms + rackTimeToForce(spec, leftTarget);
  const setDown = liftOff + RACK_HOLD_MS;
  const t: CurveTiming = { ...tm, releaseMs: setDown, durationMs: Math.ceil(setDown + tm.releaseDurMs + RACK_REWEIGH_MS) };
  return {
    timing: t,
    truth: {
      kind: "rackpull",
      barN,
      barKg: spec.barKg,
      pretension: spec.pretensionN > 0,
      onsetMs: tm.t0Ms,
      liftOffMs: liftOff,
      timeToLiftOffMs: liftOff - tm.t0Ms,
      breakawayRateNPerS: ((barN - spec.pretensionN) * 1000) / (liftOff - tm.t0Ms),
      leftLiftOffMs: leftOff - tm.t0Ms,
      rightLiftOffMs: liftOff - tm.t0Ms,
      setDownMs: setDown,
      holdMs: RACK_HOLD_MS,
    },
  };
}
