/**
 * Validation curves: 1 kHz pin-load records of isometric pulls and rack pulls built from the force
 * model (model.ts), with their ground truth (truth.ts).
 *
 * Pins (positive = bar pushes down on the pin, the emulator's and detector's convention):
 *  - isometric: the bar (weight W) is under the pins and pushed up into them; pin load total is
 *    −(L − W) and the lifter force is W + |pin load|. Pre-tension: during the quiet period the
 *    lifter already pushes P into the pins (L = W + P). Missing pre-tension ("shock-loaded"):
 *    the pins read 0 until the pull starts (L = W).
 *  - rack pull: the bar (weight W) rests on the pins; pin load total is W − L until L reaches W
 *    (lift-off), 0 while the bar is held, then W again after the set-down. The bar is weighed
 *    resting alone; pre-tension means the lifter then takes P off the pins before pulling.
 * Asymmetry a (fraction): the left hand pulls (1 + a)/2 of the lifter's net force and the right
 * (1 − a)/2, so 100·(L − R)/(L + R) = 100·a. In a rack pull a pin cannot pull down: when the left
 * pin unloads first the bar pivots on the right pin, which then carries all of W − L.
 *
 * Noise: white, Gaussian, per pin, `noiseN` rms at 1 kHz (rack vibration, tremor, the force
 * plate's own noise); seeded so every record can be regenerated exactly.
 */
import { isoForceModel, rackLifterForce, timing, type ForceModel } from "./model.ts";
import { gaussian, rng } from "./random.ts";
import type { Curve, CurveSpec, CurveTiming, IsometricTruth, RackPullTruth } from "./spec.ts";
import { isoTruth, rackTruth } from "./truth.ts";

/** Noiseless pin loads (left, right) at tMs; `iso` is isoForceModel(spec) for isometric curves. */
export function pinLoads(
  spec: CurveSpec,
  tm: CurveTiming,
  truth: IsometricTruth | RackPullTruth,
  tMs: number,
  iso?: ForceModel,
): [number, number] {
  const a = spec.asymmetryPct / 100;
  if (truth.kind === "isometric") {
    const F = iso ?? isoForceModel(spec);
    const net = F(tMs) - truth.barN; // >= 0: pushed into the pins
    return [(-net * (1 + a)) / 2, (-net * (1 - a)) / 2];
  }
  const W = truth.barN;
  if (tMs >= truth.liftOffMs && tMs < truth.setDownMs) return [0, 0];
  if (tMs >= truth.setDownMs) {
    const u = Math.min(1, (tMs - truth.setDownMs) / tm.releaseDurMs);
    return [(W / 2) * u, (W / 2) * u];
  }
  const L = rackLifterForce(spec, tMs);
  const left = Math.max(0, W / 2 - (L * (1 + a)) / 2);
  return [left, Math.max(0, W - L - left)];
}

export function buildCurve(spec: CurveSpec): Curve {
  let tm = timing(spec);
  let truth: IsometricTruth | RackPullTruth;
  if (spec.kind === "isometric") {
    truth = isoTruth(spec);
  } else {
    const r = rackTruth(spec);
    truth = r.truth;
    tm = r.timing;
  }
  const n = Math.floor(tm.durationMs) + 1;
  const g = gaussian(rng(spec.seed));
  const timesMs: number[] = [];
  const leftN: number[] = [];
  const rightN: number[] = [];
  const iso = spec.kind === "isometric" ? isoForceModel(spec) : undefined;
  for (let i = 0; i < n; i++) {
    const t = i;
    const [l, r] = pinLoads(spec, tm, truth, t, iso);
    timesMs.push(t);
    leftN.push(l + spec.noiseN * g());
    rightN.push(r + spec.noiseN * g());
  }
  return { spec, timing: tm, timesMs, leftN, rightN, truth };
}
