import { describe, it, expect } from "vitest";
import { windowCreate, windowFull, windowMean, windowOldestMs, windowPush, windowReset, windowSd } from "./window.ts";

describe("quiet window statistics", () => {
  it("mean and sample SD of 4 values by hand", () => {
    const w = windowCreate(4);
    [2, 4, 4, 6].forEach((x, i) => windowPush(w, i * 10, x));
    expect(windowFull(w)).toBe(true);
    expect(windowMean(w)).toBe(4);
    // deviations −2, 0, 0, 2: sum of squares 8, /(4−1) → SD sqrt(8/3)
    expect(windowSd(w)).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(windowOldestMs(w)).toBe(0);
  });

  it("slides: only the last `size` samples count, across a wrap", () => {
    const w = windowCreate(3);
    [100, 100, 100, 5000, 1, 2, 3].forEach((x, i) => windowPush(w, i, x));
    expect(windowMean(w)).toBe(2);
    expect(windowSd(w)).toBeCloseTo(1, 12);
    expect(windowOldestMs(w)).toBe(4);
  });

  it("keeps a small SD on a large load (no cancellation)", () => {
    const w = windowCreate(80);
    for (let i = 0; i < 1000; i++) windowPush(w, i, 5000 + (i % 2 === 0 ? 0.5 : -0.5));
    expect(windowMean(w)).toBeCloseTo(5000, 9);
    expect(windowSd(w)).toBeCloseTo(0.5 * Math.sqrt(80 / 79), 9);
  });

  it("is not full before size samples, and reset empties it", () => {
    const w = windowCreate(3);
    windowPush(w, 0, 1);
    windowPush(w, 1, 2);
    expect(windowFull(w)).toBe(false);
    expect(windowSd(w)).toBeCloseTo(Math.SQRT1_2, 12);
    windowReset(w);
    expect(windowMean(w)).toBe(0);
    expect(windowSd(w)).toBe(0);
  });
});
