import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { fromNewtons, kgToLb, STANDARD_GRAVITY_MPS2 } from "../../shared/units/force.ts";
import {
  athleteRecord,
  bodyWeightOn,
  daysSinceHeavy,
  deadliftBestOn,
  liftViews,
  microLoadingLadder,
  personalRecords,
  weeklySupraMaximal,
  type LiftEntry,
  type WeighIn,
} from "./athlete.ts";
import { dayNumber, isoWeek, localDay, weekMonday } from "./days.ts";
import { formatRecord } from "./format.ts";
import { ladderSvg, niceTicks, plotSvg } from "./plot.ts";
import { athleteFromStore, pinHeightFromNote } from "./store-adapter.ts";
import { Store } from "../store/store.ts";
import { runCli } from "../cli/testing/run-cli.ts";

// A 75 kg lifter micro-loading rack pulls from 45 cm pins (471 → 498 → 503 → 508 kg in ten days),
// best full-range deadlift 460 kg: supra-maximal from 1.05 × 460 = 483 kg.
const weighIns: WeighIn[] = [
  { day: "2024-03-01", kg: 76.0 },
  { day: "2024-03-08", kg: 75.2 },
  { day: "2024-03-08", kg: 75.0 }, // later the same day: this one counts
  { day: "2024-03-20", kg: 74.5 },
];
const rp = (id: string, day: string, kg: number, session: string, pin = 45, liftedOff = true): LiftEntry => ({
  id, day, type: "rackpull", loadKg: kg, sessionId: session, pinHeightCm: pin, liftedOff, reps: 1,
});
const lifts: LiftEntry[] = [
  { id: "dl1", day: "2024-02-20", type: "deadlift", loadKg: 460, reps: 1 },
  rp("a", "2024-03-04", 450, "s1"),
  rp("b", "2024-03-04", 471, "s1"),
  { id: "i1", day: "2024-03-05", type: "isometric", peakN: 5000, sessionId: "s1b" },
  rp("c", "2024-03-07", 498, "s2"),
  rp("d", "2024-03-10", 503, "s3"),
  rp("e", "2024-03-10", 515, "s3", 45, false), // never left the pins
  { id: "i2", day: "2024-03-12", type: "isometric", peakN: 4800, sessionId: "s3b" },
  rp("f", "2024-03-13", 420, "s4", 30),
  rp("g", "2024-03-13", 508, "s4"),
];

describe("days and weeks", () => {
  it("ISO weeks by hand (Monday start; week 1 holds the first Thursday)", () => {
    expect(isoWeek("2024-03-04")).toBe("2024-W10"); // 2024-01-01 was a Monday; +9 weeks
    expect(isoWeek("2024-03-10")).toBe("2024-W10"); // Sunday, same week
    expect(isoWeek("2024-03-11")).toBe("2024-W11");
    expect(isoWeek("2021-01-03")).toBe("2020-W53");
    expect(isoWeek("2024-12-30")).toBe("2025-W01");
    expect(weekMonday("2024-03-10")).toBe("2024-03-04");
    expect(dayNumber("1970-01-02")).toBe(1);
    expect(() => dayNumber("2024-02-30")).toThrow(/no such day/);
    expect(() => dayNumber("3/4/2024")).toThrow(/YYYY-MM-DD/);
  });

  it("local day of an instant for a UTC offset", () => {
    expect(localDay("2024-03-04T23:30:00Z", 60)).toBe("2024-03-05");
    expect(localDay("2024-03-04T23:30:00Z", 0)).toBe("2024-03-04");
    expect(localDay("2024-03-05T02:00:00Z", -300)).toBe("2024-03-04");
  });
});

describe("units, body weight and multiples", () => {
  it("kg ↔ lb and N → kgf/lbf", () => {
    expect(kgToLb(508)).toBeCloseTo(1119.948, 3); // 508 / 0.45359237
    expect(fromNewtons(5000, "kg")).toBeCloseTo(509.858, 3); // 5000 / 9.80665
    expect(fromNewtons(5000, "lbf")).toBeCloseTo(1124.045, 3); // 5000 / 4.4482216
  });

  it("body weight at a lift = the latest weigh-in on or before its day", () => {
    expect(bodyWeightOn(weighIns, "2024-02-28")).toBeNull();
    expect(bodyWeightOn(weighIns, "2024-03-01")?.kg).toBe(76.0);
    expect(bodyWeightOn(weighIns, "2024-03-07")?.kg).toBe(76.0);
    expect(bodyWeightOn(weighIns, "2024-03-08")?.kg).toBe(75.0);
    expect(bodyWeightOn(weighIns, "2024-03-19")?.kg).toBe(75.0);
    expect(bodyWeightOn(weighIns, "2024-04-01")?.kg).toBe(74.5);
  });

  it("each lift in kg and lb with its body-weight multiple and share of the deadlift", () => {
    const v = new Map(liftViews(lifts, weighIns).map((x) => [x.id, x]));
    const g = v.get("g")!;
    expect(g.bodyWeightKg).toBe(75.0);
    expect(g.bodyWeightMultiple).toBeCloseTo(508 / 75, 9); // 6.773
    expect(g.loadLb).toBeCloseTo(1119.948, 3);
    expect(g.ofDeadlift).toBeCloseTo(508 / 460, 9); // 1.104
    expect(g.supraMaximal).toBe(true);
    expect(v.get("b")!.bodyWeightMultiple).toBeCloseTo(471 / 76, 9); // 6.197
    expect(v.get("b")!.supraMaximal).toBe(false); // 471 < 483
    expect(v.get("c")!.supraMaximal).toBe(true); // 498 ≥ 483
    expect(v.get("e")!.supraMaximal).toBe(false); // not lifted
    const i1 = v.get("i1")!;
    expect(i1.peakKgf).toBeCloseTo(509.858, 3);
    expect(i1.bodyWeightMultiple).toBeCloseTo(509.858 / 76, 3); // 6.709
    expect(i1.loadKg).toBeNull();
    expect(deadliftBestOn(lifts, "2024-02-19")).toBeNull();
    expect(deadliftBestOn(lifts, "2024-03-13")).toBe(460);
  });

  it("exactly 105 % counts as supra-maximal", () => {
    const l: LiftEntry[] = [
      { id: "dl", day: "2024-01-01", type: "deadlift", loadKg: 400 },
      rp("x", "2024-01-02", 420, "s"),
      rp("y", "2024-01-02", 419.9, "s"),
    ];
    const v = liftViews(l, []);
    expect(v.find((x) => x.id === "x")!.supraMaximal).toBe(true);
    expect(v.find((x) => x.id === "y")!.supraMaximal).toBe(false);
    expect(v.find((x) => x.id === "x")!.bodyWeightMultiple).toBeNull(); // no weigh-in
  });
});

describe("personal records", () => {
  it("per pin height for rack pulls, peak for isometric; failed pulls are not PRs", () => {
    const prs = personalRecords(lifts, weighIns);
    expect(prs.map((p) => p.cls)).toEqual(["rackpull@30cm", "rackpull@45cm", "isometric", "deadlift"]);
    const p45 = prs.find((p) => p.cls === "rackpull@45cm")!;
    expect(p45.value).toBe(508);
    expect(p45.day).toBe("2024-03-13");
    expect(p45.history.map((h) => h.value)).toEqual([450, 471, 498, 503, 508]);
    expect(p45.bodyWeightMultiple).toBeCloseTo(6.7733, 4);
    const iso = prs.find((p) => p.cls === "isometric")!;
    expect(iso.value).toBe(5000);
    expect(iso.unit).toBe("N");
    expect(iso.history.length).toBe(1); // 4800 N later is not a PR
    expect(prs.find((p) => p.cls === "rackpull@30cm")!.value).toBe(420);
  });
});

describe("micro-loading ladder", () => {
  it("top lifted load per session with the change from the previous session", () => {
    const l = microLoadingLadder(lifts, { pinHeightCm: 45 });
    expect(l.map((s) => [s.day, s.topKg, s.deltaKg, s.isPr, s.singles])).toEqual([
      ["2024-03-04", 471, 0, true, 2],
      ["2024-03-07", 498, 27, true, 1],
      ["2024-03-10", 503, 5, true, 1], // the failed 515 is not the top
      ["2024-03-13", 508, 5, true, 1],
    ]);
    const all = microLoadingLadder(lifts);
    expect(all[all.length - 1].singles).toBe(2); // 420 @30 cm + 508 @45 cm
    expect(all[all.length - 1].topKg).toBe(508);
  });

  it("plots as an SVG step plot with the supra-maximal line", () => {
    const svg = ladderSvg(microLoadingLadder(lifts, { pinHeightCm: 45 }), { thresholdKg: 483, today: "2024-03-20" });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toMatch(/<path d="M[\d.]+ [\d.]+ H[\d.]+ V[\d.]+/);
    expect(svg).toContain("supra-maximal: 483.0 kg");
    expect(svg).toContain("2024-03-13: 508.0 kg (PR)");
    expect((svg.match(/<circle/g) ?? []).length).toBe(4);
    const lb = ladderSvg(microLoadingLadder(lifts, { pinHeightCm: 45 }), { unit: "lb" });
    expect(lb).toContain("1119.9 lb");
  });

  it("plot scales by hand: y = 0..100 on a 200 px tall plot area", () => {
    const svg = plotSvg([{ name: "a & b", points: [{ x: 0, y: 0 }, { x: 10, y: 100 }], style: "line" }], { width: 400, height: 264 });
    // margins l 64, r 24, t 16, b 48 → area 312 × 200; y padded by 8 % (−8..108)
    // point (10, 100): x = 64 + 312 = 376; y = 216 − (108/116)·200 = 29.8
    expect(svg).toContain('cx="376" cy="29.8"');
    expect(svg).toContain("a &amp; b");
    expect(niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
  });
});

describe("supra-maximal singles per week and heavy sessions", () => {
  it("counts per ISO week and warns above the budget", () => {
    const r = weeklySupraMaximal(lifts, weighIns, { weeklyBudget: 1 });
    expect(r.weeks.map((w) => [w.week, w.supraSingles, w.overBudget])).toEqual([
      ["2024-W08", 0, false], // the deadlift itself
      ["2024-W10", 2, true], // 498 (Thu) + 503 (Sun)
      ["2024-W11", 1, false], // 508
    ]);
    expect(r.warnings).toEqual([
      "week 2024-W10 (from 2024-03-04): 2 supra-maximal singles (≥ 105 % of the best deadlift), budget 1",
    ]);
    expect(weeklySupraMaximal(lifts, weighIns).warnings).toEqual([]); // default budget 20
  });

  it("21 supra-maximal singles in one week break the default budget of 20", () => {
    const many: LiftEntry[] = [{ id: "dl", day: "2024-01-01", type: "deadlift", loadKg: 400 }];
    for (let i = 0; i < 21; i++) many.push(rp(`r${i}`, `2024-01-0${8 + (i % 2)}`, 425, `s${i % 2}`));
    const r = weeklySupraMaximal(many, []);
    expect(r.weeks.find((w) => w.week === "2024-W02")!.supraSingles).toBe(21);
    expect(r.warnings.length).toBe(1);
  });

  it("rack pulls before any known deadlift are not classed", () => {
    const r = weeklySupraMaximal([rp("z", "2024-02-10", 400, "s0"), ...lifts], weighIns);
    expect(r.weeks.find((w) => w.week === "2024-W06")!.unclassified).toBe(1);
  });

  it("days since the last heavy session", () => {
    expect(daysSinceHeavy(lifts, weighIns, "2024-03-20")).toEqual({ lastHeavyDay: "2024-03-13", daysSince: 7 });
    expect(daysSinceHeavy(lifts, weighIns, "2024-03-09")).toEqual({ lastHeavyDay: "2024-03-07", daysSince: 2 });
    expect(daysSinceHeavy(lifts, weighIns, "2024-03-06")).toEqual({ lastHeavyDay: null, daysSince: null });
    expect(daysSinceHeavy(lifts, weighIns, "2024-03-06", { isometricCountsHeavy: true })).toEqual({ lastHeavyDay: "2024-03-05", daysSince: 1 });
  });

  it("the whole record and its text", () => {
    const rec = athleteRecord({ id: 1, name: "Mira", weighIns, lifts }, "2024-03-20");
    expect(rec.bodyWeightKg).toBe(74.5);
    expect(rec.deadliftBestKg).toBe(460);
    const text = formatRecord(rec);
    expect(text).toContain("rack pull from 45 cm: 508.0 kg / 1119.9 lb, 6.77 × body weight on 2024-03-13 (raised 5×)");
    expect(text).toContain("isometric: 5000 N = 509.9 kgf / 1124.0 lbf, 6.71 × body weight on 2024-03-05");
    expect(text).toContain("last heavy session: 2024-03-13, 7 day(s) ago");
    expect(text).toContain("2024-03-07: 498.0 kg / 1097.9 lb (+27.0)  PR");
  });
});

describe("store integration", () => {
  it("pin height from a session note", () => {
    expect(pinHeightFromNote("rack pulls, pins 45 cm")).toBe(45);
    expect(pinHeightFromNote("pin=52.5cm")).toBe(52.5);
    expect(pinHeightFromNote("pin height: 40 cm")).toBe(40);
    expect(pinHeightFromNote("no pins mentioned")).toBeUndefined();
  });

  it("reads weigh-ins, sessions and lifts from host/store", async () => {
    const StoreCls = Store;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-record-"));
    try {
      const store = new StoreCls(path.join(dir, "r.db"));
      const id = store.athlete("Mira");
      store.addBodyWeight(id, 76, new Date("2024-03-01T08:00:00Z"));
      store.addBodyWeight(id, 75, new Date("2024-03-08T08:00:00Z"));
      const sid = store.createSession({ channels: 2, athleteId: id, note: "pins 45 cm" });
      store.db.prepare("UPDATE sessions SET started_at = ? WHERE id = ?").run("2024-03-13T17:00:00.000Z", sid);
      const W = 508 * STANDARD_GRAVITY_MPS2;
      store.addLift(sid, { source: "host", kind: "rack pull", atS: 30, peakForceN: W, timeToPeakMs: NaN, weighedLoadN: W, timeToLiftOffMs: 420, holdMs: 2000 });
      // the board's report of the same pull: one lift, not two
      store.addLift(sid, { source: "board", kind: "rack pull", atS: 30.1, peakForceN: W, timeToPeakMs: NaN, weighedLoadN: W + 5, timeToLiftOffMs: 430, holdMs: 2000 });
      store.addLift(sid, { source: "host", kind: "rack pull", atS: 90, peakForceN: 5000, timeToPeakMs: NaN, weighedLoadN: 515 * STANDARD_GRAVITY_MPS2, timeToLiftOffMs: NaN, holdMs: NaN });
      store.addLift(sid, { source: "host", kind: "isometric", atS: 200, peakForceN: 5000, timeToPeakMs: 900, weighedLoadN: NaN, timeToLiftOffMs: NaN, holdMs: NaN });
      const other = store.createSession({ channels: 2, note: "someone else" });
      store.addLift(other, { source: "host", kind: "rack pull", atS: 1, peakForceN: 1, timeToPeakMs: NaN, weighedLoadN: 600 * STANDARD_GRAVITY_MPS2, timeToLiftOffMs: 1, holdMs: 1 });
      const a = athleteFromStore(store, id, { utcOffsetMin: 60, deadlifts: [{ day: "2024-02-20", kg: 460 }] });
      store.close();
      expect(a.name).toBe("Mira");
      expect(a.weighIns).toEqual([{ day: "2024-03-01", kg: 76 }, { day: "2024-03-08", kg: 75 }]);
      const rps = a.lifts.filter((l) => l.type === "rackpull");
      expect(rps.length).toBe(2);
      expect(rps[0].loadKg).toBeCloseTo(508, 9);
      expect(rps[0].pinHeightCm).toBe(45);
      expect(rps[0].day).toBe("2024-03-13");
      expect(rps[1].liftedOff).toBe(false);
      const rec = athleteRecord(a, "2024-03-20");
      expect(rec.prs.find((p) => p.cls === "rackpull@45cm")!.value).toBeCloseTo(508, 9);
      expect(rec.heavy.daysSince).toBe(7);
      expect(rec.lifts.find((l) => l.type === "isometric")!.bodyWeightMultiple).toBeCloseTo(509.858 / 75, 3);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("cli module", () => {
  it("parses --deadlift and registers `lifter weigh` / `lifter show`", async () => {
    const { parseDeadlift, register } = await import("../cli/commands/lifter.ts");
    expect(parseDeadlift("460@2024-02-20")).toEqual({ kg: 460, day: "2024-02-20" });
    expect(() => parseDeadlift("460")).toThrow(/<kg>@<YYYY-MM-DD>/);
    const { Command } = await import("commander");
    const program = new Command();
    register(program);
    const lifter = program.commands.find((c) => c.name() === "lifter")!;
    expect(lifter.commands.map((c) => c.name())).toEqual(["weigh", "show"]);
  });
});

describe("rackcell history shows PRs, body-weight multiples and the ladder", () => {
  const cli = (args: string[]) => runCli(args, { timeoutMs: 30000 });

  it("lists each lifter under the sessions, and the whole record with --athlete", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-history-"));
    try {
      const db = path.join(dir, "h.db");
      const store = new Store(db);
      const mira = store.athlete("Mira");
      store.addBodyWeight(mira, 75, new Date("2024-03-01T08:00:00Z"));
      // three sessions micro-loading 45 cm rack pulls: 471 → 498 → 503 kg
      for (const [day, kg] of [["2024-03-04", 471], ["2024-03-07", 498], ["2024-03-11", 503]] as const) {
        const sid = store.createSession({ channels: 2, athleteId: mira, note: "pins 45 cm" });
        store.db.prepare("UPDATE sessions SET started_at = ? WHERE id = ?").run(`${day}T17:00:00.000Z`, sid);
        store.addLift(sid, { source: "host", kind: "rack pull", atS: 30, peakForceN: kg * STANDARD_GRAVITY_MPS2, timeToPeakMs: NaN, weighedLoadN: kg * STANDARD_GRAVITY_MPS2, timeToLiftOffMs: 400, holdMs: 2000 });
      }
      store.athlete("Theo"); // no lifts yet
      store.close();

      const all = await cli(["--db", db, "history", "--today", "2024-03-15"]);
      expect(all.code, all.stderr).toBe(0);
      expect(all.stdout).toMatch(/#3 .*1 lift\(s\)/);
      expect(all.stdout).toMatch(/#3 .*\n {6}lift 3: rack pull \(host\) at 30\.0 s, weighed 503\.0 kg/); // the id `report --lift` takes
      expect(all.stdout).toContain("Mira          75.0 kg  PR rack pull @45 cm 503.0 kg (6.71 × BW) on 2024-03-11  ladder 471.0 → 498.0 → 503.0 kg\n");
      expect(all.stdout).toMatch(/Theo\s+body weight —\s+no PR yet/);

      const svg = path.join(dir, "ladder.svg");
      const one = await cli(["--db", db, "--units", "lbf", "history", "--athlete", "Mira", "--today", "2024-03-15", "--deadlift", "460@2024-02-20", "--svg", svg]);
      expect(one.code, one.stderr).toBe(0);
      expect(one.stdout).toContain("rack pull from 45 cm: 503.0 kg / 1108.9 lb, 6.71 × body weight on 2024-03-11 (raised 3×)");
      // the ladder as bars: the lightest session gets the shortest bar, the heaviest the full width
      expect(one.stdout).toMatch(/ {4}██ {18} 2024-03-04: 471\.0 kg/);
      expect(one.stdout).toMatch(/ {4}█{20} 2024-03-11: 503\.0 kg \/ 1108\.9 lb \(\+5\.0\)  PR/);
      expect(fs.readFileSync(svg, "utf8")).toMatch(/^<svg[\s\S]*micro-loading ladder[\s\S]*<\/svg>\s*$/);

      const unknown = await cli(["--db", db, "history", "--athlete", "Nobody"]);
      expect(unknown.code).not.toBe(0);
      expect(unknown.stderr).toContain('no athlete "Nobody" (known: Mira, Theo;');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
