import { describe, expect, it } from "vitest";
import { buildCurve } from "./curves.ts";
import { curveCsv, parseCurveCsv } from "./csv.ts";
import { isoForceModel, tauMs, x90 } from "./model.ts";
import { curveSet, isometricSet, rackPullSet, realShapeSet, REAL_SHAPES } from "./sets.ts";
import { G, shapeName, type CurveSpec, type IsometricTruth, type RackPullTruth } from "./spec.ts";
import { decodeLines } from "./decode.ts";
import { errorTable, evaluate, quantile, summarize } from "./evaluate.ts";
import { countsPerN, VALIDATION_CELL } from "./cell.ts";
import { standInWire } from "./standin.ts";
import { decodeWire, runSuite, standInSource } from "./suite.ts";
import { encodeSample, sealLine } from "../../shared/protocol/frame.ts";

const iso = (over: Partial<CurveSpec>): CurveSpec => ({
  id: "t",
  kind: "isometric",
  riseTo90Ms: 230.2585093, // τ = 100 ms for n = 1
  shape: 1,
  peakN: 2196.133,
  barKg: 20,
  pretensionN: 200,
  asymmetryPct: 10,
  noiseN: 0,
  fatigueS: 1e9, // no fatigue: the peak is the plateau
  seed: 1,
  ...over,
});

describe("curves: ground truth by hand", () => {
  it("x90 and τ: (1 − e^(−x))^n = 0.9", () => {
    expect(x90(1)).toBeCloseTo(Math.log(10), 12);
    expect(Math.pow(1 - Math.exp(-x90(2)), 2)).toBeCloseTo(0.9, 12);
    expect(tauMs(iso({}))).toBeCloseTo(100, 6);
  });

  it("exponential isometric without fatigue: F(t0 + 100) = base + A(1 − e^−1), RFD and impulse in closed form", () => {
    const spec = iso({});
    const c = buildCurve(spec);
    const t = c.truth as IsometricTruth;
    const W = 20 * G; // 196.133 N
    expect(t.barN).toBeCloseTo(W, 9);
    expect(t.baselineN).toBeCloseTo(W + 200, 9);
    const A = spec.peakN - t.baselineN; // 1800 N (the plateau is reached only asymptotically: amp is scaled to it)
    expect(A).toBeCloseTo(1800, 3);
    expect(t.onsetMs).toBe(2000);
    // with τf = 1e9 s the maximum sits at the end of the search range; the values at fixed times are exact
    expect(t.forceAtN[1]).toBeCloseTo(t.baselineN + A * (1 - Math.exp(-1)), 2); // 396.133 + 1137.83
    expect(t.rfdNPerS[1]).toBeCloseTo((A * (1 - Math.exp(-1))) / 0.1, 0); // 11 378.3 N/s
    // ∫0^0.1 A(1 − e^(−s/0.1)) ds = A(0.1 − 0.1(1 − e^−1)) = 0.1·A·e^−1 = 66.218 N·s
    expect(t.impulseNS[1]).toBeCloseTo(0.1 * A * Math.exp(-1), 3);
    expect(t.timeTo90PctMs).toBeCloseTo(230.26, 0);
    expect(t.asymmetryPct).toBe(10);
    // the pins carry −(F − W), split 55 / 45
    const i = 2100;
    const net = isoForceModel(spec)(i) - W;
    expect(c.leftN[i]).toBeCloseTo(-0.55 * net, 1);
    expect(c.rightN[i]).toBeCloseTo(-0.45 * net, 1);
    expect(c.leftN[0] + c.rightN[0]).toBeCloseTo(-200, 1);
  });

  it("with fatigue the peak is a true maximum: time to peak solves R'/R = 1/τf", () => {
    // n = 1: d/ds[(1 − e^(−s/τ)) e^(−s/τf)] = 0  ⇒  e^(−s/τ)(1/τ + 1/τf) = 1/τf  ⇒  s = τ·ln(1 + τf/τ)
    const spec = iso({ fatigueS: 10 });
    const t = buildCurve(spec).truth as IsometricTruth;
    expect(t.timeToPeakMs).toBeCloseTo(100 * Math.log(1 + 10000 / 100), 1); // 461.5 ms
    expect(t.peakN).toBeCloseTo(spec.peakN, 6);
    const F = isoForceModel(spec);
    expect(F(t.peakMs)).toBeCloseTo(spec.peakN, 6);
    expect(F(t.peakMs + 20)).toBeLessThan(spec.peakN);
    expect(F(t.peakMs - 20)).toBeLessThan(spec.peakN);
  });

  it("rack pull: pins carry W − L, lift-off where L = W, the left pin unloads first with asymmetry", () => {
    const spec: CurveSpec = {
      id: "rp",
      kind: "rackpull",
      riseTo90Ms: 230.2585093,
      shape: 1,
      peakN: 400 * G * 1.2,
      barKg: 400,
      pretensionN: 0,
      asymmetryPct: 10,
      noiseN: 0,
      fatigueS: 30,
      seed: 2,
    };
    const c = buildCurve(spec);
    const t = c.truth as RackPullTruth;
    const W = 400 * G;
    // L(s) = 1.2W(1 − e^(−s/100 ms)) = W  ⇒  s = 100·ln 6 = 179.18 ms
    expect(t.timeToLiftOffMs).toBeCloseTo(100 * Math.log(6), 6);
    // left pin: L·0.55 = W/2 ⇒ L = W/1.1 ⇒ 1 − e^(−s/100) = 1/1.32 ⇒ s = 100·ln(1.32/0.32)
    expect(t.leftLiftOffMs).toBeCloseTo(100 * Math.log(1.32 / 0.32), 6);
    expect(c.leftN[0] + c.rightN[0]).toBeCloseTo(W, 6);
    const k = Math.floor(t.liftOffMs);
    expect(c.leftN[k] + c.rightN[k]).toBeGreaterThan(0);
    expect(c.leftN[k + 1] + c.rightN[k + 1]).toBe(0);
    expect(c.leftN[Math.ceil(t.setDownMs + 200)] + c.rightN[Math.ceil(t.setDownMs + 200)]).toBeCloseTo(W, 6);
    expect(t.breakawayRateNPerS).toBeCloseTo((W * 1000) / t.timeToLiftOffMs, 6);
  });

  it("the sets cover every level of each factor, deterministically", () => {
    const a = isometricSet(40);
    expect(new Set(a.map((s) => s.riseTo90Ms)).size).toBe(5);
    expect(new Set(a.map((s) => s.peakN))).toEqual(new Set([1500, 2500, 3500, 5000]));
    expect(new Set(a.map((s) => s.pretensionN > 0)).size).toBe(2);
    expect(new Set(a.map((s) => s.shape)).size).toBe(2);
    expect(new Set(a.map((s) => s.asymmetryPct))).toEqual(new Set([0, 5, 12, 20]));
    expect(isometricSet(40)).toEqual(a);
    const r = rackPullSet(15);
    expect(new Set(r.map((s) => s.pretensionN > 0)).size).toBe(2);
    const c1 = buildCurve(a[3]);
    const c2 = buildCurve(a[3]);
    expect(c1.leftN).toEqual(c2.leftN);
  });
});

describe("CSV", () => {
  it("round-trips and is the emulator's CSV replay format (time s, force per pin N, header)", async () => {
    const c = buildCurve(iso({ noiseN: 3 }));
    const text = curveCsv(c);
    expect(text.split("\n")[0]).toBe("time_s,left_n,right_n");
    const back = parseCurveCsv(text);
    expect(back.timesMs.length).toBe(c.timesMs.length);
    expect(back.timesMs[1234]).toBe(1234);
    expect(back.leftN[2100]).toBeCloseTo(c.leftN[2100], 2);
    // the emulator physics reads the same text (Node build of the module)
    let physics: { scenarioFromCsv?: (t: string, ch?: number) => { forceN: (ch: number, t: number) => number; channels: number } } = {};
    try {
      physics = await import("../../host/emulator/board/physics/scenarios.ts");
    } catch {
      return; // physics not present in this checkout
    }
    if (physics.scenarioFromCsv === undefined) return;
    const sc = physics.scenarioFromCsv(text, 2);
    expect(sc.channels).toBe(2);
    expect(sc.forceN(0, 2.1)).toBeCloseTo(c.leftN[2100], 2);
    expect(sc.forceN(1, 2.1005)).toBeCloseTo((c.rightN[2100] + c.rightN[2101]) / 2, 2);
  });
});

describe("stand-in HX711 pipeline", () => {
  const step = (atMs: number, n = 3000) => {
    const spec = iso({});
    const c = buildCurve(spec);
    const t: number[] = [];
    const l: number[] = [];
    for (let i = 0; i < n; i++) {
      t.push(i);
      l.push(i < atMs ? 0 : 1000);
    }
    return { ...c, timesMs: t, leftN: l, rightN: l.map(() => 0) };
  };

  it("a step settles in 4 output periods and crosses 50 % one group delay (2T) after it happened", () => {
    for (const rate of [80, 10]) {
      const T = 1000 / rate;
      const w = standInWire(step(1500), { rateSps: rate, seed: 5, noiseV: 0 });
      const s = decodeWire(w);
      expect(s.badLines).toBe(0);
      expect(s.lostFrames).toBe(0);
      // time base is conversion end − 2T: the 50 % point of the step response lands at the step
      let cross = -1;
      for (let i = 1; i < s.timesMs.length; i++) {
        if (s.leftN[i - 1] < 500 && s.leftN[i] >= 500) {
          cross = s.timesMs[i - 1] + ((500 - s.leftN[i - 1]) / (s.leftN[i] - s.leftN[i - 1])) * T;
          break;
        }
      }
      // the 1 kHz record is piecewise linear: its step is a ramp from 1499 to 1500 ms, 50 % at 1499.5
      expect(Math.abs(cross - 1499.5)).toBeLessThan(0.01);
      // settled (within the wire's 0.1 N) from 4 periods after the step's first effect
      for (let i = 0; i < s.timesMs.length; i++) {
        const convEnd = s.timesMs[i] + 2 * T;
        if (convEnd >= 1500 + 4 * T) expect(Math.abs(s.leftN[i] - 1000)).toBeLessThan(0.1);
        if (convEnd <= 1500) expect(Math.abs(s.leftN[i])).toBeLessThan(0.1);
      }
    }
  });

  it("frames use the nominal cell sensitivity (876 counts/N for the 500 kg, 2 mV/V cell)", () => {
    expect(countsPerN(VALIDATION_CELL)).toBeCloseTo((0.002 * 256 * 8388608) / 4903.3, 6);
    const w = standInWire(step(100, 400), { rateSps: 80, seed: 1, noiseV: 0 });
    const s = decodeWire(w);
    const last = s.rawLeft[s.rawLeft.length - 1];
    expect(last).toBe(Math.round(1000 * countsPerN(VALIDATION_CELL)));
    expect(s.forceSource).toBe("frame");
  });
});

describe("host decode", () => {
  it("counts lost frames from sequence gaps, refuses bad checksums, skips other records, unwraps seq", () => {
    const lines = [
      encodeSample(262142, [10, 20], [0, 0], [1, 2]),
      encodeSample(262143, [11, 21], [0, 0], [1.5, 2.5]),
      sealLine("H,up=1"),
      encodeSample(1, [12, 22], [0, 0], [NaN, NaN]), // seq wrapped; 0 lost; uncalibrated
      `${encodeSample(2, [13, 23], [0, 0], [3, 4]).slice(0, -1)}0`,
    ];
    const s = decodeLines(lines, { periodMs: 12.5, firstMs: 100, uncalibrated: { zeroCounts: [10, 20], countsPerN: [2, 2] } });
    expect(s.frames).toBe(3);
    expect(s.timesMs).toEqual([100, 112.5, 137.5]);
    expect(s.lostFrames).toBe(1);
    expect(s.otherLines).toBe(1);
    expect(s.badLines).toBe(1);
    expect(s.leftN).toEqual([1, 1.5, 1]);
    expect(s.rightN).toEqual([2, 2.5, 1]);
    expect(s.forceSource).toBe("mixed");
  });
});

describe("evaluation", () => {
  it("quantiles and summaries by hand", () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([0, 10], 0.95)).toBeCloseTo(9.5, 12);
    const rows = [-3, 1, 2].map((x, i) => ({
      id: `${i}`, kind: "isometric" as const, rateSps: 80, pipeline: "x", found: true,
      tags: { shape: 1, pretension: true, riseTo90Ms: 1, noiseN: 1 }, e: { a: x },
    }));
    const s = summarize(rows, "a");
    expect(s).toEqual({ n: 3, medianAbs: 2, p95Abs: 2.9, maxAbs: 3, bias: 0 });
  });

  it("the analysis on the noiseless 1 kHz curve reproduces the truth (the method's own floor)", () => {
    const c = buildCurve(iso({ fatigueS: 10 }));
    const r = evaluate(c, c, 1000, "ref");
    expect(r.found).toBe(true);
    expect(Math.abs(r.e.peak_pct)).toBeLessThan(0.001);
    expect(Math.abs(r.e.onset_ms)).toBeLessThanOrEqual(1);
    expect(Math.abs(r.e.ttp_ms)).toBeLessThanOrEqual(1);
    // onset is the first sample 1 N (the floor) above baseline: 1 ms late on an 18 000 N/s start,
    // so the raw window starts 18 N up the curve: about −1 %
    expect(r.e.rfd100_pct_raw).toBeLessThan(0);
    expect(r.e.rfd100_pct_raw).toBeGreaterThan(-1.5);
    expect(Math.abs(r.e.asym_pp)).toBeLessThan(0.01);
    expect(r.e.pretension_ok).toBe(1);
  });
});

describe("small suite through the stand-in (CI subset)", () => {
  it("80 and 10 SPS: peak force within 0.5 %, model RFD 0–100 within 10 % on exponential rises at 80 SPS", async () => {
    const specs = curveSet(6, 3);
    const res = await runSuite(specs, [80, 10], standInSource);
    const r80 = res.byRate.get(80)!;
    const r10 = res.byRate.get(10)!;
    expect(r80.filter((r) => r.found).length).toBe(9);
    const iso80 = r80.filter((r) => r.kind === "isometric");
    expect(summarize(iso80, "peak_pct").maxAbs).toBeLessThan(0.5);
    const exp80 = iso80.filter((r) => r.tags.shape === 1);
    expect(summarize(exp80, "rfd100_pct_model").medianAbs).toBeLessThan(10);
    // 10 SPS: the 400 ms settling wipes out the early rise: raw RFD 0–100 far off
    const iso10 = r10.filter((r) => r.kind === "isometric");
    expect(summarize(iso10, "rfd100_pct_raw").medianAbs).toBeGreaterThan(30);
    expect(summarize(iso10, "peak_pct").maxAbs).toBeLessThan(2);
    const table = errorTable([
      { title: "1 kHz", rows: res.reference },
      { title: "80 SPS", rows: r80 },
      { title: "10 SPS", rows: r10 },
    ]);
    expect(table).toMatch(/peak force \[%\]/);
    expect(table).toMatch(/RFD 0–100 \(model\)/);
  });
});

describe("emulated pipeline's time base (sync pulses), checked with the stand-in chip", () => {
  it("recovers offset and a 1 % fast oscillator from the four sync edges", async () => {
    const { syncedCsv, syncEdgesMs } = await import("./sync.ts");
    const c = buildCurve(iso({ noiseN: 2, fatigueS: 10 }));
    const csv = parseCurveCsv(syncedCsv(c));
    const pseudo = { ...c, timesMs: csv.timesMs, leftN: csv.leftN, rightN: csv.rightN };
    for (const rate of [80, 10]) {
      const w = standInWire(pseudo, { rateSps: rate * 1.01, seed: 3 });
      const rec = { ...w, periodMs: 1000 / rate, align: { edgesMs: syncEdgesMs(c), curveEndMs: c.timesMs[c.timesMs.length - 1] } };
      const s = decodeWire(rec);
      const T = 1000 / (rate * 1.01);
      expect(Math.abs(s.timeBase.periodMs - T) / T).toBeLessThan(2e-5);
      // conversion k ends at phase + k·T in CSV time; CSV time = curve time + 2000 ms; the filter's group delay is 2T
      const expectedOffset = w.firstConversionEndMs - 2 * T - 2000;
      expect(Math.abs(s.timeBase.offsetMs - expectedOffset)).toBeLessThan(0.05 * T);
      expect(s.timesMs[0]).toBeGreaterThanOrEqual(0);
      expect(s.timesMs[s.timesMs.length - 1]).toBeLessThanOrEqual(c.timesMs[c.timesMs.length - 1]);
      const e = evaluate(c, s, rate, "synced");
      expect(e.found).toBe(true);
      expect(Math.abs(e.e.peak_pct)).toBeLessThan(rate === 80 ? 0.2 : 1);
    }
  });
});

describe("cross-check: stand-in vs the emulator's HX711 physics (Node)", () => {
  it("both pipelines agree on peak force and raw RFD at 80 SPS on the same curves", async () => {
    const { physicsSource } = await import("./physics.ts");
    const phys = await physicsSource();
    if (phys === null) return; // physics not in this checkout
    const specs = isometricSet(4);
    const a = await runSuite(specs, [80], standInSource, { reference: false });
    const b = await runSuite(specs, [80], phys, { reference: false });
    const ra = a.byRate.get(80)!;
    const rb = b.byRate.get(80)!;
    for (let i = 0; i < specs.length; i++) {
      expect(rb[i].found).toBe(true);
      expect(Math.abs(rb[i].e.peak_pct)).toBeLessThan(0.5);
      expect(Math.abs(rb[i].e.peak_pct - ra[i].e.peak_pct)).toBeLessThan(0.3);
      // box 4T vs sinc⁴: the threshold crossing may differ by about one period either way
      expect(Math.abs(rb[i].e.onset_ms - ra[i].e.onset_ms)).toBeLessThan(25);
      expect(Math.abs(rb[i].e.rfd200_pct_raw - ra[i].e.rfd200_pct_raw)).toBeLessThan(6);
    }
  });
});

describe("the shapes real isometric pulls have", () => {
  const real = (variant: CurveSpec["variant"], over: Partial<CurveSpec> = {}): CurveSpec => ({
    id: "r", kind: "isometric", riseTo90Ms: 230.2585093, shape: 1, variant, peakN: 2196.133, barKg: 20,
    pretensionN: 200, asymmetryPct: 0, noiseN: 0, fatigueS: 1e9, seed: 1, ...over,
  });

  it("dip: the force sags by min(0.6·P, 0.1·(peak − base)) halfway through the 250 ms before t0, and is back at the baseline at t0", () => {
    const spec = real("dip");
    const F = isoForceModel(spec);
    const t = buildCurve(spec).truth as IsometricTruth;
    const depth = Math.min(0.6 * 200, 0.1 * (spec.peakN - t.baselineN)); // min(120, 180) = 120 N
    expect(F(2000 - 125)).toBeCloseTo(t.baselineN - depth, 6);
    expect(F(2000 - 250)).toBeCloseTo(t.baselineN, 6);
    expect(F(2000)).toBeCloseTo(t.baselineN, 6);
    // the truth's windows start at t0: RFD 0–100 is the plain exponential's
    expect(t.onsetMs).toBe(2000);
    expect(t.rfdNPerS[1]).toBeCloseTo(((spec.peakN - t.baselineN) * (1 - Math.exp(-1))) / 0.1, 0);
  });

  it("early release: released 300 ms after the 90 % point, the peak is the force there", () => {
    const spec = real("early-release", { fatigueS: 30 });
    const c = buildCurve(spec);
    const t = c.truth as IsometricTruth;
    expect(c.timing.releaseMs).toBeCloseTo(2000 + 230.2585093 + 300, 6);
    expect(t.peakMs).toBeCloseTo(c.timing.releaseMs, 0);
    expect(t.peakN).toBeCloseTo(spec.peakN, 6);
  });

  it("double peak: two maxima with a sag between them; early plateau: a shoulder, then the climb to the peak", () => {
    const dp = real("double-peak", { fatigueS: 30 });
    const F = isoForceModel(dp);
    const t = buildCurve(dp).truth as IsometricTruth;
    const sag = F(2000 + 230.2585093 + 250);
    expect(sag).toBeLessThan(F(2000 + 230.2585093 + 50));
    expect(sag).toBeLessThan(F(2000 + 230.2585093 + 500));
    expect(F(t.peakMs)).toBeCloseTo(dp.peakN, 6);
    const ep = real("early-plateau");
    const G2 = isoForceModel(ep);
    const base = (buildCurve(ep).truth as IsometricTruth).baselineN;
    // at 90 % of the first phase's rise the force is about 0.7 × 0.9 of the net peak, then flat until +300 ms
    const shoulder = G2(2000 + 230.2585093 + 300);
    expect((shoulder - base) / (ep.peakN - base)).toBeGreaterThan(0.65);
    expect((shoulder - base) / (ep.peakN - base)).toBeLessThan(0.72);
    expect(G2(2000 + 2000)).toBeGreaterThan(shoulder + 0.2 * (ep.peakN - base));
  });

  it("slow S-shaped start: (1 − e^(−s/τ))³, 90 % at the requested rise time", () => {
    const spec = real("plain", { shape: 3, riseTo90Ms: 500 });
    const t = buildCurve(spec).truth as IsometricTruth;
    expect(Math.pow(1 - Math.exp(-x90(3)), 3)).toBeCloseTo(0.9, 12);
    expect(t.timeTo90PctMs).toBeCloseTo(500, 0);
    expect(shapeName(spec)).toBe("slow_s");
  });

  it("every shape through the stand-in at 80 SPS: found, peak within 0.5 %, each presented RFD value either the model's or the raw one", async () => {
    const specs = realShapeSet(2);
    expect(new Set(specs.map(shapeName))).toEqual(new Set(REAL_SHAPES.map((s) => s.name)));
    const res = await runSuite(specs, [80], standInSource, { reference: false });
    const rows = res.byRate.get(80)!;
    for (const r of rows) {
      expect(r.found, r.id).toBe(true);
      expect(Math.abs(r.e.peak_pct), r.id).toBeLessThan(0.5);
      const shown = r.e.rfd100_raw_presented === 1 ? r.e.rfd100_pct_raw : r.e.rfd100_pct_fit;
      expect(r.e.rfd100_pct_model, r.id).toBeCloseTo(shown, 9);
      expect(r.tags.shapeName, r.id).toBe(shapeName(specs.find((s) => s.id === r.id)!));
    }
  });
});

describe("emulated pipeline: no quiet fallback", () => {
  it("a board that cannot start is an error with its cause, not a stand-in's figures", async () => {
    const { emulatedSource } = await import("./emulated.ts");
    await expect(emulatedSource({ board80: "no-such-board" })).rejects.toThrow(/the emulated pipeline could not start no-such-board: .*no-such-board/);
  });

  it("a rate with no board fails its curves instead of measuring them on the stand-in", async () => {
    const { emulatedSource } = await import("./emulated.ts");
    const source = await emulatedSource();
    try {
      const curve = buildCurve(isometricSet(1, 1)[0]);
      await expect(source.wire(curve, 40, 1)).rejects.toThrow(/no 40 SPS board/);
    } finally {
      await source.close?.();
    }
  }, 60_000);
});
