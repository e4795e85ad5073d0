import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csvHeader, csvRow } from "./csv.ts";
import { formatForce, fromNewtons, STANDARD_GRAVITY_MPS2 } from "../../shared/units/force.ts";
import { buildProgram } from "./main.ts";
import { parseUnit } from "./options.ts";
import { History, plainLine, renderScreen, type LiveSnapshot } from "./live-view.ts";
import { startPtyBoard, type PtyBoard } from "../testing/scripted-board/pty.ts";
import { runCli } from "./testing/run-cli.ts";

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { env, timeoutMs: 30000 });

describe("units", () => {
  it("converts N to kg and lbf with the standard factors", () => {
    expect(fromNewtons(9.80665, "kg")).toBe(1);
    expect(fromNewtons(4.4482216152605, "lbf")).toBe(1);
    expect(formatForce(1961.33, "kg")).toBe("200.0 kg");
    expect(formatForce(NaN, "N")).toBe("— N");
    expect(formatForce(-0.02, "N")).toBe("0.0 N");
    expect(() => parseUnit("stone")).toThrow(/use kg, N or lbf/);
  });
});

describe("export CSV", () => {
  it("has time, force per pin and total in N, raw counts; no reading is an empty cell", () => {
    expect(csvHeader(["left", "right"])).toBe("time_s,left_N,right_N,total_N,left_raw,right_raw");
    expect(csvRow({ idx: 3, seq: 3, timeS: 0.0375, raw: [100, -5], forceN: [981.2344, NaN], totalN: NaN, flags: [0, 4] })).toBe("0.0375,981.234,,,100,-5");
  });
});

describe("live view", () => {
  const snap: LiveSnapshot = {
    title: "rackcell live — /dev/pts/3", connected: true, state: "connected", timeS: 12.34, names: ["left", "right"],
    forceN: [980.665, 1000], totalN: 1980.665, peakTotalN: 2000,
    lastLift: {
      source: "host", kind: "rack pull", atS: 11, peakForceN: 1945.6, timeToPeakMs: 800, weighedLoadN: 1963.3, timeToLiftOffMs: 700, holdMs: 2000,
      reweighLoadN: 1965.2, reweighDiffN: 1.9,
    },
    counts: { good: 987, corrupt: 2, missing: 3, duplicates: 0, resets: 0, reconnects: 1, calibrationMismatches: 0 },
    history: Array.from({ length: 40 }, (_, i) => 1900 + i), notices: [],
  };
  const iso: LiveSnapshot = {
    ...snap, totalN: -300, peakTotalN: -3000,
    lastLift: { source: "board", kind: "isometric", atS: 20, peakForceN: -3000, timeToPeakMs: 850, weighedLoadN: NaN, timeToLiftOffMs: NaN, holdMs: NaN },
  };
  it("renders pins, total, chart, last lift and counts; a rack pull shows its weighed load and pull, never its set-down impact as a peak", () => {
    const screen = renderScreen(snap, "kg", 80);
    expect(screen).toMatch(/left\s+100\.0 kg/);
    expect(screen).toMatch(/total\s+202\.0 kg\n/);
    expect(screen).not.toMatch(/peak/);
    expect(screen).toMatch(/[╭╮╯╰─]/);
    expect(screen).toMatch(/last lift: rack pull \(host\) at 11\.0 s: on the pins 200\.2 kg, pull force up to lift-off 198\.4 kg, lift-off after 0\.70 s, held 2\.00 s, re-weighed 200\.4 kg \(difference 0\.2 kg\)/);
    expect(screen).toMatch(/987 good · 2 corrupt · 3 missing · 0 dup · 0 resets · 1 reconnects/);
  });
  it("an isometric pull shows its pull peak and the detector's time to peak from onset", () => {
    const screen = renderScreen(iso, "kg", 80);
    expect(screen).toMatch(/total\s+-30\.6 kg\s+pull peak 305\.9 kg/);
    expect(screen).toMatch(/last lift: isometric \(board\) at 20\.0 s: peak 305\.9 kg, time to peak 0\.85 s/);
  });
  it("prints one plain line when not on a terminal", () => {
    expect(plainLine(snap, "N")).toBe("t=12.34s left=980.7 N right=1000.0 N total=1980.7 N good=987 corrupt=2 missing=3");
    expect(plainLine(iso, "N")).toBe("t=12.34s left=980.7 N right=1000.0 N total=-300.0 N pullpeak=3000.0 N good=987 corrupt=2 missing=3");
  });
  it("keeps a bucketed history for the chart", () => {
    const h = new History(1, 0.25);
    for (let i = 0; i < 200; i++) h.add(i / 80, i);
    expect(h.values.length).toBe(4);
  });
});

describe("program", () => {
  it("registers every command with examples in its help", () => {
    const p = buildProgram();
    const names = p.commands.map((c) => c.name());
    const mine = ["ports", "info", "tare", "live", "record", "export", "history", "audit", "emulate", "demo"];
    expect(names.slice(0, mine.length)).toEqual(mine);
    for (const c of p.commands.filter((x) => mine.includes(x.name()))) {
      let help = "";
      c.configureOutput({ writeOut: (s) => (help += s) });
      c.outputHelp();
      expect(help, c.name()).toMatch(/Examples:\n {2}rackcell/);
    }
  });
});

describe("rackcell through a pseudo-terminal (scripted board)", () => {
  let board: PtyBoard;
  let dir: string;
  const W = 150 * STANDARD_GRAVITY_MPS2;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-cli-"));
    board = await startPtyBoard({ loadN: (t) => (t < 1 ? 0 : W) });
  });
  afterAll(async () => {
    await board?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("says clearly when the port does not exist", async () => {
    const r = await cli(["--port", "/dev/ttyUSB77", "info"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/rackcell: \/dev\/ttyUSB77: no such serial port/);
  });

  it("info shows the board and its calibration", async () => {
    const r = await cli(["--port", board.path, "info"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/firmware\s+0\.1\.0 \(build ptytest\)/);
    expect(r.stdout).toMatch(/left\s+0\.0125 N\/count, zero 8000 counts/);
  });

  it("live prints plain lines when stdout is not a terminal", async () => {
    const r = await cli(["--port", board.path, "--units", "N", "live", "--seconds", "1.5"]);
    const lines = r.stdout.trim().split("\n").filter((l) => l.startsWith("t="));
    expect(lines.length).toBeGreaterThanOrEqual(8);
    expect(lines.at(-1)).toMatch(/total=1471\.0 N .*corrupt=0 missing=0/);
  });

  it("record → history → export: every frame in the database and in the CSV", async () => {
    const db = path.join(dir, "r.db");
    const rec = await cli(["--port", board.path, "--db", db, "record", "--seconds", "2", "--athlete", "Ana", "--body-weight", "75"]);
    expect(rec.code, rec.stderr).toBe(0);
    const m = /session (\d+): (\d+) frames/.exec(rec.stdout)!;
    expect(Number(m[2])).toBeGreaterThan(140);
    // the integrity counts are the recording's own: every good frame was stored (none from before it began)
    expect(rec.stdout).toMatch(new RegExp(`session ${m[1]}: ${m[2]} frames, [\\d.]+ s, 0 lift\\(s\\); ${m[2]} good · 0 corrupt · 0 missing`));
    const seal = /sealed: ([0-9a-f]{64})/.exec(rec.stdout)![1];
    const audit = await cli(["--db", db, "audit", "--expect", seal.slice(0, 16)]);
    expect(audit.code, audit.stdout).toBe(0);
    expect(audit.stdout).toContain(`session    ${m[1]}: ok   sealed ${seal.slice(0, 16)}`);
    const hist = await cli(["--db", db, "history"]);
    expect(hist.stdout).toContain(`sealed ${seal.slice(0, 8)}`);
    expect(hist.stdout).toMatch(new RegExp(`#${m[1]} .* ${m[2]} frames\\s+0 corrupt, 0 missing`));
    const csvFile = path.join(dir, "s.csv");
    const exp = await cli(["--db", db, "export", m[1], "-o", csvFile]);
    expect(exp.stderr).toMatch(new RegExp(`${m[2]} frames`));
    const rows = fs.readFileSync(csvFile, "utf8").trim().split("\n");
    expect(rows[0]).toBe("time_s,left_N,right_N,total_N,left_raw,right_raw");
    expect(rows.length - 1).toBe(Number(m[2]));
    const last = rows.at(-1)!.split(",").map(Number);
    expect(last[3]).toBeCloseTo(W, 1);
    const times = rows.slice(1).map((r) => Number(r.split(",")[0]));
    expect(times.every((t, i) => i === 0 || Math.abs(t - times[i - 1] - 1 / 80) < 1e-3)).toBe(true);
  });

  it("tare zeroes the pins", async () => {
    const r = await cli(["--port", board.path, "tare"]);
    expect(r.stdout).toMatch(/left\s+zero 66840\.0 counts/);
    expect(r.stdout).toMatch(/saved on the board/);
  });
});
