import { describe, it, expect } from "vitest";
import { analyzeIsometric, isometricDetectorConfig, negateSeries } from "./isometric.ts";
import { detectorCreate, detectorFinish, detectorStep, EV_ISO_DONE, EV_FLUSHED } from "./detector.ts";
import { alternating, expRise, isoRamp, lcgNoise, times } from "./fixtures.host.ts";

describe("isometric: hand-checked ramp at 100 Hz (see fixtures isoRamp)", () => {
  const c = isoRamp();
  const r = analyzeIsometric(c.timesMs, c.forceN, {});

  it("quiet period: mean 200, SD of ±1 over 100 samples = sqrt(100/99), threshold 5 SD", () => {
    expect(r.found).toBe(true);
    expect(r.sampleRateHz).toBe(100);
    expect(r.baselineN).toBeCloseTo(200, 9);
    expect(r.baselineSdN).toBeCloseTo(Math.sqrt(100 / 99), 9);
    expect(r.onsetThresholdN).toBeCloseTo(5 * Math.sqrt(100 / 99), 9);
    expect(r.quietEndMs - r.quietStartMs).toBe(990); // 100 samples
    expect(r.quietEndMs).toBeLessThan(2000);
    expect(r.noQuietPeriod).toBe(false);
  });

  it("onset is the first ramp sample (300 N, 100 N above baseline)", () => {
    expect(r.onsetIndex).toBe(200);
    expect(r.onsetMs).toBe(2000);
    expect(r.onsetResolutionMs).toBe(10);
  });

  it("peak 2200 gross / 2000 net, reached at 2190 ms: time to peak 190 ± 10 ms", () => {
    expect(r.peakForceN).toBe(2200);
    expect(r.peakNetForceN).toBeCloseTo(2000, 9);
    expect(r.peakMs).toBe(2190);
    expect(r.timeToPeakMs).toBe(190);
    expect(r.timeToPeakResolutionMs).toBe(10);
  });

  it("within 1 % of peak from 190 ms to the end of the plateau (2190 ms after onset)", () => {
    expect(r.nearPeakFirstMs).toBe(190);
    expect(r.nearPeakLastMs).toBe(2190);
    expect(r.nearPeakSpanMs).toBe(2000);
  });

  it("time to 90 % of net peak: 2000 N (net 1800) is reached exactly at 2170 ms → 170 ms", () => {
    expect(r.timeTo90PctMs).toBeCloseTo(170, 9);
  });

  it("force at 50..250 ms after onset", () => {
    expect(r.windowsAvailable).toBe(5);
    expect(r.forceAt50MsN).toBe(800);
    expect(r.forceAt100MsN).toBe(1300);
    expect(r.forceAt150MsN).toBe(1800);
    expect(r.forceAt200MsN).toBe(2200);
    expect(r.forceAt250MsN).toBe(2200);
    expect(r.netForceAt50MsN).toBeCloseTo(600, 9);
    expect(r.netForceAt250MsN).toBeCloseTo(2000, 9);
  });

  it("RFD over 0–X ms = (F(X) − F(onset)) / X", () => {
    expect(r.rfd50NPerS).toBeCloseTo(10000, 9); // (800 − 300)/0.05
    expect(r.rfd100NPerS).toBeCloseTo(10000, 9);
    expect(r.rfd150NPerS).toBeCloseTo(10000, 9);
    expect(r.rfd200NPerS).toBeCloseTo(9500, 9); // (2200 − 300)/0.2
    expect(r.rfd250NPerS).toBeCloseTo(7600, 9); // (2200 − 300)/0.25
  });

  it("impulse net of baseline, trapezoid", () => {
    expect(r.impulse50NS).toBeCloseTo(17.5, 9); // net 100..600, mean 350, 0.05 s
    expect(r.impulse100NS).toBeCloseTo(60, 9); // net 100..1100, mean 600, 0.1 s
    expect(r.impulse200NS).toBeCloseTo(219.5, 9); // 1050·0.19 + 2000·0.01
    expect(r.impulse250NS).toBeCloseTo(319.5, 9); // + 2000·0.05
  });

  it("peak RFD over sliding 100 / 200 ms windows", () => {
    expect(r.peakRfd100NPerS).toBeCloseTo(10000, 9);
    expect(r.peakRfd100StartMs).toBe(0);
    expect(r.peakRfd200NPerS).toBeCloseTo(9500, 9);
    expect(r.peakRfd200StartMs).toBe(0);
  });

  it("flags: RFD at 100 Hz is unreliable; nothing else", () => {
    expect(r.rfdUnreliable).toBe(true);
    expect(r.noPretension).toBe(false);
    expect(r.shockLoad).toBe(false); // net at 50 ms 600 < 0.5·2000
    expect(r.saturated).toBe(false);
    expect(r.overCapacity).toBe(false);
    expect(r.endMs).toBe(4200); // released: first sample below 10 % of net peak
  });

  it("results are JSON-clean (no undefined, NaN or Infinity)", () => {
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});

describe("isometric: step (shock load, no pre-tension)", () => {
  const t = times(400, 10);
  const f = t.map((_, i) => (i < 200 ? 0 : 2000));
  const r = analyzeIsometric(t, f, {});
  it("onset and peak on the same sample; time to peak 0; RFD from onset 0", () => {
    expect(r.onsetMs).toBe(2000);
    expect(r.peakMs).toBe(2000);
    expect(r.timeToPeakMs).toBe(0);
    expect(r.rfd100NPerS).toBe(0);
    expect(r.impulse100NS).toBeCloseTo(200, 9); // 2000 N · 0.1 s
  });
  it("flags shockLoad and noPretension", () => {
    expect(r.shockLoad).toBe(true);
    expect(r.noPretension).toBe(true);
  });
});

describe("isometric: exponential rise at 1000 Hz, F = 100 + 2000(1 − e^(−10 (t − 2 s)))", () => {
  const c = expRise(100, 2000, 10, 2000, 1, 5000);
  const F = (ms: number) => 100 + 2000 * (1 - Math.exp(-10 * ((ms - 2000) / 1000)));
  const r = analyzeIsometric(c.timesMs, c.forceN, {});
  it("flat baseline → 1 N floor; first sample above 101 N is t = 2001 ms", () => {
    expect(r.baselineSdN).toBe(0);
    expect(r.onsetThresholdN).toBe(1);
    expect(r.onsetMs).toBe(2001);
    expect(r.rfdUnreliable).toBe(false);
  });
  it("force and RFD at fixed times equal the formula (samples fall on whole ms)", () => {
    expect(r.forceAt100MsN).toBeCloseTo(F(2101), 9);
    expect(r.rfd100NPerS).toBeCloseTo((F(2101) - F(2001)) / 0.1, 6);
    expect(r.rfd250NPerS).toBeCloseTo((F(2251) - F(2001)) / 0.25, 6);
    // sliding 100 ms: steepest at the start (concave curve)
    expect(r.peakRfd100StartMs).toBe(0);
    expect(r.peakRfd100NPerS).toBeCloseTo(r.rfd100NPerS, 9);
  });
  it("impulse 0–100 ms ≈ ∫ 2000(1 − e^(−10 s)) ds from 0.001 to 0.101 s", () => {
    const exact = (s: number) => 2000 * (s + Math.exp(-10 * s) / 10);
    expect(r.impulse100NS).toBeCloseTo(exact(0.101) - exact(0.001), 2);
  });
  it("time to peak is fragile on an asymptote; time to 90 % is not", () => {
    // peak creeps up until the curve flattens in floating point, seconds later
    expect(r.timeToPeakMs).toBeGreaterThan(2000);
    // 90 % of net peak (≈ 2000): e^(−10 s) = 0.1 → s = ln 10 / 10 = 230.26 ms from 2000 ms
    expect(r.timeTo90PctMs).toBeCloseTo(2000 + (Math.log(10) / 10) * 1000 - 2001, 1);
    // within 1 % of peak (2100 · 0.99 = 2079): e^(−10 s) ≤ 21/2000 → s ≥ 455.6 ms → t = 2456
    expect(r.nearPeakFirstMs).toBe(2456 - 2001);
  });
});

describe("isometric: plateau noise decides time to peak; the companions do not", () => {
  function pull(plateauMaxAt: "start" | "end") {
    const t = times(500, 10);
    const f = t.map((_, i) => {
      if (i < 150) return 300 + alternating(i, 2);
      if (i < 170) return 300 + (i - 149) * 95; // 395 .. 2200
      if (i < 450) {
        const wobble = alternating(i, 3);
        if (plateauMaxAt === "start" && i === 175) return 2210;
        if (plateauMaxAt === "end" && i === 445) return 2210;
        return 2200 + wobble;
      }
      return 0;
    });
    return analyzeIsometric(t, f, {});
  }
  const a = pull("start");
  const b = pull("end");
  it("time to peak jumps by 2.7 s between two honest recordings", () => {
    expect(a.timeToPeakMs).toBe(250);
    expect(b.timeToPeakMs).toBe(2950);
  });
  it("time to 90 % and the within-1 % span agree", () => {
    expect(a.timeTo90PctMs).toBeCloseTo(b.timeTo90PctMs, 9);
    expect(a.nearPeakFirstMs).toBe(b.nearPeakFirstMs);
    expect(a.nearPeakSpanMs).toBeGreaterThan(2500);
  });
});

describe("isometric: quiet period failures", () => {
  it("no steady window (SD 40 N > 25 N): flagged, onset still found from the steadiest one", () => {
    const t = times(400, 10);
    const f = t.map((_, i) => (i < 200 ? 500 + alternating(i, 40) : 3000));
    const r = analyzeIsometric(t, f, {});
    expect(r.noQuietPeriod).toBe(true);
    expect(r.found).toBe(true);
    expect(r.onsetMs).toBe(2000);
    expect(r.onsetThresholdN).toBeCloseTo(5 * 40 * Math.sqrt(100 / 99), 9);
  });

  it("record starting mid-effort: no onset, raw peak still reported", () => {
    const t = times(300, 10);
    const f = t.map((_, i) => (i < 50 ? 200 : 2500 - i));
    const r = analyzeIsometric(t, f, {});
    expect(r.found).toBe(false);
    expect(r.noOnset).toBe(true);
    expect(r.onsetMs).toBe(-1);
    expect(r.timeToPeakMs).toBe(-1);
    expect(r.peakForceN).toBe(2450);
    expect(r.windowsAvailable).toBe(0);
  });

  it("all noise, no effort: noQuietPeriod and noOnset", () => {
    const t = times(300, 10);
    const f = t.map((_, i) => 200 + alternating(i, 50));
    const r = analyzeIsometric(t, f, {});
    expect(r.noOnset).toBe(true);
    expect(r.noQuietPeriod).toBe(true);
  });
});

describe("isometric: options and flags", () => {
  it("fixed ±20 N threshold moves the onset later on a 5 N/sample ramp", () => {
    const t = times(500, 10);
    const f = t.map((_, i) => (i < 200 ? 200 : Math.min(200 + (i - 199) * 5, 1500)));
    expect(analyzeIsometric(t, f, {}).onsetMs).toBe(2000); // 205 − 200 > 1 N floor
    const r = analyzeIsometric(t, f, { fixedThresholdN: 20 });
    expect(r.onsetThresholdN).toBe(20);
    expect(r.onsetMs).toBe(2040); // i = 203: 220 N is not > 20 N above 200; i = 204: 225 N is
  });

  it("pre-tension taken after an empty-pin period becomes the baseline", () => {
    const t = times(700, 10);
    const f = t.map((_, i) => {
      if (i < 150) return 0; // nothing on the pins
      if (i < 170) return (i - 149) * 7.5; // take the slack: 7.5 .. 150
      if (i < 320) return 150; // steady pre-tension, 1.5 s
      if (i < 340) return 150 + (i - 319) * 100; // effort
      if (i < 600) return 2150;
      return 0;
    });
    const r = analyzeIsometric(t, f, {});
    expect(r.onsetMs).toBe(3200);
    expect(r.baselineN).toBe(150);
    expect(r.noPretension).toBe(false);
    expect(r.peakNetForceN).toBe(2000);
  });

  it("saturated and overCapacity from per-sample flags and capacities", () => {
    const c = isoRamp();
    const sat = c.forceN.map((_, i) => i === 300);
    const r = analyzeIsometric(c.timesMs, c.forceN, { saturated: sat, capacityN: 2100 });
    expect(r.saturated).toBe(true);
    expect(r.overCapacity).toBe(true);
    const ok = analyzeIsometric(c.timesMs, c.forceN, { saturated: c.forceN.map(() => false), capacityN: 5000 });
    expect(ok.saturated).toBe(false);
    expect(ok.overCapacity).toBe(false);
  });

  it("left/right asymmetry of net forces: 60/40 split → +20 % at peak and on average", () => {
    const c = isoRamp();
    const L = c.forceN.map((x) => 0.6 * x);
    const R = c.forceN.map((x) => 0.4 * x);
    const r = analyzeIsometric(c.timesMs, c.forceN, { leftN: L, rightN: R, pinCapacityN: 1000 });
    expect(r.hasLeftRight).toBe(true);
    expect(r.asymmetryAtPeakPct).toBeCloseTo(20, 9);
    expect(r.asymmetryMeanPct).toBeCloseTo(20, 9);
    expect(r.overCapacity).toBe(true); // left pin reaches 1320 N
  });

  it("record ending 120 ms after onset: only the 50 and 100 ms windows exist", () => {
    const c = isoRamp();
    const r = analyzeIsometric(c.timesMs.slice(0, 213), c.forceN.slice(0, 213), {});
    expect(r.found).toBe(true);
    expect(r.windowsAvailable).toBe(2);
    expect(r.rfd100NPerS).toBeCloseTo(10000, 9);
    expect(r.rfd150NPerS).toBe(-1);
    expect(r.impulse250NS).toBe(-1);
  });

  it("RFD is reliable only from 1000 Hz (configurable)", () => {
    const c = expRise(100, 2000, 10, 2000, 1, 4000);
    expect(analyzeIsometric(c.timesMs, c.forceN, {}).rfdUnreliable).toBe(false);
    const s = expRise(100, 2000, 10, 2000, 12.5, 4000);
    expect(analyzeIsometric(s.timesMs, s.forceN, {}).rfdUnreliable).toBe(true);
    expect(analyzeIsometric(s.timesMs, s.forceN, { rfdMinRateHz: 50 }).rfdUnreliable).toBe(false);
  });

  it("time resolution is one sample interval, or the largest gap in the lift", () => {
    const c = isoRamp();
    const t = c.timesMs.slice();
    for (let i = 210; i < t.length; i++) t[i] += 30; // a 40 ms gap during the rise
    const r = analyzeIsometric(t, c.forceN, {});
    expect(r.samplePeriodMs).toBe(10);
    expect(r.timeToPeakResolutionMs).toBe(40);
  });
});

describe("isometric: the board detector gives the same four numbers", () => {
  it("streaming detectorStep over −force equals the batch analysis (80 SPS, noisy)", () => {
    const t = times(480, 12.5);
    const noise = lcgNoise(480, 4, 7);
    const f = t.map((ms, i) => {
      const s = (ms - 2000) / 1000;
      const pull = s > 0 && ms < 5000 ? 2500 * (1 - Math.exp(-7 * s)) : 0;
      return 180 + pull + noise[i];
    });
    const r = analyzeIsometric(t, f, {});
    const st = detectorCreate(isometricDetectorConfig(r.sampleRateHz, {}));
    const pin = negateSeries(f);
    let done = -1;
    for (let i = 0; i < t.length && done < 0; i++) {
      if (detectorStep(st, t[i], pin[i]) === EV_ISO_DONE) done = i;
    }
    if (done < 0) expect(detectorFinish(st)).toBe(EV_FLUSHED);
    expect(r.found).toBe(true);
    expect(st.summary.onsetMs).toBe(r.onsetMs);
    expect(st.summary.peakForceN).toBe(r.peakForceN);
    expect(st.summary.peakMs).toBe(r.peakMs);
    expect(st.summary.timeToPeakMs).toBe(r.timeToPeakMs);
  });
});
