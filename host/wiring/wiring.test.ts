import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { BOARDS_DIR, firmwareBoard, listBoards, loadBoard, type BoardDefinition } from "../build/boards.ts";
import { svgToPng } from "../report/plot.ts";
import { wiringSvg } from "./svg.ts";
import { loadWiringBoard, wiringOf, wiringProblems, wiringTable } from "./wiring.ts";
import { DEFAULT_BOARD } from "../paths.ts";

const ROOT = path.join(import.meta.dirname, "..", "..");
const PICTURES = path.join(import.meta.dirname, "pictures");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-wiring-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The board file as written (not through the loader), so the checks below do not trust the model. */
function rawBoard(name: string): BoardDefinition {
  return JSON.parse(fs.readFileSync(path.join(BOARDS_DIR, `${name}.json`), "utf8")) as BoardDefinition;
}

/** The SVG group drawn for one connection. */
function groupOf(svg: string, from: string, to: string): string {
  const m = svg.match(new RegExp(`<g data-from="${from.replace(/[+]/g, "\\+")}" data-to="${to.replace(/[+]/g, "\\+")}">([\\s\\S]*?)</g>`));
  expect(m, `no drawing of ${from} → ${to}`).not.toBeNull();
  return m![1];
}

/** A board file in a scratch folder, changed by `edit`. */
function variant(name: string, edit: (b: BoardDefinition) => void): string {
  const b = structuredClone(rawBoard(DEFAULT_BOARD));
  edit(b);
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(b, null, 2));
  return file;
}

describe("boards/*.json wire up", () => {
  it("every board has its wiring and draws", () => {
    expect(listBoards().length).toBeGreaterThanOrEqual(3);
    for (const name of listBoards()) {
      const board = loadBoard(name);
      expect(wiringProblems(board), name).toEqual([]);
      const svg = wiringSvg(wiringOf(board));
      expect(svg.startsWith("<?xml")).toBe(true);
      expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    }
  });

  it("the picture names every pin of the board file, where it goes", () => {
    for (const name of listBoards()) {
      const b = rawBoard(name);
      const svg = wiringSvg(wiringOf(loadBoard(name)));
      for (const ch of b.channels) {
        const hx = `HX711 ${ch.name}`;
        expect(groupOf(svg, `NodeMCU D${ch.clkPin}`, `${hx} SCK`)).toContain(`D${ch.clkPin} · GPIO${ch.clkGpio}`);
        expect(groupOf(svg, `NodeMCU D${ch.dataPin}`, `${hx} DT`)).toContain(`D${ch.dataPin} · GPIO${ch.dataGpio}`);
        expect(groupOf(svg, `NodeMCU ${b.wiring!.hx711Vcc}`, `${hx} VCC`)).toContain(">VCC<");
        expect(groupOf(svg, "NodeMCU 3V3", `${hx} VDD`)).toContain(">3V3<");
        expect(groupOf(svg, "NodeMCU GND", `${hx} GND`)).toContain(">GND<");
        expect(groupOf(svg, `${hx} RATE`, `${hx} ${b.wiring!.ratePin}`)).toContain(`${b.wiring!.ratePin} · ${b.sampleRateSps} SPS`);
        for (const [terminal, colour] of Object.entries(b.wiring!.cellWires)) {
          expect(groupOf(svg, `${hx} ${terminal}`, `cell ${ch.name} ${terminal}`)).toContain(`>${colour}<`);
        }
      }
      expect(groupOf(svg, `NodeMCU D${b.safeModePin}`, "NodeMCU GND")).toContain("safe mode");
      expect(svg).toContain(`D${b.safeModePin} · GPIO${b.safeModeGpio}`);
    }
  });

  it("the committed pictures are what `rackcell wiring` draws now", async () => {
    for (const name of listBoards()) {
      const committed = fs.readFileSync(path.join(PICTURES, `${name}.svg`), "utf8");
      expect(committed, `host/wiring/pictures/${name}.svg is stale: npm run rackcell -- wiring --board ${name} --svg host/wiring/pictures/${name}.svg --png host/wiring/pictures/${name}.png`)
        .toBe(wiringSvg(wiringOf(loadBoard(name))));
      const png = fs.readFileSync(path.join(PICTURES, `${name}.png`));
      expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
      // a PNG drawn from an older SVG would have another height (the notes and channels set it)
      expect(png.readUInt32BE(20) / png.readUInt32BE(16)).toBeCloseTo(Number(committed.match(/height="(\d+)"/)![1]) / Number(committed.match(/width="(\d+)"/)![1]), 2);
    }
    const again = await svgToPng(fs.readFileSync(path.join(PICTURES, "nodemcu-v3-2pin.svg"), "utf8"));
    expect(again.length).toBeGreaterThan(10000);
  });

  it("the table lists every connection with its wire colour", () => {
    const t = wiringTable(wiringOf(loadBoard("nodemcu-v3-1pin")));
    expect(t).toMatch(/NodeMCU D5 \(GPIO14\)\s+HX711 total SCK/);
    expect(t).toMatch(/NodeMCU D6 \(GPIO12\)\s+HX711 total DT/);
    expect(t).toMatch(/HX711 total A\+\s+cell total A\+\s+green/);
    expect(t).toMatch(/HX711 total RATE\s+HX711 total VDD\s+rate: 80 SPS/);
    expect(t).toMatch(/NodeMCU D3 \(GPIO0\)\s+NodeMCU GND\s+safe mode/);
  });

  it("wiring keys stay out of board.lua: the board never pays for them", () => {
    const fw = firmwareBoard(loadBoard(DEFAULT_BOARD));
    expect(Object.keys(fw)).not.toContain("wiring");
    expect(Object.keys(fw)).not.toContain("safeModeGpio");
    expect(Object.keys((fw.channels as Record<string, unknown>[])[0])).toEqual(["name", "clkPin", "dataPin", "hx711Mode", "reader", "cell"]);
    const lua = fs.readFileSync(path.join(ROOT, "build", "boards", DEFAULT_BOARD, "board.lua"), "utf8");
    expect(lua).not.toMatch(/Gpio|wiring|cellWires/);
    expect(lua).toMatch(/\["clkPin"\] = 5,/);
  });
});

describe("a board file that cannot be wired as written", () => {
  it("a pin conflict is refused by the build's loader, naming both uses", () => {
    const file = variant("conflict", (b) => (b.channels[1].clkPin = 6));
    expect(() => loadWiringBoard(file)).toThrow(/pin conflict: D6 is both channel left HX711 DT and channel right HX711 SCK/);
    const safe = variant("safe-conflict", (b) => (b.safeModePin = 5));
    expect(() => loadWiringBoard(safe)).toThrow(/pin conflict: D5 is both channel left HX711 SCK and safe-mode pin/);
  });

  it("a missing pin is named by its key", () => {
    const file = variant("missing-pin", (b) => delete (b.channels[1] as Partial<BoardDefinition["channels"][number]>).dataPin);
    expect(() => loadWiringBoard(file)).toThrow(/channel right HX711 DT: channels\[1\]\.dataPin is missing/);
    const noGpio = variant("missing-gpio", (b) => delete b.channels[0].clkGpio);
    expect(() => wiringOf(loadWiringBoard(noGpio))).toThrow(/channels\[0\]\.clkGpio is missing \(D5 is GPIO14\)/);
  });

  it("a GPIO number that is not the one behind its D number, or a pin that cannot carry its line", () => {
    const wrong = variant("wrong-gpio", (b) => (b.channels[0].dataGpio = 6));
    expect(() => loadWiringBoard(wrong)).toThrow(/dataGpio 6 does not match D6, which is GPIO12 on a NodeMCU v3/);
    const boot = variant("boot-pin", (b) => ((b.channels[1].dataPin = 8), (b.channels[1].dataGpio = 15)));
    expect(() => loadWiringBoard(boot)).toThrow(/channel right HX711 DT cannot use D8: GPIO15 must be low at reset/);
    const uart = variant("uart-pin", (b) => ((b.channels[1].clkPin = 10), (b.channels[1].clkGpio = 1)));
    expect(() => loadWiringBoard(uart)).toThrow(/cannot use D10: it is UART0/);
    const nowhere = variant("no-such-pin", (b) => (b.channels[0].clkPin = 13));
    expect(() => loadWiringBoard(nowhere)).toThrow(/channels\[0\]\.clkPin 13 is not a NodeMCU v3 pin/);
  });

  it("a board file that is not there, or not JSON, says so with its path", () => {
    expect(() => loadWiringBoard(path.join(dir, "nowhere.json"))).toThrow(/board file .*nowhere\.json not found/);
    const broken = path.join(dir, "broken.json");
    fs.writeFileSync(broken, '{ "name": "broken", ');
    expect(() => loadWiringBoard(broken)).toThrow(/broken\.json: not valid JSON/);
  });

  it("RATE, supplies and wire colours must agree with the rest of the file", () => {
    const rate = variant("rate", (b) => (b.wiring!.ratePin = "GND"));
    expect(() => wiringOf(loadWiringBoard(rate))).toThrow(/wiring\.ratePin "GND" gives 10 SPS but sampleRateSps is 80: tie RATE to VDD/);
    const colour = variant("colour", (b) => delete b.wiring!.cellWires["A-"]);
    expect(() => wiringOf(loadWiringBoard(colour))).toThrow(/wiring\.cellWires\["A-"\] is missing/);
    const vdd = variant("vdd", (b) => (b.wiring!.hx711Vdd = "VIN"));
    expect(() => wiringOf(loadWiringBoard(vdd))).toThrow(/hx711Vdd must be "3V3"/);
    const low = variant("low-supply", (b) => (b.wiring!.hx711Vcc = "3V3"));
    expect(() => wiringOf(loadWiringBoard(low))).toThrow(/channel left: cell excitationV 4\.3 V is more than the HX711's VCC \(3V3, 3\.3 V\) can give/);
    const none = variant("no-wiring", (b) => delete b.wiring);
    expect(() => wiringOf(loadWiringBoard(none))).toThrow(/"wiring" is missing: add/);
  });
});

describe("rackcell wiring from the bundled CLI, in a scratch folder", () => {
  const run = promisify(execFile);
  const bundled = (args: string[]) =>
    run(process.execPath, [path.join(ROOT, "dist", "rackcell.mjs"), "wiring", ...args], { cwd: dir, env: { ...process.env, RACKCELL_PORT: "" }, timeout: 30000 })
      .then((r) => ({ code: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }));

  it("prints the table, the JSON (numbers as numbers) and draws SVG and PNG", async () => {
    const table = await bundled(["--board", DEFAULT_BOARD]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/NodeMCU D7 \(GPIO13\)\s+HX711 right SCK/);
    const json = await bundled(["--json"]);
    const w = JSON.parse(json.stdout) as ReturnType<typeof wiringOf>;
    expect(w.board).toBe(DEFAULT_BOARD);
    expect(w.sampleRateSps).toBe(80);
    expect(w.channels[1].dt).toEqual({ d: 2, gpio: 4 });
    expect(w.safeMode).toEqual({ d: 3, gpio: 0 });
    expect(w.connections.find((c) => c.to.part === "HX711 left" && c.to.pin === "SCK")!.from).toEqual({ part: "NodeMCU", pin: "D5", d: 5, gpio: 14 });
    const drawn = await bundled(["--board", "nodemcu-v3-1pin", "--svg", "w.svg", "--png", "w.png"]);
    expect(drawn.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, "w.svg"), "utf8")).toBe(wiringSvg(wiringOf(loadBoard("nodemcu-v3-1pin"))));
    expect(fs.readFileSync(path.join(dir, "w.png")).subarray(1, 4).toString("latin1")).toBe("PNG");
  });

  it("a bad board file is one clear line, no stack trace", async () => {
    const file = variant("cli-conflict", (b) => (b.channels[1].dataPin = 5));
    const r = await bundled(["--board", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^rackcell: .*cli-conflict\.json: pin conflict: D5 is both channel left HX711 SCK and channel right HX711 DT/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const unknown = await bundled(["--board", "nodemcu-v9"]);
    expect(unknown.stderr).toMatch(/unknown board "nodemcu-v9": choose one of nodemcu-v3-1pin, /);
  });

  it("has examples in its help", async () => {
    const r = await bundled(["--help"]);
    expect(r.stdout).toMatch(/Examples:\n {2}rackcell wiring/);
  });
});
