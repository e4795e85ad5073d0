import { describe, it, expect } from "vitest";
import {
  anyTrue,
  asymmetryPct,
  insertionSort,
  integrateTo,
  interpolateAt,
  maxAbsRange,
  meanRange,
  medianPeriodMs,
} from "./series.ts";

describe("series helpers", () => {
  it("insertionSort sorts numerically (not as strings like JS sort)", () => {
    const a = [10, 9, 1, 100, -3, 9];
    insertionSort(a);
    expect(a).toEqual([-3, 1, 9, 9, 10, 100]);
  });

  it("medianPeriodMs ignores one dropped sample", () => {
    expect(medianPeriodMs([0, 12.5, 25, 37.5, 62.5, 75])).toBe(12.5);
    expect(medianPeriodMs([0, 10, 30, 40])).toBe(10); // intervals 10, 20, 10
    expect(medianPeriodMs([0, 10, 30])).toBe(15); // even count: mean of 10 and 20
    expect(medianPeriodMs([5])).toBe(0);
  });

  it("interpolateAt is linear between samples and exact on samples", () => {
    const t = [0, 10, 20];
    const v = [0, 100, 300];
    expect(interpolateAt(t, v, 0, 5)).toBe(50);
    expect(interpolateAt(t, v, 0, 15)).toBe(200);
    expect(interpolateAt(t, v, 1, 20)).toBe(300);
    expect(interpolateAt(t, v, 0, 10)).toBe(100);
  });

  it("integrateTo is a trapezoid net of the offset, in value·s", () => {
    const t = [0, 10, 20];
    const v = [10, 110, 210];
    // net 0, 100, 200 over 20 ms: triangle 200·0.02/2 = 2
    expect(integrateTo(t, v, 10, 0, 20)).toBeCloseTo(2, 12);
    // to 15 ms: net at 15 = 150, area = 0.5·100·0.01 + (100+150)/2·0.005 = 0.5 + 0.625
    expect(integrateTo(t, v, 10, 0, 15)).toBeCloseTo(1.125, 12);
  });

  it("meanRange, maxAbsRange, anyTrue, asymmetryPct", () => {
    expect(meanRange([1, 2, 3, 4], 1, 3)).toBe(3);
    expect(meanRange([1, 2], 1, 0)).toBe(0);
    expect(maxAbsRange([1, -7, 3], 0, 2)).toBe(7);
    expect(anyTrue([false, true, false], 0, 0)).toBe(false);
    expect(anyTrue([false, true, false], 0, 5)).toBe(true);
    expect(asymmetryPct(600, 400)).toBe(20);
    expect(asymmetryPct(400, 600)).toBe(-20);
    expect(asymmetryPct(0, 0)).toBe(0);
  });
});
