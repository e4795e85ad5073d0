import { describe, expect, it } from "vitest";
import { loadBoard } from "../build/boards.ts";
import { CALIBRATED_PLATES, loadToleranceKg, parsePlates, type PlateSpec } from "./plates.ts";
import {
  checkReading, computeCalibration, nominalNPerCount, parsePoints, validatePlan,
  type ChannelReading, type StepReadings,
} from "./plan.ts";
import { DEFAULT_BOARD } from "../paths.ts";
import { STANDARD_GRAVITY_MPS2 } from "../../shared/units/force.ts";

const board = loadBoard(DEFAULT_BOARD);
const one = loadBoard("nodemcu-v3-1pin");
const gym = parsePlates("gym:3%") as PlateSpec;

describe("parsePoints", () => {
  it("reads pin:kg lists", () => {
    const { points, reasons } = parsePoints("left:20, left:40kg ,both:100@4");
    expect(reasons).toEqual([]);
    expect(points).toEqual([{ pin: "left", kg: 20 }, { pin: "left", kg: 40 }, { pin: "both", kg: 100, plateCount: 4 }]);
  });
  it("marks non-numeric masses as NaN and malformed points with a reason", () => {
    const { points, reasons } = parsePoints("left:abc,20");
    expect(Number.isNaN(points[0].kg)).toBe(true);
    expect(reasons[0]).toMatch(/<pin>:<kg>/);
  });
});

describe("validatePlan refuses nonsense with a reason", () => {
  const v = (text: string, b = board) => validatePlan(b, parsePoints(text).points, CALIBRATED_PLATES);
  it("accepts a sensible plan and writes the prompts", () => {
    const r = v("left:100,left:200,right:100,right:200,both:300");
    expect(r.reasons).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.steps[0].prompt).toBe("Put 100 kg on the LEFT pin and press Enter");
    expect(r.steps[0].target).toBe("left");
    expect(r.steps[4].target).toBe("all");
    expect(r.steps[4].forceN).toBeCloseTo(300 * STANDARD_GRAVITY_MPS2, 9);
  });
  it("non-increasing masses", () => {
    expect(v("left:200,left:200,right:200").reasons.join()).toMatch(/must increase \(200\.00 kg after 200\.00 kg\)/);
    expect(v("left:200,left:150,right:200").ok).toBe(false);
  });
  it("negative, zero and non-numeric masses", () => {
    expect(v("left:-20,right:200").reasons[0]).toMatch(/must be positive/);
    expect(v("left:0,right:200").reasons[0]).toMatch(/must be positive/);
    expect(v("left:x,right:200").reasons[0]).toMatch(/not a number/);
  });
  it("masses beyond the cell's capacity (per pin and both)", () => {
    expect(v("left:600,right:200").reasons[0]).toMatch(/beyond the capacity of the LEFT pin \(500\.0 kg\)/);
    expect(v("left:200,right:200,both:1100").reasons[0]).toMatch(/beyond the capacity/);
  });
  it("too small a span", () => {
    const r = v("left:20,left:40,right:100,right:200");
    expect(r.ok).toBe(false);
    expect(r.reasons[0]).toMatch(/left: the largest load \(40\.0 kg\) is below 20 % .* too small a span/);
  });
  it("a pin without any load says so (not 'the largest load (0.0 kg) is below 20 %')", () => {
    const r = v("left:100,left:200");
    expect(r.ok).toBe(false);
    expect(r.reasons).toEqual(["right: no load on this pin: add points on it (e.g. right:100,right:200) or on both pins (both:300)"]);
  });
  it("unknown pins", () => {
    expect(v("middle:200").reasons[0]).toMatch(/has no pin "middle"/);
    expect(v("left:200", one).reasons[0]).toMatch(/has no pin "left"/);
  });
  it("a one-pin board takes 'total' or 'both', captured as all", () => {
    const r = v("total:300,both:500", one);
    expect(r.ok).toBe(true);
    expect(r.steps.map((s) => s.target)).toEqual(["all", "all"]);
    expect(r.steps[0].prompt).toBe("Put 300 kg on the pins and press Enter");
  });
  it("notes when a pin has only 'both' loads", () => {
    const r = v("left:200,both:300");
    expect(r.notes.join()).toMatch(/right: no point on this pin alone/);
  });
});

describe("plates", () => {
  it("parses kinds and refuses nonsense", () => {
    expect(parsePlates("calibrated")).toBe(CALIBRATED_PLATES);
    expect((parsePlates("gym") as PlateSpec).tolerancePct).toBe(3);
    expect((parsePlates("custom:20g") as PlateSpec).toleranceKg).toBeCloseTo(0.02, 12);
    expect(parsePlates("gym:-1")).toHaveProperty("error");
    expect(parsePlates("granite")).toHaveProperty("error");
  });
  it("calibrated discs: the smaller of 10 g and 0.25 % per plate, √n over a stack", () => {
    expect(loadToleranceKg(CALIBRATED_PLATES, 2, 1)).toBeCloseTo(0.005, 12);
    expect(loadToleranceKg(CALIBRATED_PLATES, 20, 1)).toBeCloseTo(0.01, 12);
    expect(loadToleranceKg(CALIBRATED_PLATES, 100)).toBeCloseTo(0.01 * Math.sqrt(5), 12);
  });
  it("gym plates: the % of the whole load", () => {
    expect(loadToleranceKg(gym, 100)).toBeCloseTo(3, 12);
  });
});

describe("checkReading", () => {
  const npc = nominalNPerCount(board, "left");
  it("nominal slope: 500 kg at 2 mV/V, gain 128 = 4 294 967 counts", () => {
    expect(4903.3 / npc).toBeCloseTo(2e-3 * 128 * 2 ** 24, 3);
  });
  it("refuses unstable readings with the SD in N and kg", () => {
    const r: ChannelReading = { meanCounts: 1000, sdCounts: 10 / npc, samples: 80 };
    expect(checkReading(r, npc, 4.9)).toMatch(/unstable reading: SD 10\.00 N \(1\.020 kg\) above the limit 4\.90 N/);
    expect(checkReading({ ...r, sdCounts: 1 / npc }, npc, 4.9)).toBe("");
    expect(checkReading({ ...r, samples: 3 }, npc, 4.9)).toMatch(/only 3 samples/);
  });
});

describe("computeCalibration", () => {
  const npc = 0.00114;
  const zeroL = 12000;
  const zeroR = -5000;
  const reading = (counts: number): ChannelReading => ({ meanCounts: counts, sdCounts: 100, samples: 80 });
  // left/right true slopes npc; noise: small deterministic offsets (in N) per point
  function run(plates: PlateSpec, wobbleN: number[]) {
    const plan = validatePlan(board, parsePoints("left:100,left:200,left:300,right:100,right:200,right:300,both:400").points, plates);
    expect(plan.ok).toBe(true);
    const tare: StepReadings = { step: null, channels: { left: reading(zeroL), right: reading(zeroR) } };
    const readings: StepReadings[] = plan.steps.map((s, i) => {
      const f = s.point.kg * STANDARD_GRAVITY_MPS2;
      const fl = s.point.pin === "left" ? f : s.point.pin === "both" ? f / 2 : 0;
      const fr = s.point.pin === "right" ? f : s.point.pin === "both" ? f / 2 : 0;
      return { step: s, channels: { left: reading(zeroL + (fl + wobbleN[i]) / npc), right: reading(zeroR + (fr - wobbleN[i]) / npc) } };
    });
    return computeCalibration(board, plates, tare, readings);
  }
  it("recovers the slope and zero; residuals are the wobble; the both point checks the sum", () => {
    const out = run(CALIBRATED_PLATES, [0, 0, 0, 0, 0, 0, 0]);
    expect(out.ok).toBe(true);
    const left = out.channels[0];
    expect(left.fit.nPerCount).toBeCloseTo(npc, 12);
    expect(left.fit.zeroCounts).toBeCloseTo(zeroL, 4);
    expect(left.pointLabels).toEqual(["tare", "left:100", "left:200", "left:300", "right:100 (empty)", "right:200 (empty)", "right:300 (empty)"]);
    expect(left.fit.maxAbsResidualN).toBeLessThan(1e-6);
    expect(out.checks[0].errorN).toBeCloseTo(0, 6);
    // perfect fit: the plates dominate
    expect(left.platesDominate).toBe(true);
    expect(out.summary.join("\n")).toMatch(/plates' own uncertainty dominates/);
  });
  it("noisy fit with calibrated plates: the fit's scatter dominates, error stated in N and kg", () => {
    const out = run(CALIBRATED_PLATES, [0, 40, -40, 0, 40, -40, 0]);
    const left = out.channels[0];
    expect(left.fit.maxAbsResidualN).toBeGreaterThan(10);
    expect(left.platesDominate).toBe(false);
    expect(out.summary.join("\n")).toMatch(/predicted error at capacity \(500 kg\): ±\d+\.\d\d N \(±\d+\.\d{3} kg, k = 2\)/);
    expect(out.summary.join("\n")).toMatch(/fit's scatter dominates/);
  });
  it("the same noisy fit with gym plates: the plates dominate", () => {
    const out = run(gym, [0, 4, -4, 0, 4, -4, 0]);
    expect(out.channels[0].platesDominate).toBe(true);
    // 3 % / √3 of 4903 N ≈ 84.9 N
    expect(out.channels[0].platesUncertaintyAtCapacityN).toBeCloseTo((0.03 / Math.sqrt(3)) * 4903.3, 6);
  });
  it("refuses a channel whose readings do not move", () => {
    const tare: StepReadings = { step: null, channels: { left: reading(5), right: reading(5) } };
    const plan = validatePlan(board, parsePoints("left:200,right:200").points, CALIBRATED_PLATES);
    const readings = plan.steps.map((s) => ({ step: s, channels: { left: reading(5), right: reading(5) } }));
    const out = computeCalibration(board, CALIBRATED_PLATES, tare, readings);
    expect(out.ok).toBe(false);
    expect(out.reasons[0]).toMatch(/same reading: no span/);
  });
});
