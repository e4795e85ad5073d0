import { describe, expect, it } from "vitest";
import { fcos, fexp, flog, fsin, rngCreate, rngNext } from "./fmath.ts";
import {
  createHx711Chip, G, IDEAL_ENVIRONMENT, idealCounts, listScenarios, PHYS_X90, scenarioByName, scenarioFromCsv,
  type Scenario,
} from "./index.ts";

const total = (s: Scenario, t: number) => {
  let f = 0;
  for (let c = 0; c < s.channels; c++) f += s.forceN(c, t);
  return f;
};

describe("fmath", () => {
  it("exp/log/sin/cos agree with Math.* to a few ulp", () => {
    const r = rngCreate(3, 0);
    for (let i = 0; i < 2000; i++) {
      const x = (rngNext(r) - 0.5) * 80;
      expect(Math.abs(fexp(x) / Math.exp(x) - 1)).toBeLessThan(4e-16);
      const y = rngNext(r) * 1e4;
      expect(Math.abs(flog(y) - Math.log(y))).toBeLessThan(4e-16 * Math.max(1, Math.abs(Math.log(y))));
      const z = (rngNext(r) - 0.5) * 2000;
      expect(Math.abs(fsin(z) - Math.sin(z))).toBeLessThan(1e-13);
      expect(Math.abs(fcos(z) - Math.cos(z))).toBeLessThan(1e-13);
    }
    expect(fexp(0)).toBe(1);
    expect(flog(1)).toBe(0);
    expect(fsin(0)).toBe(0);
  });

  it("PHYS_X90 solves 1 − (1 + x)e^(−x) = 0.9", () => {
    expect(1 - (1 + PHYS_X90) * Math.exp(-PHYS_X90)).toBeCloseTo(0.9, 12);
  });
});

describe("scenario specs", () => {
  it("every listed example builds, for 1 and 2 channels", () => {
    const list = listScenarios();
    expect(list.map((s) => s.name)).toEqual(["empty", "weigh", "rackpull", "isometric", "drop", "csv"]);
    for (const s of list) {
      for (const ch of [1, 2]) {
        const sc = s.name === "csv" ? scenarioFromCsv(s.example, ch) : scenarioByName(s.example, ch, 1);
        expect(sc.channels).toBe(ch);
        expect(sc.durationS).toBeGreaterThan(0);
        expect(sc.truth.restLoadN.length).toBe(ch);
        expect(sc.description.length).toBeGreaterThan(10);
      }
    }
  });

  it("rejects unknown names, keys, duplicates and bad values with clear messages", () => {
    expect(() => scenarioByName("squat", 2, 1)).toThrow(/unknown scenario "squat".*rackpull/);
    expect(() => scenarioByName("rackpull:kgs=3", 2, 1)).toThrow(/unknown parameter "kgs"/);
    expect(() => scenarioByName("rackpull:kg=3,kg=4", 2, 1)).toThrow(/given twice/);
    expect(() => scenarioByName("rackpull:kg=abc", 2, 1)).toThrow(/kg=abc is not a number/);
    expect(() => scenarioByName("rackpull:strength=0.9", 2, 1)).toThrow(/outside/);
    expect(() => scenarioByName("isometric:model=fast", 2, 1)).toThrow(/model=fast must be one of exp, phys/);
    expect(() => scenarioByName("weigh:kg=10,kgL=5", 2, 1)).toThrow(/either kg/);
    expect(() => scenarioByName("weigh:kg", 2, 1)).toThrow(/not key=value/);
  });
});

describe("scenario truth matches the force curve", () => {
  it("empty: zero everywhere", () => {
    const s = scenarioByName("empty:dur=10", 2, 1);
    expect(s.durationS).toBe(10);
    for (let t = 0; t < 10; t += 0.37) expect(total(s, t)).toBe(0);
  });

  it("weigh: kgL/kgR per pin, kg + balance, 1 channel = total", () => {
    const s = scenarioByName("weigh:kgL=60,kgR=40,atS=2", 2, 1);
    expect(s.forceN(0, 1.9)).toBe(0);
    expect(s.forceN(0, 10)).toBeCloseTo(60 * G, 9);
    expect(s.forceN(1, 10)).toBeCloseTo(40 * G, 9);
    expect(s.truth.restLoadAfterN[0]).toBeCloseTo(60 * G, 9);
    expect(s.truth.loadedS).toBeCloseTo(2.4, 12);
    const b = scenarioByName("weigh:kg=100,balance=0.3", 2, 1);
    expect(b.forceN(0, 20)).toBeCloseTo(30 * G, 9);
    const one = scenarioByName("weigh:kg=100", 1, 1);
    expect(one.forceN(0, 20)).toBeCloseTo(100 * G, 9);
    expect(one.truth.restLoadAfterN).toEqual([100 * G]);
  });

  it("rackpull: rest = weight, pull from onset, zero exactly from lift-off to set-down, overshoot, rest again", () => {
    for (const spec of ["rackpull", "rackpull:kg=508,balance=0.55,riseS=1.2,holdS=2,tremor=0.01"]) {
      const s = scenarioByName(spec, 2, 9);
      const tr = s.truth;
      const W = tr.massKg * G;
      expect(tr.restLoadN[0] + tr.restLoadN[1]).toBeCloseTo(W, 9);
      expect(total(s, tr.loadedS! - 0.3)).toBeLessThan(W);
      expect(total(s, tr.loadedS! + 0.01)).toBeCloseTo(W, 9);
      expect(total(s, tr.onsetS!)).toBeCloseTo(W, 9);
      expect(total(s, tr.onsetS! + 0.02)).toBeLessThan(W);
      // Lift-off: positive just before, zero at and after.
      expect(total(s, tr.liftOffS! - 1e-6)).toBeGreaterThan(0);
      for (let t = tr.onsetS!; t < tr.liftOffS! - 1e-6; t += 0.001) expect(total(s, t)).toBeGreaterThan(0);
      for (let t = tr.liftOffS!; t < tr.setDownS!; t += 0.01) expect(total(s, t)).toBe(0);
      expect(tr.holdS).toBeCloseTo(tr.setDownS! - tr.liftOffS!, 12);
      expect(tr.timeToLiftOffS).toBeCloseTo(tr.liftOffS! - tr.onsetS!, 12);
      expect(total(s, tr.setDownS! + 0.002)).toBeGreaterThan(0);
      // Impact overshoot above the weight, then back to rest.
      expect(tr.peakN!).toBeGreaterThan(W * 1.05);
      expect(total(s, tr.peakS!)).toBeCloseTo(tr.peakN!, 9);
      for (let t = tr.setDownS!; t < s.durationS; t += 0.0007) expect(total(s, t)).toBeLessThanOrEqual(tr.peakN! + 1e-9);
      expect(Math.abs(total(s, s.durationS) - W)).toBeLessThan(W * 0.001);
      expect(s.forceN(0, s.durationS) / total(s, s.durationS)).toBeCloseTo(spec.includes("0.55") ? 0.55 : 0.5, 9);
    }
  });

  it("isometric: negative pin load, pre-tension baseline, rise, peak and time to 90 % consistent", () => {
    for (const spec of ["isometric", "isometric:model=phys,fmax=4000,tau=0.3,preN=200,tremor=0"]) {
      const s = scenarioByName(spec, 2, 4);
      const tr = s.truth;
      expect(total(s, 1)).toBe(0);
      expect(total(s, tr.onsetS! - 0.1)).toBeCloseTo(tr.baselineN!, 9);
      expect(total(s, tr.onsetS!)).toBeCloseTo(tr.baselineN!, 9);
      expect(total(s, tr.onsetS! + 0.05)).toBeLessThan(tr.baselineN!);
      let maxMag = 0;
      for (let t = 0; t < s.durationS; t += 0.001) {
        expect(total(s, t)).toBeLessThanOrEqual(1e-9);
        maxMag = Math.max(maxMag, -total(s, t));
      }
      expect(maxMag).toBeLessThanOrEqual(tr.peakN! + 1e-6);
      expect(maxMag).toBeGreaterThan(tr.peakN! * 0.999);
      expect(-total(s, tr.peakS!)).toBeCloseTo(tr.peakN!, 6);
      expect(tr.timeToPeakS).toBeCloseTo(tr.peakS! - tr.onsetS!, 12);
      const target = -tr.baselineN! + 0.9 * tr.peakNetN!;
      expect(-total(s, tr.onsetS! + tr.timeTo90S!)).toBeCloseTo(target, 3);
      expect(-total(s, tr.onsetS! + tr.timeTo90S! - 0.002)).toBeLessThan(target);
      expect(tr.lifterPeakN).toBeCloseTo(tr.massKg * G + tr.peakN!, 9);
      expect(total(s, s.durationS)).toBe(0);
    }
    // The plain exponential without tremor peaks at the release, with net peak fmax(1 − e^(−pullS/tau)).
    const e = scenarioByName("isometric:tremor=0,fmax=3000,tau=0.15,pullS=4", 1, 1);
    expect(e.truth.peakNetN).toBeCloseTo(3000 * (1 - Math.exp(-4 / 0.15)), 3);
    expect(e.truth.timeTo90S).toBeCloseTo(-0.15 * Math.log(0.1), 3);
  });

  it("drop: nothing before impact, spike with ringing, then the weight", () => {
    const s = scenarioByName("drop:kg=150,dropCm=5", 2, 1);
    const tr = s.truth;
    const W = 150 * G;
    expect(tr.impactS).toBeCloseTo(5 + Math.sqrt(0.1 / G), 12);
    expect(total(s, tr.impactS! - 1e-6)).toBe(0);
    expect(total(s, tr.impactS! + 0.001)).toBeGreaterThan(0);
    // Undamped estimate of the peak: W + v·√(k·m).
    const approx = W + Math.sqrt(2 * G * 0.05) * Math.sqrt(2e6 * 150);
    expect(tr.peakN!).toBeGreaterThan(approx * 0.8);
    expect(tr.peakN!).toBeLessThan(approx * 1.05);
    expect(total(s, tr.peakS!)).toBeCloseTo(tr.peakN!, 9);
    expect(Math.abs(total(s, s.durationS) - W)).toBeLessThan(1);
  });
});

describe("CSV replay", () => {
  const text = [
    "# recorded 2026-11-20, left and right pin",
    "time_s, left_N, right_N",
    "",
    "0, 0, 0",
    "1.0, 100, 200   # plates on",
    "2.0;300;200",
    "3.0\t300\t200",
    "4.0 0 0",
  ].join("\r\n");

  it("parses header, comments, blank lines, separators; interpolates; holds outside", () => {
    const s = scenarioFromCsv(text);
    expect(s.channels).toBe(2);
    expect(s.durationS).toBe(4);
    expect(s.forceN(0, 0.5)).toBeCloseTo(50, 12);
    expect(s.forceN(1, 0.25)).toBeCloseTo(50, 12);
    expect(s.forceN(0, 1.5)).toBeCloseTo(200, 12);
    expect(s.forceN(0, 3.5)).toBeCloseTo(150, 12);
    expect(s.forceN(0, 0.2)).toBeCloseTo(20, 12); // going back in time works
    expect(s.forceN(0, 99)).toBe(0);
    expect(s.forceN(1, -1)).toBe(0);
    expect(s.truth.restLoadN).toEqual([0, 0]);
    const one = scenarioFromCsv(text, 1);
    expect(one.forceN(0, 2)).toBeCloseTo(500, 12);
    expect(scenarioFromCsv("0,5\n1,6").forceN(0, 0.5)).toBeCloseTo(5.5, 12);
  });

  it("reports malformed input with the line number and reason", () => {
    expect(() => scenarioFromCsv("t,a,b\n0,1,2\n1,2")).toThrow(/CSV line 3: expected 3 columns/);
    expect(() => scenarioFromCsv("0,1\n1,x")).toThrow(/CSV line 2: force "x" in column 2 is not a number/);
    expect(() => scenarioFromCsv("0,1\n0x10,1")).toThrow(/CSV line 2: time "0x10" is not a number/);
    expect(() => scenarioFromCsv("0,1\n2,1\n# c\n1,1")).toThrow(/CSV line 4: time 1 s is not after the previous row's 2 s/);
    expect(() => scenarioFromCsv("-1,1")).toThrow(/CSV line 1: time -1 s is negative/);
    expect(() => scenarioFromCsv("# nothing\n\n")).toThrow(/no data rows/);
    expect(() => scenarioFromCsv("5")).toThrow(/CSV line 1: need a time column/);
    expect(() => scenarioFromCsv("0,1\n1,2", 2)).toThrow(/1 force column\(s\) but the board has 2/);
    expect(() => scenarioFromCsv("0,1\nt,a\n")).toThrow(/CSV line 2: time "t" is not a number/);
    expect(() => scenarioFromCsv("0,1,inf")).toThrow(/not a number/);
  });
});

describe("scenario through the chip", () => {
  it("a weighed bar reads its weight in counts per pin (ideal chip)", () => {
    const cell = { capacityN: 4903.3, ratedOutputMvPerV: 2, excitationV: 4.3 };
    const s = scenarioByName("weigh:kgL=120,kgR=80,atS=1", 2, 3);
    for (const ch of [0, 1]) {
      const chip = createHx711Chip({ cell, rateSps: 80, seed: 3, channel: ch, source: (t) => s.forceN(ch, t), env: IDEAL_ENVIRONMENT });
      let t = 0;
      let last = 0;
      while (t < 5e6) {
        t = chip.nextReadyUs(t);
        last = chip.readWord(t + 1, 0);
        t += 1;
      }
      expect(last).toBe(idealCounts(cell, s.truth.restLoadAfterN[ch], 0));
    }
  });
});
