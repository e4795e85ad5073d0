import { describe, it, expect } from "vitest";
import {
  DetectorConfig,
  EV_FLUSHED,
  EV_ISO_DONE,
  EV_LIFTOFF,
  EV_NONE,
  EV_ONSET,
  EV_PULL_FAILED,
  EV_REWEIGH,
  EV_SETDOWN,
  EV_WEIGHED,
  KIND_ISOMETRIC,
  KIND_RACKPULL,
  MODE_ISOMETRIC,
  MODE_RACKPULL,
  defaultDetectorConfig,
  detectLifts,
  detectorCreate,
  detectorFinish,
  detectorStep,
  onsetThresholdN,
} from "./detector.ts";
import { rackPull, rackPullBarOffThenIsometric, rackPullPreTension, times } from "./fixtures.host.ts";

const cfg80: DetectorConfig = defaultDetectorConfig(80);

function codes(r: ReturnType<typeof detectLifts>): number[] {
  return r.events.map((e) => e.code);
}

describe("detector configuration", () => {
  it("quiet window of ~1 s of samples", () => {
    expect(cfg80.quietSamples).toBe(80);
    expect(defaultDetectorConfig(10).quietSamples).toBe(10);
    expect(defaultDetectorConfig(1).quietSamples).toBe(2);
  });
  it("onset threshold: 5 SD with a floor, or a fixed value", () => {
    expect(onsetThresholdN(cfg80, 2)).toBe(10);
    expect(onsetThresholdN(cfg80, 0.1)).toBe(1);
    expect(onsetThresholdN({ ...cfg80, fixedThresholdN: 20 }, 2)).toBe(20);
  });
});

describe("detector: a whole rack pull in auto mode", () => {
  const c = rackPull(5000, 5000, 0);
  const r = detectLifts(c.timesMs, c.forceN, cfg80);
  it("events: weighed, onset confirmed, lift-off, set-down, re-weigh", () => {
    expect(codes(r)).toEqual([EV_WEIGHED, EV_ONSET, EV_LIFTOFF, EV_SETDOWN, EV_REWEIGH]);
    // weighed once the level has held one more window: NEW at i = 79, weighed at 159
    expect(r.events.map((e) => e.index)).toEqual([159, 163, 191, 272, 351]);
    expect(r.events[0].valueN).toBe(5000);
    expect(r.events[4].valueN).toBe(5000);
  });
  it("confirmation waits for 500 N net: 4·156.25 = 625 N at i = 163", () => {
    expect(r.events[1].tMs).toBe(163 * 12.5);
  });
  it("one summary, kind rack pull, complete", () => {
    expect(r.lifts.length).toBe(1);
    const s = r.lifts[0];
    expect(s.kind).toBe(KIND_RACKPULL);
    expect(s.complete).toBe(true);
    expect(s.onsetMs).toBe(2000);
    expect(s.liftOffMs).toBe(2387.5);
    expect(s.timeToLiftOffMs).toBe(387.5);
    expect(s.holdMs).toBe(1012.5);
    expect(s.weighedLoadN).toBe(5000);
    expect(s.reweighN).toBe(5000);
    expect(s.platesChanged).toBe(false);
    expect(s.maxGapMs).toBe(12.5);
    expect(r.restLoadN).toBe(5000);
  });
  it("everything is JSON-clean", () => {
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});

describe("detector: isometric pull in auto mode (bar pushed up into empty pins)", () => {
  // pins 0 for 2 s, then pin load goes negative (pull force up), −2000 N plateau, release
  const t = times(400, 12.5);
  const p = t.map((_, i) => (i < 160 ? 0 : i < 176 ? -(i - 159) * 125 : i < 320 ? -2000 : 0));
  const r = detectLifts(t, p, cfg80);
  it("classified isometric; peak pull 2000 N at i = 175; time to peak 187.5 ms", () => {
    expect(codes(r)).toEqual([EV_ONSET, EV_ISO_DONE]);
    const s = r.lifts[0];
    expect(s.kind).toBe(KIND_ISOMETRIC);
    expect(s.onsetMs).toBe(2000);
    expect(s.peakForceN).toBe(2000);
    expect(s.peakNetForceN).toBe(2000);
    expect(s.peakMs).toBe(175 * 12.5);
    expect(s.timeToPeakMs).toBe(187.5);
    expect(s.endMs).toBe(320 * 12.5);
    expect(s.weighedLoadN).toBe(-1);
  });
  it("forced rack-pull mode ignores it (no resting bar)", () => {
    expect(detectLifts(t, p, { ...cfg80, mode: MODE_RACKPULL }).lifts.length).toBe(0);
  });
});

describe("detector: things that are not lifts", () => {
  it("a one-sample dip is a twitch: dropped", () => {
    const t = times(400, 12.5);
    const p = t.map((_, i) => (i === 200 ? 4800 : 5000));
    const r = detectLifts(t, p, cfg80);
    expect(codes(r)).toEqual([EV_WEIGHED]);
    expect(r.lifts.length).toBe(0);
  });

  it("plates added while resting: re-weighed once the new level has held a window", () => {
    const t = times(400, 12.5);
    const p = t.map((_, i) => (i < 160 ? 5000 : 5049));
    const r = detectLifts(t, p, cfg80);
    expect(codes(r)).toEqual([EV_WEIGHED, EV_WEIGHED]);
    expect(r.events[1].valueN).toBe(5049);
    // the last window straddling the step is at i = 238; the weigh follows one window later
    expect(r.events[1].index).toBeGreaterThanOrEqual(239);
    expect(r.events[1].index).toBeLessThanOrEqual(239 + 80);
  });

  it("a small plate removed: held 3 windows at the lower level, then re-weighed", () => {
    const t = times(800, 12.5);
    const p = t.map((_, i) => (i < 160 ? 5000 : 4951));
    const r = detectLifts(t, p, cfg80);
    expect(codes(r)).toEqual([EV_WEIGHED, EV_WEIGHED]);
    // new level becomes the baseline after one window (i = 239), then 240 samples more
    expect(r.events[1].index).toBe(239 + 240);
    expect(r.events[1].valueN).toBe(4951);
    expect(r.lifts.length).toBe(0);
  });

  it("no quiet window ever: the steadiest is used and quietOk is false", () => {
    const t = times(400, 12.5);
    const p = t.map((_, i) => (i < 160 ? (i % 2 === 0 ? 40 : -40) : i < 250 ? -3000 : 0));
    const r = detectLifts(t, p, { ...cfg80, mode: MODE_ISOMETRIC });
    expect(r.lifts.length).toBe(1);
    expect(r.lifts[0].quietOk).toBe(false);
    expect(r.lifts[0].onsetMs).toBe(2000);
  });
});

describe("detector: rack pull with pre-tension (400 kg bar, see fixtures rackPullPreTension)", () => {
  // W = 400 kg = 3922.66 N resting i 0..119; pre-tension P taken over i 120..123 and held to
  // i 219 (1.2 s); the pull falls from W − P at i = 220 to 0 at i = 251; held to i = 331; set down at
  // i = 332. Noise-free: every quiet SD is 0, so the onset threshold is its 1 N floor and the
  // lift-off threshold its 20 N floor.
  const W = 400 * 9.80665;

  it("300 N (below minEffortNetN): the bar is weighed before the pre-tension, the pull is timed from it", () => {
    const c = rackPullPreTension(W, 300, W);
    const r = detectLifts(c.timesMs, c.forceN, cfg80);
    // no EV_WEIGHED: the first level has not held 2 windows when the lifter takes the slack out at
    // i = 120; the departure weighs it. The pull: 3622.66/32 = 113.2 N per sample, 500 N net at i = 224
    expect(codes(r)).toEqual([EV_ONSET, EV_LIFTOFF, EV_SETDOWN, EV_REWEIGH]);
    expect(r.events.map((e) => e.index)).toEqual([224, 251, 332, 411]);
    expect(r.lifts.length).toBe(1);
    const s = r.lifts[0];
    // weighed: the steadiest (latest of equal) resting window, i 40..119, = W (was W − 300 = 369.4 kg)
    expect(s.weighedLoadN).toBe(W);
    expect([s.weighedStartIndex, s.weighedEndIndex, s.weighedSamples]).toEqual([40, 119, 80]);
    // the pull is timed from the held pre-tension level W − 300
    expect(s.baselinePinN).toBeCloseTo(W - 300, 9);
    expect(s.onsetMs).toBe(220 * 12.5); // 2750
    expect(s.preTensionStartMs).toBe(120 * 12.5); // 1500
    expect(s.preTensionN).toBeCloseTo(300, 9);
    expect(s.liftOffMs).toBe(251 * 12.5); // 3137.5
    expect(s.timeToLiftOffMs).toBe(387.5);
    expect(s.peakForceN).toBe(W); // weighed − min pin load 0
    expect(s.holdMs).toBe(332 * 12.5 - 3137.5); // 1012.5
    // re-weighed after one window on the pins (i 332..411): equal → no plates changed
    expect(s.reweighN).toBe(W);
    expect(s.reweighDiffN).toBe(0);
    expect(s.platesChanged).toBe(false);
  });

  it("700 N (above minEffortNetN): the pre-tension is confirmed, then recognised as pre-tension when it settles", () => {
    const c = rackPullPreTension(W, 700, W);
    const r = detectLifts(c.timesMs, c.forceN, cfg80);
    // 525 N at i = 122 confirms the pre-tension (EV_ONSET); it settles (window i 122..201, SD 19.5 N
    // ≤ 25) at 700 N < 0.5·W: a new baseline, no lift ends there. The pull: 3222.66/32 = 100.7 N per
    // sample, 500 N net at i = 224; lift-off at 251 (was: onset 1500 ms, failed pull at i = 201)
    expect(codes(r)).toEqual([EV_ONSET, EV_ONSET, EV_LIFTOFF, EV_SETDOWN, EV_REWEIGH]);
    expect(r.events.map((e) => e.index)).toEqual([122, 224, 251, 332, 411]);
    expect(r.lifts.length).toBe(1);
    const s = r.lifts[0];
    expect(s.kind).toBe(KIND_RACKPULL);
    expect(s.weighedLoadN).toBe(W);
    expect(s.onsetMs).toBe(2750);
    expect(s.preTensionStartMs).toBe(1500);
    expect(s.preTensionN).toBeCloseTo(700, 9);
    expect(s.liftOffMs).toBe(3137.5);
    expect(s.timeToLiftOffMs).toBe(387.5);
    expect(s.peakNetForceN).toBeCloseTo(W - 700, 9);
    expect(s.reweighN).toBe(W);
    expect(s.platesChanged).toBe(false);
  });

  it("no pre-tension: weighed by the resting window (EV_WEIGHED at i = 159), preTension not reported", () => {
    const c = rackPullPreTension(W, 0, W);
    const r = detectLifts(c.timesMs, c.forceN, cfg80);
    expect(codes(r)).toEqual([EV_WEIGHED, EV_ONSET, EV_LIFTOFF, EV_SETDOWN, EV_REWEIGH]);
    const s = r.lifts[0];
    expect(s.weighedLoadN).toBe(W);
    expect(s.onsetMs).toBe(2750);
    expect(s.preTensionStartMs).toBe(-1);
    expect(s.preTensionN).toBe(0);
    expect(s.liftOffMs).toBe(3137.5);
  });

  it("a plate taken off during the hold is still caught at the re-weigh, after pre-tension", () => {
    const c = rackPullPreTension(W, 300, W - 20 * 9.80665);
    const s = detectLifts(c.timesMs, c.forceN, cfg80).lifts[0];
    expect(s.weighedLoadN).toBe(W);
    expect(s.reweighN).toBeCloseTo(W - 196.133, 9);
    expect(s.reweighDiffN).toBeCloseTo(-196.133, 9);
    expect(s.platesChanged).toBe(true);
  });

  it("a 20 kg plate removed while resting (a lower level held 3 windows, no pull) is re-weighed", () => {
    // W for i < 120, W − 196.133 from i = 120 (settles at i = 199: window 120..199), held to i = 479,
    // then a pull from there (to 0 at i = 511), held, set down at i = 592 with the lighter bar
    const W2 = W - 20 * 9.80665;
    const t = times(800, 12.5);
    const p = t.map((_, i) => (i < 120 ? W : i < 480 ? W2 : i < 512 ? W2 * (1 - (i - 479) / 32) : i < 592 ? 0 : W2));
    const r = detectLifts(t, p, cfg80);
    // the lower level becomes the baseline at i = 199 and is re-weighed 240 samples later (i = 439)
    expect(codes(r)).toEqual([EV_WEIGHED, EV_ONSET, EV_LIFTOFF, EV_SETDOWN, EV_REWEIGH]);
    expect(r.events[0].index).toBe(199 + 240);
    expect(r.events[0].valueN).toBeCloseTo(W2, 9);
    const s = r.lifts[0];
    expect(s.weighedLoadN).toBeCloseTo(W2, 9);
    expect(s.preTensionStartMs).toBe(-1); // the re-weigh ended the "pre-tension"
    expect(s.onsetMs).toBe(480 * 12.5);
    expect(s.liftOffMs).toBe(511 * 12.5);
    expect(s.platesChanged).toBe(false);
  });

  it("plates of 60 kg (588 N, above minEffortNetN) removed while resting: re-weighed, no lift", () => {
    const W2 = W - 60 * 9.80665;
    const t = times(600, 12.5);
    const p = t.map((_, i) => (i < 120 ? W : W2));
    const r = detectLifts(t, p, cfg80);
    // the drop confirms an "effort" at once (EV_ONSET, i = 120), which settles at i = 199 as a lower level
    // (588 N < 0.5·W); held 240 samples more it is the new weighed load
    expect(codes(r)).toEqual([EV_ONSET, EV_WEIGHED]);
    expect(r.events[1].index).toBe(199 + 240);
    expect(r.events[1].valueN).toBeCloseTo(W2, 9);
    expect(r.lifts.length).toBe(0);
    expect(r.restLoadN).toBeCloseTo(W2, 9);
  });

  it("a pull that stalls steadily at 75 % of the bar is still a failed pull, not pre-tension", () => {
    // W until i = 120, then 1000 N on the pins (2922.66 N = 75 % of W pulled) for 2 s, then back
    const t = times(600, 12.5);
    const p = t.map((_, i) => (i < 120 ? W : i < 280 ? 1000 : W));
    const r = detectLifts(t, p, cfg80);
    // settled after one window of post-onset samples (i 120..199)
    expect(codes(r).slice(0, 2)).toEqual([EV_ONSET, EV_PULL_FAILED]);
    expect(r.events[1].index).toBe(199);
    expect(r.lifts[0].onsetMs).toBe(1500);
    expect(r.lifts[0].liftOffMs).toBe(-1);
    expect(r.lifts[0].peakForceN).toBeCloseTo(W - 1000, 9);
    expect(r.lifts[0].preTensionStartMs).toBe(-1);
  });
});

describe("detector: end of data", () => {
  it("a lift still held is flushed by detectorFinish, incomplete", () => {
    const c = rackPull(5000, 5000, 0);
    const r = detectLifts(c.timesMs.slice(0, 250), c.forceN.slice(0, 250), cfg80);
    expect(codes(r)).toEqual([EV_WEIGHED, EV_ONSET, EV_LIFTOFF, EV_FLUSHED]);
    expect(r.lifts[0].complete).toBe(false);
    expect(r.lifts[0].liftOffMs).toBe(2387.5);
    expect(r.lifts[0].setDownMs).toBe(-1);
    expect(r.lifts[0].reweighN).toBe(-1);
  });

  it("a failed pull ends with EV_PULL_FAILED", () => {
    const t = times(400, 12.5);
    const p = t.map((_, i) => (i < 160 ? 5000 : i < 200 ? 1000 : 5000));
    const r = detectLifts(t, p, cfg80);
    expect(codes(r)).toEqual([EV_WEIGHED, EV_ONSET, EV_PULL_FAILED, EV_WEIGHED].slice(0, codes(r).length));
    expect(r.lifts[0].liftOffMs).toBe(-1);
    expect(r.lifts[0].peakForceN).toBe(4000);
  });

  it("bar lifted again before the re-weigh: a steady zero is not a re-weigh", () => {
    const c = rackPull(5000, 5000, 0);
    // set down at i = 272, lifted again at i = 300 and held to the end
    const p = c.forceN.map((x, i) => (i >= 300 ? 0 : x));
    const r = detectLifts(c.timesMs, p, cfg80);
    expect(codes(r)).toEqual([EV_WEIGHED, EV_ONSET, EV_LIFTOFF, EV_SETDOWN, EV_FLUSHED]);
    expect(r.lifts[0].reweighN).toBe(-1);
    expect(r.lifts[0].platesChanged).toBe(false);
  });

  it("empty input", () => {
    const r = detectLifts([], [], cfg80);
    expect(r.events).toEqual([]);
    expect(r.lifts).toEqual([]);
    expect(r.restLoadN).toBe(-1);
  });
});

describe("detector: streaming step by step = detectLifts", () => {
  it("same events and summary, one sample at a time", () => {
    const c = rackPull(5000, 5049, 3);
    const st = detectorCreate(cfg80);
    const seen: number[] = [];
    for (let i = 0; i < c.timesMs.length; i++) {
      const ev = detectorStep(st, c.timesMs[i], c.forceN[i]);
      if (ev !== EV_NONE) seen.push(ev);
    }
    expect(detectorFinish(st)).toBe(EV_NONE);
    const r = detectLifts(c.timesMs, c.forceN, cfg80);
    expect(seen).toEqual(codes(r));
    expect({ ...st.summary }).toEqual(r.lifts[0]);
    expect(st.summary.platesChanged).toBe(true);
  });
});

describe("the bar taken off the pins right after a rack pull's re-weigh", () => {
  it("does not stall the detector: the isometric pull that follows is found", () => {
    const c = rackPullBarOffThenIsometric();
    const r = detectLifts(c.timesMs, c.forceN, defaultDetectorConfig(80));
    expect(r.lifts[0].kind).toBe(KIND_RACKPULL);
    expect(r.events.find((e) => e.code === EV_REWEIGH)?.tMs).toBeLessThan(8000);
    // taking the bar away looks like a lift-off that is never set down: closed (no re-weigh) when the pins are pushed from below
    const iso = r.lifts.find((l) => l.kind === KIND_ISOMETRIC);
    expect(iso, JSON.stringify(r.events)).toBeDefined();
    expect(iso!.onsetMs).toBeGreaterThanOrEqual(11300);
    expect(iso!.onsetMs).toBeLessThan(11350);
    expect(iso!.peakForceN).toBeGreaterThan(2990);
    expect(r.events.at(-1)!.code).toBe(EV_ISO_DONE);
  });
});
