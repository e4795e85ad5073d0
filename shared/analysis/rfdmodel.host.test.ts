import { describe, expect, it } from "vitest";
import { analyzeIsometricWithModel, chooseRiseModel, HILL_TIE_RATIO, modelRfdNPerS } from "./rfdmodel.host.ts";
import { fitRise, riseForceN, riseSampleN, type RiseFit } from "./risefit.host.ts";
import { expRise, hx711Samples, lcgNoise, times } from "./fixtures.host.ts";

const fit = (over: Partial<RiseFit>): RiseFit => ({
  model: "exponential", ok: true, fBaseN: 100, ampN: 2000, t0Ms: 2000, kPerS: 10, halfTimeMs: -1, hillN: -1,
  rmsErrorN: 0, rmsErrorPct: 0, samples: 0, converterPeriodMs: 0, ...over,
});

// the rises the tests use, as functions of time (ms)
const expF = (k: number) => (t: number) => (t > 2000 ? 100 + 2000 * (1 - Math.exp((-k * (t - 2000)) / 1000)) : 100);
const sigF = (k: number) => (t: number) => (t > 2000 ? 100 + 2000 * (1 - Math.exp((-k * (t - 2000)) / 1000)) ** 2 : 100);
const trueRfd = (F: (t: number) => number, w: number) => ((F(2000 + w) - F(2000)) * 1000) / w;

describe("rise models: closed forms", () => {
  it("exponential and hill force by hand; the hill is at half its amplitude after c", () => {
    const e = fit({});
    expect(riseForceN(e, 1500)).toBe(100);
    expect(riseForceN(e, 2100)).toBeCloseTo(100 + 2000 * (1 - Math.exp(-1)), 9);
    // 0–100 ms: 2000(1 − e^(−1))/0.1 = 12642.41 N/s
    expect(modelRfdNPerS(e, 100)).toBeCloseTo(12642.411176571153, 6);
    const h = fit({ model: "hill", kPerS: -1, halfTimeMs: 150, hillN: 2 });
    expect(riseForceN(h, 2150)).toBeCloseTo(1100, 9);
    // s = 100, c = 150, n = 2: 100²/(100² + 150²) = 4/13
    expect(riseForceN(h, 2100)).toBeCloseTo(100 + (2000 * 4) / 13, 9);
  });

  it("through the converter a sample reads the filtered force: flat before t0 − 1.5·T, symmetric about t0, settled after 1.5·T", () => {
    const e = fit({ kPerS: 1e6, converterPeriodMs: 12.5 }); // a step of 2000 N at t0
    expect(riseSampleN(e, 2000 - 1.5 * 12.5)).toBe(100);
    // the filter's nodes at −1.5..1.5 T weigh 1/96, 1/12, 23/96, 1/3, 23/96, 1/12, 1/96: just after t0 the
    // centre and later nodes see the step (2/3 of it), just before only the later ones (1/3)
    expect(riseSampleN(e, 2000 + 0.01)).toBeCloseTo(100 + (2000 * 2) / 3, 1);
    expect(riseSampleN(e, 2000 - 0.01)).toBeCloseTo(100 + 2000 / 3, 1);
    expect(riseSampleN(e, 2000 + 1.5 * 12.5 + 0.01)).toBeCloseTo(2100, 1);
  });
});

describe("choice rule", () => {
  it("lowest fit error, the hill only when below HILL_TIE_RATIO × the exponential's; failed fits never chosen", () => {
    const e = fit({ rmsErrorPct: 1 });
    const hill = (pct: number) => fit({ model: "hill", rmsErrorPct: pct });
    expect(chooseRiseModel([e, hill(0.99 * HILL_TIE_RATIO)])!.model).toBe("hill");
    expect(chooseRiseModel([e, hill(1.01 * HILL_TIE_RATIO)])!.model).toBe("exponential");
    expect(chooseRiseModel([e, hill(2)])!.model).toBe("exponential");
    expect(chooseRiseModel([fit({ ok: false }), hill(3)])!.model).toBe("hill");
    expect(chooseRiseModel([fit({ ok: false }), fit({ model: "hill", ok: false })])).toBeNull();
  });
});

describe("fitting", () => {
  it("too few samples: no fit", () => {
    const t = times(4, 12.5);
    expect(fitRise("exponential", t, [1, 2, 3, 4], 0, 3, 12.5, 12.5).ok).toBe(false);
    expect(fitRise("hill", t, [1, 2, 3, 4], 0, 3, 12.5, 12.5).ok).toBe(false);
  });

  it("an exact exponential at 1 kHz: the exponential is chosen with its parameters, windows from its t0", () => {
    const c = expRise(100, 2000, 10, 2000, 1, 4000);
    const r = analyzeIsometricWithModel(c.timesMs, c.forceN, {});
    const m = r.model!;
    expect(m.model).toBe("exponential");
    expect(m.fit.kPerS).toBeCloseTo(10, 2);
    expect(m.fit.t0Ms).toBeCloseTo(2000, 1);
    expect(m.fitErrorPct).toBeLessThan(0.05);
    expect(m.fit.converterPeriodMs).toBe(0); // 1 kHz: not an HX711
    expect(m.rfd100NPerS).toBeCloseTo(trueRfd(expF(10), 100), -1);
    expect(m.timeTo90PctMs).toBeCloseTo((Math.log(10) / 10) * 1000, 0);
    expect(m.peakRfdNPerS).toBeCloseTo(20000, -2); // A·k
    expect(r.modelFitWarning).toBe(false);
  });

  it("80 SPS through the HX711's filter: exponential rises (k 4..10 /s) stay exponential, RFD 0–100 within 1 %", () => {
    for (const k of [4, 10]) {
      const c = hx711Samples(expF(k), 12.5, 5000);
      const r = analyzeIsometricWithModel(c.timesMs, c.forceN, {});
      const m = r.model!;
      expect(m.model, `k = ${k}`).toBe("exponential");
      expect(Math.abs(m.rfd100NPerS / trueRfd(expF(k), 100) - 1), `k = ${k}`).toBeLessThan(0.01);
      expect(r.modelFitWarning).toBe(false);
      // the raw value, from the late threshold crossing, is further off
      expect(Math.abs(r.raw.rfd100NPerS / trueRfd(expF(k), 100) - 1)).toBeGreaterThan(Math.abs(m.rfd100NPerS / trueRfd(expF(k), 100) - 1));
    }
  });

  it("limit: a fast exponential (k 30 /s, 90 % in 6 samples) through the filter fits the hill about as well; either way RFD 0–100 within 3 %", () => {
    const c = hx711Samples(expF(30), 12.5, 5000);
    const r = analyzeIsometricWithModel(c.timesMs, c.forceN, {});
    expect(Math.abs(r.model!.rfd100NPerS / trueRfd(expF(30), 100) - 1)).toBeLessThan(0.03);
  });

  it("a sigmoid rise (zero slope at t0) at 80 SPS: the hill is chosen, its RFD 0–100 within 5 % where the exponential's is 40 % high", () => {
    // F = 100 + 2000(1 − e^(−5 (t − 2 s)))²: true RFD 0–100 = 2000(1 − e^(−0.5))²/0.1 = 3096.4 N/s
    expect(trueRfd(sigF(5), 100)).toBeCloseTo(3096.36, 1);
    const c = hx711Samples(sigF(5), 12.5, 5000);
    const r = analyzeIsometricWithModel(c.timesMs, c.forceN, {});
    const m = r.model!;
    expect(m.model).toBe("hill");
    const exp = m.fits.find((f) => f.model === "exponential")!;
    expect(m.fitErrorPct).toBeLessThan(HILL_TIE_RATIO * exp.rmsErrorPct);
    expect(Math.abs(m.rfd100NPerS / trueRfd(sigF(5), 100) - 1)).toBeLessThan(0.05);
    expect(modelRfdNPerS(exp, 100)).toBeGreaterThan(1.3 * trueRfd(sigF(5), 100));
    expect(m.windows.every((w) => !w.modelRejected)).toBe(true);
  });

  it("the same sigmoid with ±10 N noise: still the hill, RFD 0–100 within 10 %", () => {
    const c = hx711Samples(sigF(5), 12.5, 5000);
    const noise = lcgNoise(c.forceN.length, 10, 7);
    const r = analyzeIsometricWithModel(c.timesMs, c.forceN.map((x, i) => x + noise[i]), {});
    expect(r.model!.model).toBe("hill");
    expect(Math.abs(r.model!.rfd100NPerS / trueRfd(sigF(5), 100) - 1)).toBeLessThan(0.1);
  });
});

describe("never a model value that explains the samples worse than the raw value", () => {
  it("a straight ramp at 1 kHz: neither model has its corner, the raw chord is exact → raw presented, flagged", () => {
    // 100 N, then +10 N/ms for 200 ms, then 2100 N: RFD over every window up to 200 ms is 10 000 N/s
    const t = times(5000, 1);
    const f = t.map((ms) => (ms <= 2000 ? 100 : ms < 2200 ? 100 + 10 * (ms - 2000) : 2100));
    const r = analyzeIsometricWithModel(t, f, {});
    const m = r.model!;
    const w100 = m.windows[1];
    expect(w100.windowMs).toBe(100);
    expect(w100.rawRmsN).toBeLessThan(w100.modelRmsN);
    expect(w100.modelRejected).toBe(true);
    expect(m.rfd100NPerS).toBe(r.raw.rfd100NPerS);
    expect(m.forceAt100MsN).toBe(r.raw.forceAt100MsN);
    expect(m.rejectedWindows).toBeGreaterThan(0);
    expect(Math.abs(m.rfd100NPerS - 10000)).toBeLessThan(200);
  });

  it("a two-stage pull: fit error above 5 % → warning", () => {
    const t = times(400, 12.5);
    const f = t.map((ms) => (ms < 2000 ? 100 : ms < 2600 ? 1100 : 2100)); // step, 0.6 s hold, step
    const r = analyzeIsometricWithModel(t, f, { minEffortNetN: 500 });
    expect(r.model).not.toBeNull();
    expect(r.model!.fitErrorPct).toBeGreaterThan(5);
    expect(r.modelFitWarning).toBe(true);
  });
});

describe("edges", () => {
  it("no effort → no model", () => {
    const t = times(200, 12.5);
    const r = analyzeIsometricWithModel(t, t.map(() => 100), {});
    expect(r.model).toBeNull();
    expect(r.modelFitWarning).toBe(false);
  });

  it("deterministic: the same input gives the same bits", () => {
    const c = hx711Samples(sigF(6), 12.5, 4000);
    const a = analyzeIsometricWithModel(c.timesMs, c.forceN, {});
    const b = analyzeIsometricWithModel(c.timesMs, c.forceN, {});
    expect(a).toEqual(b);
  });
});
