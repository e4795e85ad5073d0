// Regenerates vectors/*.json from the JavaScript results: npx tsx shared/analysis/gen-vectors.host.ts
// The curves are the hand-checked ones of the unit tests, which assert their key numbers;
// the dual-runtime test then requires Lua 5.1/5.3 to give exactly these results.
import * as fs from "node:fs";
import { detectLifts, defaultDetectorConfig, onsetThresholdN, MODE_ISOMETRIC } from "./detector.ts";
import { analyzeIsometric, windowMetrics, peakSlidingRfd, negateSeries } from "./isometric.ts";
import { analyzeRackPull, weighingUncertaintyN } from "./rackpull.ts";
import { interpolateAt, integrateTo, medianPeriodMs, asymmetryPct, meanRange } from "./series.ts";
import { alternating, isoRamp, rackPull, rackPullBarOffThenIsometric, rackPullPreTension, times } from "./fixtures.host.ts";

const dir = new URL("./vectors", import.meta.url).pathname;
type Case = { fn: string; args: unknown[]; expect?: unknown; note?: string };

/**
 * Lua 5.3 with NodeMCU's numbers (32-bit integers, single floats) holds forces of up to 5000 N
 * with 24 bits (≈ 3e-4 N). Means, SDs, slopes and interpolations of them take a few roundings
 * each (≤ 16 FLT_EPSILON relative); differences of two large forces (re-weigh − weighed load, net
 * force) keep the large ones' absolute error: 16 × 5000 N × 2^-24 ≈ 0.005 N. Loads in kg are
 * N / g, integers in JavaScript only by chance (3922.66 N = 400 kg).
 */
const ANALYSIS_SINGLE_PRECISION = {
  floatEpsilons: 16,
  absolute: 0.005,
  measuredKeys: ["weighedLoadKg", "reweighKg", "reweighDiffKg"],
  why: "forces up to 5000 N in single floats: a few roundings per mean/SD/slope (16 FLT_EPSILON), and differences of large forces keep their absolute error (16 x 5000 N x 2^-24 = 0.005 N); loads in kg are N / g, integers in JavaScript only by chance",
};

function write(name: string, module: string, about: string, fns: Record<string, (...a: any[]) => unknown>, cases: Case[]) {
  for (const c of cases) {
    const args = JSON.parse(JSON.stringify(c.args));
    c.expect = JSON.parse(JSON.stringify(fns[c.fn](...args)));
  }
  const out = { module, about, lua53: ANALYSIS_SINGLE_PRECISION, cases: cases.map((c) => ({ fn: c.fn, ...(c.note ? { note: c.note } : {}), args: c.args, expect: c.expect })) };
  // one line per array of numbers/booleans, so the files stay readable
  const text = JSON.stringify(out, null, 1).replace(/\[[\s\d.,eE+\-truefals]*\]/g, (m) => m.replace(/\s+/g, ""));
  fs.writeFileSync(`${dir}/${name}.json`, text + "\n");
}

const cfg80 = defaultDetectorConfig(80);
const rp = rackPull(5000, 5000, 0);
const rpNoisy = rackPull(5000, 5000, 2);
const rpPlates = rackPull(5000, 5000 + 5 * 9.80665, 0);
const t400 = times(400, 12.5);
const isoPins = t400.map((_, i) => (i < 160 ? 0 : i < 176 ? -(i - 159) * 125 : i < 320 ? -2000 : 0));
const twitch = t400.map((_, i) => (i === 200 ? 4800 : 5000));
const failed = t400.map((_, i) => (i < 160 ? 5000 : i < 200 ? 1000 : 5000));
const W400 = 400 * 9.80665;
const pre300 = rackPullPreTension(W400, 300, W400);
const pre700 = rackPullPreTension(W400, 700, W400);
const t600 = times(600, 12.5);
const platesOff60 = t600.map((_, i) => (i < 120 ? W400 : W400 - 60 * 9.80665));
// 100 kg: at 150 kg Lua 5.3's single-float SD of the resting window puts the 5-SD thresholds ≈ 0.006 N
// off, past this file's 0.005 N absolute tolerance (Lua 5.1, the board's, agrees exactly either way)
const barOff = rackPullBarOffThenIsometric(100, 2);

write("detector", "shared/analysis/detector",
  "Streaming detector over whole arrays (pin load, + = bar on pins). Hand-checked curves: see detector.test.ts / fixtures.host.ts. Rack pull at 80 SPS: weighed 5000 N (event at i=159), onset 2000 ms, lift-off 2387.5 ms, set-down 3400 ms, re-weigh 5000 N. Pre-tension (400 kg bar): weighed before it, onset at the final pull.",
  { detectLifts, defaultDetectorConfig, onsetThresholdN },
  [
    { fn: "defaultDetectorConfig", args: [80] },
    { fn: "onsetThresholdN", args: [cfg80, 2], note: "5 SD = 10 N" },
    { fn: "onsetThresholdN", args: [cfg80, 0.1], note: "floor 1 N" },
    { fn: "onsetThresholdN", args: [{ ...cfg80, fixedThresholdN: 20 }, 2], note: "fixed 20 N" },
    { fn: "detectLifts", args: [[], [], cfg80], note: "empty" },
    { fn: "detectLifts", args: [rp.timesMs, rp.forceN, cfg80], note: "rack pull, complete" },
    { fn: "detectLifts", args: [rpPlates.timesMs, rpPlates.forceN, cfg80], note: "plates changed (+5 kg)" },
    { fn: "detectLifts", args: [rp.timesMs.slice(0, 250), rp.forceN.slice(0, 250), cfg80], note: "ends while held: flushed" },
    { fn: "detectLifts", args: [t400, isoPins, cfg80], note: "isometric, auto mode: peak 2000 N, time to peak 187.5 ms" },
    { fn: "detectLifts", args: [t400, twitch, cfg80], note: "one-sample dip: not a lift" },
    { fn: "detectLifts", args: [t400, failed, cfg80], note: "failed pull: no lift-off, 4000 N" },
    { fn: "detectLifts", args: [pre300.timesMs, pre300.forceN, cfg80], note: "400 kg, 300 N pre-tension held 1.2 s: weighed 3922.66 N, pre-tension 300 N from 1500 ms, onset 2750 ms, lift-off 3137.5 ms, re-weigh equal" },
    { fn: "detectLifts", args: [pre700.timesMs, pre700.forceN, cfg80], note: "400 kg, 700 N pre-tension (confirmed at i=122, settles at 201): same weighing, onset and lift-off" },
    { fn: "detectLifts", args: [t600, platesOff60, cfg80], note: "60 kg removed while resting: re-weighed 3334.261 N at i=439, no lift" },
    { fn: "detectLifts", args: [barOff.timesMs, barOff.forceN, cfg80], note: "100 kg rack pull re-weighed, bar taken off 1 s after set-down: that hold closed (flushed) when the pins are pushed from below, then the 3000 N isometric pull is found" },
    { fn: "detectLifts", args: [t400, negateSeries(t400.map((_, i) => (i < 160 ? 300 + alternating(i, 40) : i < 250 ? 3300 : 0))), { ...cfg80, mode: MODE_ISOMETRIC }], note: "no quiet window: quietOk false" },
  ]);

const iso = isoRamp();
const t400b = times(400, 10);
const step = t400b.map((_, i) => (i < 200 ? 0 : 2000));
const noisyQuiet = t400b.map((_, i) => (i < 200 ? 500 + alternating(i, 40) : 3000));
const ramp5 = times(500, 10).map((_, i) => (i < 200 ? 200 : Math.min(200 + (i - 199) * 5, 1500)));
write("isometric", "shared/analysis/isometric",
  "Batch isometric analysis. isoRamp at 100 Hz: onset 2000 ms, peak 2200/2000 N at 2190 ms (time to peak 190 ms), F50 800 N, RFD50 10000 N/s, RFD200 9500 N/s, impulse100 60 N·s, time to 90 % 170 ms.",
  { analyzeIsometric, windowMetrics, peakSlidingRfd },
  [
    { fn: "analyzeIsometric", args: [iso.timesMs, iso.forceN, {}], note: "hand-checked ramp" },
    { fn: "analyzeIsometric", args: [iso.timesMs, iso.forceN, { leftN: iso.forceN.map((x) => 0.6 * x), rightN: iso.forceN.map((x) => 0.4 * x), pinCapacityN: 1000, saturated: iso.forceN.map((_, i) => i === 300) }], note: "60/40 split: +20 %, over pin capacity, saturated" },
    { fn: "analyzeIsometric", args: [iso.timesMs.slice(0, 213), iso.forceN.slice(0, 213), {}], note: "record ends 120 ms after onset" },
    { fn: "analyzeIsometric", args: [t400b, step, {}], note: "step: shock load, no pre-tension" },
    { fn: "analyzeIsometric", args: [t400b, noisyQuiet, {}], note: "no quiet period" },
    { fn: "analyzeIsometric", args: [times(500, 10), ramp5, { fixedThresholdN: 20 }], note: "fixed 20 N threshold: onset 2040 ms" },
    { fn: "analyzeIsometric", args: [[0, 10], [1, 2], {}], note: "too short" },
    { fn: "windowMetrics", args: [[0, 10, 20, 30], [100, 200, 400, 400], 100, 0, 15], note: "F(15)=300, RFD=(300−100)/0.015, impulse=(0+100)/2·0.01+(100+200)/2·0.005" },
    { fn: "windowMetrics", args: [[0, 10], [100, 200], 100, 0, 50], note: "window past the end" },
    { fn: "peakSlidingRfd", args: [[0, 10, 20, 30, 40], [0, 10, 50, 60, 60], 0, 4, 10], note: "steepest 10 ms: 10→20 ms, 4000 N/s" },
  ]);

const failedRp = t400.map((_, i) => (i < 160 ? 5000 : i < 176 ? 5000 - (i - 159) * 250 : i < 240 ? 1000 : 5000));
const L = rp.timesMs.map((_, i) => (i < 160 ? 2500 : i < 192 ? 2500 - ((i - 159) * 2500) / 32 : i < 272 ? 0 : 2500));
const R = rp.timesMs.map((_, i) => (i < 160 ? 2500 : i < 188 ? 2500 - ((i - 159) * 2500) / 28 : i < 272 ? 0 : 2500));
const P = L.map((x, i) => x + R[i]);
write("rackpull", "shared/analysis/rackpull",
  "Batch rack pull analysis (pin load). Hand-checked: weighed 5000 N = 509.858 kg, onset 2000 ms, lift-off 2387.5 ms (387.5 ms), hold 1012.5 ms, re-weigh 5000 N; +5 kg → platesChanged.",
  { analyzeRackPull, weighingUncertaintyN },
  [
    { fn: "weighingUncertaintyN", args: [3, 4, 16], note: "sqrt(9 + 16/16)" },
    { fn: "analyzeRackPull", args: [rp.timesMs, rp.forceN, {}], note: "hand-checked pull" },
    { fn: "analyzeRackPull", args: [rpNoisy.timesMs, rpNoisy.forceN, { calibrationUncertaintyN: 3 }], note: "±2 N noise, 3 N calibration uncertainty" },
    { fn: "analyzeRackPull", args: [rpPlates.timesMs, rpPlates.forceN, {}], note: "plates changed" },
    { fn: "analyzeRackPull", args: [t400, failedRp, {}], note: "no lift-off" },
    { fn: "analyzeRackPull", args: [rp.timesMs, P, { leftN: L, rightN: R, pinCapacityN: 2400 }], note: "right pin leaves first; asymmetry −5.714 %" },
    { fn: "analyzeRackPull", args: [pre300.timesMs, pre300.forceN, {}], note: "300 N pre-tension: 400 kg, onset 2750 ms, lift-off 3137.5 ms, breakaway 9056.65 N/s, no plates changed" },
    { fn: "analyzeRackPull", args: [pre700.timesMs, pre700.forceN, {}], note: "700 N pre-tension: 400 kg, onset 2750 ms, lift-off 3137.5 ms, breakaway 8056.65 N/s" },
    { fn: "analyzeRackPull", args: [times(100, 12.5), times(100, 12.5).map(() => 2000), {}], note: "resting bar only" },
  ]);

write("series", "shared/analysis/series", "Interpolation, trapezoid integration, median period, asymmetry.",
  { interpolateAt, integrateTo, medianPeriodMs, asymmetryPct, meanRange },
  [
    { fn: "interpolateAt", args: [[0, 10, 20], [0, 100, 300], 0, 15], note: "200" },
    { fn: "interpolateAt", args: [[0, 10, 20], [0, 100, 300], 0, 20], note: "300" },
    { fn: "integrateTo", args: [[0, 10, 20], [10, 110, 210], 10, 0, 15], note: "1.125" },
    { fn: "medianPeriodMs", args: [[0, 12.5, 25, 37.5, 62.5, 75]], note: "12.5" },
    { fn: "medianPeriodMs", args: [[0, 10, 30]], note: "15" },
    { fn: "asymmetryPct", args: [600, 400], note: "20" },
    { fn: "asymmetryPct", args: [0, 0], note: "0" },
    { fn: "meanRange", args: [[1, 2, 3, 4], 1, 3], note: "3" },
  ]);
console.log("written");
