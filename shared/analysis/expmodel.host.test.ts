import { describe, it, expect } from "vitest";
import { analyzeIsometricWithModel, fitExpRise, modelForceN, modelRfdNPerS, type ExpFit } from "./expmodel.host.ts";
import { expRise, lcgNoise, times } from "./fixtures.host.ts";

// truth: F = 100 + 2000(1 − e^(−10 (t − 2 s)))
const trueRfd = (ms: number) => (2000 * (1 - Math.exp((-10 * ms) / 1000)) * 1000) / ms;

describe("exponential model: closed forms", () => {
  const fit: ExpFit = {
    ok: true, fBaseN: 100, fMaxN: 2000, kPerS: 10, t0Ms: 2000,
    rmsErrorN: 0, rmsErrorPct: 0, fitWarning: false, samples: 0,
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
