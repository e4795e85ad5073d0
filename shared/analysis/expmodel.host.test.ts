import { describe, it, expect } from "vitest";
import { analyzeIsometricWithModel, fitExpRise, modelForceN, modelRfdNPerS, SIGMOID_MIN_LAG_PERIODS, SIGMOID_SSE_RATIO, type ExpFit } from "./expmodel.host.ts";
import { expRise, lcgNoise, sigmoidRise, times } from "./fixtures.host.ts";

// truth: F = 100 + 2000(1 − e^(−10 (t − 2 s)))
const trueRfd = (ms: number) => (2000 * (1 - Math.exp((-10 * ms) / 1000)) * 1000) / ms;

describe("exponential model: closed forms", () => {
  const fit: ExpFit = {
    ok: true, fBaseN: 100, fMaxN: 2000, kPerS: 10, t0Ms: 2000,
    rmsErrorN: 0, rmsErrorPct: 0, sigmoidSseRatio: -1, sigmoidLagMs: -1, sigmoidShape: false, fitWarning: false, samples: 0,
  };
  it("model force and mean slope by hand", () => {
    expect(modelForceN(fit, 1500)).toBe(100);
    expect(modelForceN(fit, 2100)).toBeCloseTo(100 + 2000 * (1 - Math.exp(-1)), 9);
    // 0–100 ms: 2000(1 − e^(−1))/0.1 = 12642.41 N/s
    expect(modelRfdNPerS(fit, 100)).toBeCloseTo(12642.411176571153, 6);
  });
});

describe("exponential model: fitting", () => {
  it("recovers Fbase, Fmax, k and t0 from an exact curve at 1000 Hz and at 80 SPS", () => {
    for (const dt of [1, 12.5]) {
      const c = expRise(100, 2000, 10, 2000, dt, 4000);
      const on = c.timesMs.findIndex((t) => t > 2000);
      const f = fitExpRise(c.timesMs, c.forceN, on - 8, c.forceN.length - 1, c.timesMs[on], dt);
      expect(f.ok).toBe(true);
      expect(f.fBaseN).toBeCloseTo(100, 3);
      expect(f.fMaxN).toBeCloseTo(2000, 2);
      expect(f.kPerS).toBeCloseTo(10, 4);
      expect(f.t0Ms).toBeCloseTo(2000, 6);
      expect(f.rmsErrorPct).toBeLessThan(0.01);
      // the sigmoid alternative fits an exact exponential far worse
      expect(f.sigmoidSseRatio).toBeGreaterThan(100);
      expect(f.sigmoidShape).toBe(false);
      expect(f.fitWarning).toBe(false);
    }
  });

  it("at 80 SPS raw RFD 0–50 ms is biased low; the model gives the true value", () => {
    const c = expRise(100, 2000, 10, 2000, 12.5, 4000);
    const r = analyzeIsometricWithModel(c.timesMs, c.forceN, {});
    expect(r.rfdUnreliable).toBe(true);
    expect(r.raw.onsetMs).toBe(2012.5); // first sample after the true start
    // raw is more than 10 % low: the onset sample is late and already above baseline
    expect(r.raw.rfd50NPerS).toBeLessThan(0.9 * trueRfd(50));
    expect(r.model).not.toBeNull();
    expect(r.model!.onsetShiftMs).toBeCloseTo(-12.5, 6);
    expect(r.model!.rfd50NPerS).toBeCloseTo(trueRfd(50), 2);
    expect(r.model!.rfd100NPerS).toBeCloseTo(trueRfd(100), 2);
    expect(r.model!.rfd250NPerS).toBeCloseTo(trueRfd(250), 2);
    expect(r.model!.forceAt100MsN).toBeCloseTo(100 + 2000 * (1 - Math.exp(-1)), 2);
    expect(r.model!.peakRfdNPerS).toBeCloseTo(20000, 0); // Fmax·k
    expect(r.model!.timeTo90PctMs).toBeCloseTo((Math.log(10) / 10) * 1000, 3);
    expect(r.modelFitWarning).toBe(false);
  });

  it("with ±10 N noise the fit stays within 1 % and says so", () => {
    const c = expRise(100, 2000, 10, 2000, 12.5, 4000);
    const noise = lcgNoise(c.forceN.length, 10, 3);
    const f = c.forceN.map((x, i) => x + noise[i]);
    const r = analyzeIsometricWithModel(c.timesMs, f, {});
    expect(r.model!.fit.kPerS).toBeGreaterThan(9.5);
    expect(r.model!.fit.kPerS).toBeLessThan(10.5);
    expect(r.model!.fit.rmsErrorPct).toBeGreaterThan(0.1);
    expect(r.model!.fit.rmsErrorPct).toBeLessThan(1);
    expect(r.model!.fit.sigmoidSseRatio).toBeGreaterThan(SIGMOID_SSE_RATIO);
    expect(r.modelFitWarning).toBe(false);
  });

  it("a two-stage pull does not look exponential: fit error > 5 % → warning", () => {
    const t = times(400, 12.5);
    const f = t.map((ms) => (ms < 2000 ? 100 : ms < 2600 ? 1100 : 2100)); // step, 0.6 s hold, step
    const r = analyzeIsometricWithModel(t, f, { minEffortNetN: 500 });
    expect(r.model).not.toBeNull();
    expect(r.model!.fit.rmsErrorPct).toBeGreaterThan(5);
    expect(r.modelFitWarning).toBe(true);
  });

  it("exponential rises from fast to slow at 80 SPS (k 4..30 /s): no warning", () => {
    for (const k of [4, 8, 15, 30]) {
      const c = expRise(100, 2000, k, 2000, 12.5, 5000);
      const r = analyzeIsometricWithModel(c.timesMs, c.forceN, {});
      expect(r.model!.fit.sigmoidShape, `k = ${k}`).toBe(false);
      expect(r.modelFitWarning, `k = ${k}`).toBe(false);
    }
  });

  it("a sigmoid rise (zero slope at t0) at 80 SPS: the RMS error stays < 5 % of Fmax, the shape test warns", () => {
    // F = 100 + 2000(1 − e^(−5 (t − 2 s)))²: inflection ln 2/5 = 138.6 ms after t0 (11 samples),
    // 90 % of the rise at −ln(1 − √0.9)/5 = 594 ms. True RFD 0–100 = 2000(1 − e^(−0.5))²/0.1 = 3096.4 N/s
    const c = sigmoidRise(100, 2000, 5, 2000, 12.5, 5000);
    const trueRfd100 = (2000 * (1 - Math.exp(-0.5)) ** 2) / 0.1;
    expect(trueRfd100).toBeCloseTo(3096.36, 2);
    const r = analyzeIsometricWithModel(c.timesMs, c.forceN, {});
    const f = r.model!.fit;
    // what the old warning looked at: fine
    expect(f.rmsErrorPct).toBeLessThan(5);
    // yet the exponential's early slope is far too high
    expect(r.model!.rfd100NPerS).toBeGreaterThan(1.5 * trueRfd100);
    // the sigmoid alternative fits it (nearly) exactly, with its true lag
    expect(f.sigmoidSseRatio).toBeLessThan(0.01);
    expect(f.sigmoidLagMs).toBeCloseTo((Math.LN2 / 5) * 1000, 0);
    expect(f.sigmoidLagMs).toBeGreaterThanOrEqual(SIGMOID_MIN_LAG_PERIODS * 12.5);
    expect(f.sigmoidShape).toBe(true);
    expect(f.fitWarning).toBe(true);
    expect(r.modelFitWarning).toBe(true);
  });

  it("the same sigmoid with ±10 N noise still warns", () => {
    const c = sigmoidRise(100, 2000, 5, 2000, 12.5, 5000);
    const noise = lcgNoise(c.forceN.length, 10, 7);
    const r = analyzeIsometricWithModel(c.timesMs, c.forceN.map((x, i) => x + noise[i]), {});
    expect(r.model!.fit.sigmoidShape).toBe(true);
    expect(r.modelFitWarning).toBe(true);
  });

  it("limit: a sigmoid whose zero-slope phase is shorter than 6 sample intervals is not flagged", () => {
    // k = 25 /s: inflection 27.7 ms (2.2 samples at 80 SPS), as short as the HX711 filter's own rounding
    const c = sigmoidRise(100, 2000, 25, 2000, 12.5, 4000);
    const r = analyzeIsometricWithModel(c.timesMs, c.forceN, {});
    expect(r.model!.fit.sigmoidLagMs).toBeLessThan(SIGMOID_MIN_LAG_PERIODS * 12.5);
    expect(r.model!.fit.sigmoidShape).toBe(false);
    // ...and at 1 kHz the same rise is resolved: flagged
    const c1k = sigmoidRise(100, 2000, 25, 2000, 1, 4000);
    expect(analyzeIsometricWithModel(c1k.timesMs, c1k.forceN, {}).modelFitWarning).toBe(true);
  });

  it("no effort → no model", () => {
    const t = times(200, 12.5);
    const r = analyzeIsometricWithModel(t, t.map(() => 100), {});
    expect(r.model).toBeNull();
    expect(r.modelFitWarning).toBe(false);
  });

  it("deterministic: the same input gives the same bits", () => {
    const c = expRise(150, 1800, 6, 1990, 12.5, 4000);
    const a = analyzeIsometricWithModel(c.timesMs, c.forceN, {});
    const b = analyzeIsometricWithModel(c.timesMs, c.forceN, {});
    expect(a).toEqual(b);
  });
});
