import * as fs from "node:fs";
import * as path from "node:path";
import { loadBoard, type BoardDefinition } from "../build/boards.ts";
import { RATE_PIN_LOW_INTERVAL_US } from "../session/board-info.ts";
import { boardPinUses, headerPin, pinProblems } from "./pinout.ts";

/**
 * How a board file's parts are wired: every connection between the NodeMCU, each HX711 and each
 * load cell, derived from boards/NAME.json (pins, rate, cell wire colours). `rackcell wiring`
 * prints it as a table, as JSON, or draws it (./svg.ts).
 */

/** The four bridge terminals of a load cell, in the order breakouts print them. */
export const CELL_TERMINALS = ["E+", "E-", "A-", "A+"] as const;
const SUPPLIES = ["VIN", "3V3"];
const RATE_TIES: Record<string, number> = { VDD: 80, GND: 10 };
/** Where a breakout's supply pin goes, with the voltage a person checks with a meter. */
export const SUPPLY_VOLTS: Record<string, number> = { VIN: 5, "3V3": 3.3 };

export interface End {
  /** "NodeMCU", "HX711 left", "cell left". */
  part: string;
  pin: string;
  /** NodeMCU D number and GPIO, for header pins. */
  d?: number;
  gpio?: number;
}

export interface Connection {
  from: End;
  to: End;
  /** Load-cell wire colour, when the wire is the cell's own. */
  wire?: string;
  /** What the line is, in the builder's words. */
  what: string;
}

export interface ChannelWiring {
  name: string;
  reader: string;
  sck: { d: number; gpio: number };
  dt: { d: number; gpio: number };
  cellCapacityN: number;
  cellExcitationV: number;
}

export interface Wiring {
  board: string;
  description: string;
  sampleRateSps: number;
  /** Where each HX711's RATE pin is tied: VDD (80 SPS) or GND (10 SPS). */
  ratePin: string;
  hx711Vcc: string;
  hx711Vdd: string;
  safeMode: { d: number; gpio: number };
  channels: ChannelWiring[];
  cellWires: Record<string, string>;
  connections: Connection[];
  notes: string[];
}

/** What the wiring needs beyond what the build checks (validateBoard): GPIO numbers, supplies, RATE, colours. */
export function wiringProblems(b: BoardDefinition): string[] {
  if (b.mcu !== "ESP8266") return [`mcu ${b.mcu}: rackcell only knows the NodeMCU v3 (ESP8266) header`];
  const problems = pinProblems(boardPinUses(b), { requireGpio: true });
  const w = b.wiring;
  if (w === undefined) {
    problems.push(`"wiring" is missing: add { "hx711Vcc": "VIN", "hx711Vdd": "3V3", "ratePin": "VDD", "cellWires": { "E+": "red", "E-": "black", "A+": "green", "A-": "white" }, "cellWiresNote": "…" }`);
    return problems;
  }
  if (!SUPPLIES.includes(w.hx711Vcc)) problems.push(`wiring.hx711Vcc must be "VIN" (5 V) or "3V3" (got ${JSON.stringify(w.hx711Vcc)})`);
  if (w.hx711Vdd !== "3V3") problems.push(`wiring.hx711Vdd must be "3V3": the ESP8266's pins take 3.3 V logic, and VDD sets the level of DT (got ${JSON.stringify(w.hx711Vdd)})`);
  const tiedSps = RATE_TIES[w.ratePin];
  if (tiedSps === undefined) problems.push(`wiring.ratePin must be "VDD" (80 SPS) or "GND" (10 SPS) (got ${JSON.stringify(w.ratePin)})`);
  else if (tiedSps !== b.sampleRateSps) problems.push(`wiring.ratePin "${w.ratePin}" gives ${tiedSps} SPS but sampleRateSps is ${b.sampleRateSps}: tie RATE to ${b.sampleRateSps === 80 ? "VDD" : "GND"}`);
  const colours = w.cellWires ?? {};
  for (const t of CELL_TERMINALS) {
    if (typeof colours[t] !== "string" || colours[t].trim() === "") problems.push(`wiring.cellWires["${t}"] is missing (the colour of the cell's ${t} wire)`);
  }
  for (const k of Object.keys(colours)) if (!(CELL_TERMINALS as readonly string[]).includes(k)) problems.push(`wiring.cellWires has "${k}": a cell's terminals are E+, E-, A+, A-`);
  if (typeof w.cellWiresNote !== "string" || w.cellWiresNote.trim() === "") problems.push("wiring.cellWiresNote is missing (say the colours are a convention and may differ)");
  const supplyV = SUPPLY_VOLTS[w.hx711Vcc];
  for (const ch of b.channels) {
    if (supplyV !== undefined && ch.cell?.excitationV > supplyV) {
      problems.push(`channel ${ch.name}: cell excitationV ${ch.cell.excitationV} V is more than the HX711's VCC (${w.hx711Vcc}, ${supplyV} V) can give`);
    }
  }
  return problems;
}

/** A board by name (boards/NAME.json) or by path (a .json file anywhere). */
export function loadWiringBoard(nameOrFile: string): BoardDefinition {
  if (nameOrFile.endsWith(".json") || nameOrFile.includes("/")) {
    const file = path.resolve(nameOrFile);
    if (!fs.existsSync(file)) throw new Error(`board file ${file} not found`);
    return loadBoard(path.basename(file, ".json"), path.dirname(file));
  }
  return loadBoard(nameOrFile);
}

function header(d: number): End {
  return { part: "NodeMCU", pin: `D${d}`, d, gpio: headerPin(d)!.gpio };
}

/** The wiring of a valid board; throws with every problem when the board file cannot be wired as written. */
export function wiringOf(b: BoardDefinition): Wiring {
  const problems = wiringProblems(b);
  if (problems.length > 0) throw new Error(`board ${b.name}: ${problems.join("; ")}`);
  const w = b.wiring!;
  const connections: Connection[] = [];
  const channels: ChannelWiring[] = [];
  for (const ch of b.channels) {
    const hx = `HX711 ${ch.name}`;
    const cell = `cell ${ch.name}`;
    connections.push(
      { from: { part: "NodeMCU", pin: w.hx711Vcc }, to: { part: hx, pin: "VCC" }, what: `analog supply, ${SUPPLY_VOLTS[w.hx711Vcc]} V` },
      { from: { part: "NodeMCU", pin: "3V3" }, to: { part: hx, pin: "VDD" }, what: "logic supply, 3.3 V" },
      { from: { part: "NodeMCU", pin: "GND" }, to: { part: hx, pin: "GND" }, what: "ground" },
      { from: header(ch.clkPin), to: { part: hx, pin: "SCK" }, what: "clock (PD_SCK)" },
      { from: header(ch.dataPin), to: { part: hx, pin: "DT" }, what: "data (DOUT)" },
      { from: { part: hx, pin: "RATE" }, to: { part: hx, pin: w.ratePin }, what: `rate: ${b.sampleRateSps} SPS` },
    );
    for (const t of CELL_TERMINALS) {
      connections.push({ from: { part: hx, pin: t }, to: { part: cell, pin: t }, wire: w.cellWires[t], what: t.startsWith("E") ? "excitation" : "signal" });
    }
    channels.push({
      name: ch.name, reader: ch.reader, sck: { d: ch.clkPin, gpio: ch.clkGpio! }, dt: { d: ch.dataPin, gpio: ch.dataGpio! },
      cellCapacityN: ch.cell.capacityN, cellExcitationV: ch.cell.excitationV,
    });
  }
  const safe = header(b.safeModePin);
  connections.push({ from: safe, to: { part: "NodeMCU", pin: "GND" }, what: "safe mode: held low (a button to GND) at start, the application stays off" });
  const notes = [
    b.sampleRateSps === 80
      ? "RATE: 80 SPS needs RATE tied high (to VDD). Many breakouts tie RATE to GND on the board and run at 10 SPS; on those cut the trace or lift the pin and wire it to VDD. " +
        `\`rackcell info\` and \`live\` warn when a channel converts slower than every ${RATE_PIN_LOW_INTERVAL_US / 1000} ms ("RATE pin low?").`
      : "RATE: 10 SPS: RATE tied low (to GND), as most breakouts come.",
    `Cell wires: ${CELL_TERMINALS.map((t) => `${t} ${w.cellWires[t]}`).join(", ")}: ${w.cellWiresNote}.`,
    `Supplies: HX711 VCC from ${w.hx711Vcc} (${SUPPLY_VOLTS[w.hx711Vcc]} V, sets the cell excitation), VDD from 3V3 so DT never carries more than 3.3 V into the ESP8266. A breakout with a single VCC pin: feed it from 3V3 and set each cell's excitationV in the board file to the voltage measured between E+ and E-.`,
    safe.d === 3
      ? 'Safe mode: D3 (GPIO0) is the FLASH button: hold it from just after reset until the board says "safe mode" (held while pressing RST it starts the flash bootloader instead).'
      : `Safe mode: a button from D${safe.d} (GPIO${safe.gpio}) to GND, held at start, keeps the application off.`,
    "Breakouts label the lines DT or DOUT, and SCK, CLK or PD_SCK.",
  ];
  return {
    board: b.name, description: b.description, sampleRateSps: b.sampleRateSps, ratePin: w.ratePin,
    hx711Vcc: w.hx711Vcc, hx711Vdd: w.hx711Vdd, safeMode: { d: safe.d!, gpio: safe.gpio! }, channels, cellWires: { ...w.cellWires }, connections, notes,
  };
}

export function endLabel(e: End): string {
  const pin = e.gpio !== undefined ? `${e.pin} (GPIO${e.gpio})` : e.pin;
  return `${e.part} ${pin}`;
}

/** The wiring as a table a person follows with a soldering iron. */
export function wiringTable(w: Wiring): string {
  const rows = w.connections.map((c) => [endLabel(c.from), endLabel(c.to), c.wire ?? "", c.what]);
  const head = ["from", "to", "wire", "what"];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((x, i) => (i === r.length - 1 ? x : x.padEnd(width[i]))).join("  ").trimEnd();
  return [
    `${w.board}: ${w.description}`,
    `${w.sampleRateSps} samples/s: each HX711's RATE pin to ${w.ratePin}`,
    "",
    line(head),
    line(width.map((n) => "-".repeat(n))),
    ...rows.map(line),
    "",
    ...w.notes.map((n) => `- ${n}`),
  ].join("\n");
}
