import { describe, it, expect } from "vitest";
import { analyzeRackPull, rackPullDetectorConfig, weighingUncertaintyN } from "./rackpull.ts";
import { STANDARD_GRAVITY_MPS2 as STANDARD_GRAVITY } from "../units/force.ts";
import { detectLifts } from "./detector.ts";
import { alternating, rackPull, rackPullPreTension, times } from "./fixtures.host.ts";

describe("rack pull with pre-tension: 400 kg bar, 300 N and 700 N held 1.2 s (see fixtures rackPullPreTension)", () => {
  const W = 400 * 9.80665; // 3922.66 N
  for (const P of [300, 700]) {
    const c = rackPullPreTension(W, P, W);
    const r = analyzeRackPull(c.timesMs, c.forceN, {});
    it(`${P} N: weighs 400 kg (not ${((W - P) / 9.80665).toFixed(1)} kg), reports the pre-tension apart`, () => {
      expect(r.weighedLoadN).toBe(W);
      expect(r.weighedLoadKg).toBeCloseTo(400, 9);
      expect(r.weighedSamples).toBe(80);
      expect(r.preTensionStartMs).toBe(1500);
      expect(r.preTensionN).toBeCloseTo(P, 9);
    });
    it(`${P} N: onset at the start of the final pull (2750 ms), lift-off 3137.5 ms (387.5 ms later)`, () => {
      expect(r.onsetMs).toBe(2750);
      expect(r.liftedOff).toBe(true);
      expect(r.liftOffMs).toBe(3137.5);
      expect(r.timeToLiftOffMs).toBe(387.5);
      expect(r.noLiftOff).toBe(false);
    });
    it(`${P} N: lifter force curve starts at the pre-tension step, breakaway from the onset sample`, () => {
      // i = 220..251: 32 samples; at i = 220 the pin is (W − P)·31/32, so the lifter force is P + (W − P)/32
      expect(r.forceCurveN.length).toBe(32);
      expect(r.forceCurveN[0]).toBeCloseTo(P + (W - P) / 32, 9);
      expect(r.forceCurveN[31]).toBe(W);
      expect(r.peakLifterForceN).toBe(W);
      // ((W − P)·31/32 − 0) N over 0.3875 s: 300 N → 9056.65 N/s, 700 N → 8056.65 N/s
      expect(r.breakawayRateNPerS).toBeCloseTo((((W - P) * 31) / 32) / 0.3875, 6);
      expect(r.breakawayRateNPerS).toBeCloseTo(P === 300 ? 9056.65 : 8056.65, 6);
    });
    it(`${P} N: re-weigh equals the weighed load: plates not changed`, () => {
      expect(r.reweighN).toBe(W);
      expect(r.reweighDiffN).toBe(0);
      expect(r.platesChanged).toBe(false);
      expect(r.holdMs).toBe(1012.5);
    });
  }
  it("a pull straight from rest reports no pre-tension", () => {
    const c = rackPullPreTension(W, 0, W);
    const r = analyzeRackPull(c.timesMs, c.forceN, {});
    expect(r.preTensionN).toBe(0);
    expect(r.preTensionStartMs).toBe(-1);
    expect(r.weighedLoadN).toBe(W);
  });
  it("maxPreTensionFraction below 700/W (0.178): the 700 N level is a failed pull, as before", () => {
    const c = rackPullPreTension(W, 700, W);
    const r = analyzeRackPull(c.timesMs, c.forceN, { maxPreTensionFraction: 0.1 });
    expect(r.onsetMs).toBe(1500);
    expect(r.liftedOff).toBe(false);
    expect(r.weighedLoadN).toBe(W);
  });
});

describe("rack pull: hand-checked 5000 N pull at 80 SPS (see fixtures rackPull)", () => {
  const c = rackPull(5000, 5000, 0);
  const r = analyzeRackPull(c.timesMs, c.forceN, {});

  it("weighs the bar: 5000 N = 509.858 kg (g = 9.80665)", () => {
    expect(r.found).toBe(true);
    expect(r.sampleRateHz).toBe(80);
    expect(r.weighedLoadN).toBe(5000);
    expect(r.weighedLoadKg).toBeCloseTo(5000 / 9.80665, 9);
    expect(r.weighedSamples).toBe(80);
    expect(r.noQuietPeriod).toBe(false);
  });

  it("onset at the first falling sample (i = 160, 2000 ms)", () => {
    expect(r.onsetMs).toBe(2000);
    expect(r.onsetResolutionMs).toBe(12.5);
  });

  it("lift-off when the pins reach 0 at i = 191: 2387.5 ms, 387.5 ± 12.5 ms after onset", () => {
    expect(r.liftedOff).toBe(true);
    expect(r.liftOffThresholdN).toBe(20); // noise-free rest: the 20 N floor
    expect(r.liftOffMs).toBe(2387.5);
    expect(r.timeToLiftOffMs).toBe(387.5);
    expect(r.timeToLiftOffResolutionMs).toBe(12.5);
  });

  it("lifter force curve = weighed − pin load, from onset to lift-off", () => {
    expect(r.forceCurveN.length).toBe(32);
    expect(r.forceCurveTimesMs[0]).toBe(0);
    expect(r.forceCurveN[0]).toBe(156.25); // 5000/32
    expect(r.forceCurveTimesMs[31]).toBe(387.5);
    expect(r.forceCurveN[31]).toBe(5000);
    expect(r.peakLifterForceN).toBe(5000);
    // (4843.75 − 0) N over 0.3875 s
    expect(r.breakawayRateNPerS).toBeCloseTo(12500, 9);
  });

  it("held off the pins from 2387.5 to the set-down at 3400 ms: 1012.5 ms", () => {
    expect(r.setDownMs).toBe(3400);
    expect(r.holdMs).toBe(1012.5);
    expect(r.holdResolutionMs).toBe(12.5);
  });

  it("re-weighs the same 5000 N: plates not changed", () => {
    expect(r.reweighN).toBe(5000);
    expect(r.reweighDiffN).toBe(0);
    expect(r.platesChanged).toBe(false);
    expect(r.noReweigh).toBe(false);
    expect(r.reweighUnsteady).toBe(false);
    expect(r.noLiftOff || r.noSetDown || r.saturated || r.overCapacity).toBe(false);
  });

  it("results are JSON-clean", () => {
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});

describe("rack pull: weighing uncertainty", () => {
  it("u = sqrt(uCal² + SD²/n); SD of ±2 N over 80 samples = 2·sqrt(80/79)", () => {
    const c = rackPull(5000, 5000, 2);
    const r = analyzeRackPull(c.timesMs, c.forceN, { calibrationUncertaintyN: 3 });
    expect(r.weighedLoadN).toBeCloseTo(5000, 9);
    expect(r.weighedSdN).toBeCloseTo(2 * Math.sqrt(80 / 79), 9);
    const u = Math.sqrt(9 + 4 / 79);
    expect(r.weighedStdUncertaintyN).toBeCloseTo(u, 9);
    expect(r.weighedStdUncertaintyKg).toBeCloseTo(u / STANDARD_GRAVITY, 9);
    expect(r.weighedExpandedUncertaintyKg).toBeCloseTo((2 * u) / STANDARD_GRAVITY, 9);
    // the difference of two weighings with the same cells: noise only, sqrt(2·4/79)
    expect(r.reweighDiffUncertaintyN).toBeCloseTo(Math.sqrt(8 / 79), 9);
    // lift-off threshold relative to noise: max(20, 5·SD) = 20 here
    expect(r.liftOffThresholdN).toBe(20);
  });

  it("weighingUncertaintyN by hand", () => {
    expect(weighingUncertaintyN(3, 4, 16)).toBe(Math.sqrt(9 + 1));
    expect(weighingUncertaintyN(0, 0, 0)).toBe(0);
  });

  it("noisy pins raise the lift-off threshold to 5 SD", () => {
    const c = rackPull(5000, 5000, 10);
    const r = analyzeRackPull(c.timesMs, c.forceN, {});
    expect(r.liftOffThresholdN).toBeCloseTo(50 * Math.sqrt(80 / 79), 9);
  });
});

describe("rack pull: plates changed", () => {
  it("5 kg more after set-down than before → platesChanged, difference in N and kg", () => {
    const extra = 5 * STANDARD_GRAVITY;
    const c = rackPull(5000, 5000 + extra, 0);
    const r = analyzeRackPull(c.timesMs, c.forceN, {});
    expect(r.reweighDiffN).toBeCloseTo(extra, 9);
    expect(r.reweighDiffKg).toBeCloseTo(5, 9);
    expect(r.platesChanged).toBe(true);
  });

  it("0.5 kg difference is within the default 1 kg tolerance, not within a 0.25 kg one", () => {
    const c = rackPull(5000, 5000 + 0.5 * STANDARD_GRAVITY, 0);
    expect(analyzeRackPull(c.timesMs, c.forceN, {}).platesChanged).toBe(false);
    const tight = analyzeRackPull(c.timesMs, c.forceN, { reweighToleranceN: 0.25 * STANDARD_GRAVITY });
    expect(tight.platesChanged).toBe(true);
    expect(tight.reweighToleranceN).toBeCloseTo(0.25 * STANDARD_GRAVITY, 12);
  });
});

describe("rack pull: failure cases", () => {
  it("a pull that never breaks the bar off the pins: noLiftOff, peak lifter force 4000 N", () => {
    const t = times(480, 12.5);
    const p = t.map((_, i) => {
      if (i < 160) return 5000;
      if (i < 176) return 5000 - (i - 159) * 250; // down to 1000 at i = 175
      if (i < 240) return 1000; // grinding, 0.8 s
      return 5000;
    });
    const r = analyzeRackPull(t, p, {});
    expect(r.found).toBe(true);
    expect(r.noLiftOff).toBe(true);
    expect(r.liftedOff).toBe(false);
    expect(r.liftOffMs).toBe(-1);
    expect(r.peakLifterForceN).toBe(4000);
    expect(r.noSetDown).toBe(true);
    expect(r.noReweigh).toBe(true);
  });

  it("bar still held at the end of the recording: noSetDown, no re-weigh", () => {
    const c = rackPull(5000, 5000, 0);
    const r = analyzeRackPull(c.timesMs.slice(0, 250), c.forceN.slice(0, 250), {});
    expect(r.liftedOff).toBe(true);
    expect(r.noSetDown).toBe(true);
    expect(r.holdMs).toBe(-1);
    expect(r.noReweigh).toBe(true);
  });

  it("set down but never steady again: re-weigh from the steadiest window, flagged", () => {
    const c = rackPull(5000, 5000, 0);
    const p = c.forceN.map((x, i) => (i >= 272 ? 5000 + alternating(i, 60) : x));
    const r = analyzeRackPull(c.timesMs, p, {});
    expect(r.noReweigh).toBe(false);
    expect(r.reweighUnsteady).toBe(true);
    expect(r.reweighN).toBeCloseTo(5000, 6);
  });

  it("no steady rest before the pull: noQuietPeriod", () => {
    const c = rackPull(5000, 5000, 0);
    const p = c.forceN.map((x, i) => (i < 160 ? 5000 + alternating(i, 40) : x));
    const r = analyzeRackPull(c.timesMs, p, {});
    expect(r.noQuietPeriod).toBe(true);
  });

  it("empty pins: nothing to weigh, no pull", () => {
    const t = times(200, 12.5);
    const r = analyzeRackPull(
      t,
      t.map(() => 0),
      {},
    );
    expect(r.found).toBe(false);
    expect(r.noOnset).toBe(true);
    expect(r.weighedLoadN).toBe(-1);
  });

  it("resting bar without a pull is still weighed", () => {
    const t = times(200, 12.5);
    const r = analyzeRackPull(
      t,
      t.map(() => 2000),
      {},
    );
    expect(r.found).toBe(false);
    expect(r.weighedLoadN).toBe(2000);
    expect(r.weighedLoadKg).toBeCloseTo(2000 / STANDARD_GRAVITY, 9);
  });

  it("saturation flags and capacity", () => {
    const c = rackPull(5000, 5000, 0);
    const r = analyzeRackPull(c.timesMs, c.forceN, { saturated: c.forceN.map((_, i) => i === 100), capacityN: 4900 });
    expect(r.saturated).toBe(true);
    expect(r.overCapacity).toBe(true);
  });
});

describe("rack pull: pre-tension before the pull does not change the weighed load", () => {
  it("rest 5000, grip at 4850 for 1.5 s, then pull: weighed 5000, onset at the pull", () => {
    const t = times(640, 12.5);
    const p = t.map((_, i) => {
      if (i < 160) return 5000;
      if (i < 280) return 4850; // lifter takes the slack (150 N < 500 N effort)
      if (i < 312) return 4850 - ((i - 279) * 4850) / 32; // 0 at i = 311
      if (i < 392) return 0;
      return 5000;
    });
    const r = analyzeRackPull(t, p, {});
    expect(r.weighedLoadN).toBe(5000);
    expect(r.onsetMs).toBe(280 * 12.5);
    expect(r.liftOffMs).toBe(311 * 12.5);
    expect(r.forceCurveN[0]).toBeCloseTo(5000 - (4850 - 4850 / 32), 9);
    expect(r.platesChanged).toBe(false);
  });
});

describe("rack pull: left and right pins", () => {
  // each pin 2500 N; right unloads over 28 samples (0 at i = 187), left over 32 (0 at i = 191)
  const t = times(480, 12.5);
  const L = t.map((_, i) => (i < 160 ? 2500 : i < 192 ? 2500 - ((i - 159) * 2500) / 32 : i < 272 ? 0 : 2500));
  const R = t.map((_, i) => (i < 160 ? 2500 : i < 188 ? 2500 - ((i - 159) * 2500) / 28 : i < 272 ? 0 : 2500));
  const P = L.map((x, i) => x + R[i]);
  const r = analyzeRackPull(t, P, { leftN: L, rightN: R, pinCapacityN: 2400 });
  it("rest split 50/50", () => {
    expect(r.hasLeftRight).toBe(true);
    expect(r.restLeftSharePct).toBe(50);
  });
  it("right pin leaves first: 337.5 ms vs 387.5 ms after onset", () => {
    expect(r.rightLiftOffMs).toBe(337.5);
    expect(r.leftLiftOffMs).toBe(387.5);
    expect(r.liftOffMs).toBe(2387.5);
  });
  it("pull asymmetry from the summed per-pin forces: (41250 − 46250)/87500 = −5.714 %", () => {
    expect(r.pullAsymmetryPct).toBeCloseTo((-5000 / 87500) * 100, 9);
  });
  it("per-pin capacity exceeded (2500 > 2400)", () => {
    expect(r.overCapacity).toBe(true);
  });
});

describe("rack pull: the board detector gives the same onset and lift-off", () => {
  it("detectLifts with the same config", () => {
    const c = rackPull(5000, 5000, 3);
    const r = analyzeRackPull(c.timesMs, c.forceN, {});
    const d = detectLifts(c.timesMs, c.forceN, rackPullDetectorConfig(80, {}));
    expect(d.lifts[0].onsetMs).toBe(r.onsetMs);
    expect(d.lifts[0].liftOffMs).toBe(r.liftOffMs);
    expect(d.lifts[0].peakForceN).toBe(r.peakLifterForceN);
  });
});
