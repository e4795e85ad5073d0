import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../paths.ts";
import { boardPinUses, pinProblems } from "../wiring/pinout.ts";

/** A supported board, as described in boards/NAME.json (read by the build, the emulator and the host). */
export interface BoardChannel {
  name: string;
  /** The HX711's PD_SCK line: NodeMCU D number (what gpio.* and hx711.init take). */
  clkPin: number;
  /** The HX711's DOUT (DT) line: NodeMCU D number. */
  dataPin: number;
  /** The ESP8266 GPIO numbers behind clkPin and dataPin, for the person wiring (checked against host/wiring/pinout.ts). */
  clkGpio?: number;
  dataGpio?: number;
  hx711Mode: 0 | 1 | 2;
  /** How the firmware reads this HX711: NodeMCU's hx711 module (one instance) or bit-banged GPIO. */
  reader: "hx711-module" | "gpio-bitbang";
  cell: { capacityN: number; ratedOutputMvPerV: number; excitationV: number };
}
export interface BoardDefinition {
  name: string;
  description: string;
  mcu: "ESP8266" | "ESP32";
  lua: "5.1" | "5.3";
  uartBaud: number;
  sampleRateSps: 10 | 80;
  safeModePin: number;
  safeModeGpio?: number;
  heapBytes: number;
  channels: BoardChannel[];
  /** How the parts are wired (host only: `rackcell wiring`); see host/wiring/wiring.ts. */
  wiring?: BoardWiring;
}

export interface BoardWiring {
  /** NodeMCU pin feeding each HX711's VCC (analog supply, sets the cell excitation): "VIN" (5 V) or "3V3". */
  hx711Vcc: string;
  /** NodeMCU pin feeding each HX711's VDD (logic: must be 3V3 on an ESP8266). */
  hx711Vdd: string;
  /** Where each HX711's RATE pin is tied: "VDD" (high, 80 SPS) or "GND" (low, 10 SPS). */
  ratePin: string;
  /** Load-cell wire colour per bridge terminal (E+, E-, A+, A-). */
  cellWires: Record<string, string>;
  /** Said beside the colours: they are a convention, not a rule. */
  cellWiresNote: string;
}

/** Keys of a board file only the host uses (wiring): board.lua leaves them out, so the board never pays for them. */
const HOST_ONLY_BOARD_KEYS = ["wiring", "safeModeGpio"];
const HOST_ONLY_CHANNEL_KEYS = ["clkGpio", "dataGpio"];

/** The board file as the firmware sees it (board.lua). */
export function firmwareBoard(b: BoardDefinition): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(b)) if (!HOST_ONLY_BOARD_KEYS.includes(k)) out[k] = v;
  out.channels = b.channels.map((ch) => {
    const c: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(ch)) if (!HOST_ONLY_CHANNEL_KEYS.includes(k)) c[k] = v;
    return c;
  });
  return out;
}

/** boards/ in the package (from the sources and from the bundle alike). */
export const BOARDS_DIR = path.join(repoRoot(), "boards");

export function listBoards(dir = BOARDS_DIR): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort();
}

export function loadBoard(name: string, dir = BOARDS_DIR): BoardDefinition {
  const file = path.join(dir, `${name}.json`);
  if (!fs.existsSync(file)) {
    throw new Error(`unknown board "${name}": choose one of ${listBoards(dir).join(", ")}`);
  }
  let board: BoardDefinition;
  try {
    board = JSON.parse(fs.readFileSync(file, "utf8")) as BoardDefinition;
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const problems = validateBoard(board);
  if (problems.length > 0) throw new Error(`${file}: ${problems.join("; ")}`);
  return board;
}

export function validateBoard(b: BoardDefinition): string[] {
  const problems: string[] = [];
  if (!/^[a-z0-9-]+$/.test(b.name ?? "")) problems.push("name must be lowercase letters, digits and '-'");
  if (b.sampleRateSps !== 10 && b.sampleRateSps !== 80) problems.push("sampleRateSps must be 10 or 80 (the HX711 RATE pin)");
  if (!Array.isArray(b.channels) || b.channels.length < 1 || b.channels.length > 4) problems.push("1 to 4 channels");
  // ESP8266: every pin named, on the NodeMCU v3 header, used once and fit for its line.
  if (b.mcu === "ESP8266") problems.push(...pinProblems(boardPinUses(b), { requireGpio: false }));
  else {
    const pins = new Set<number>();
    for (const ch of b.channels ?? []) {
      for (const p of [ch.clkPin, ch.dataPin]) {
        if (pins.has(p)) problems.push(`pin ${p} used twice`);
        pins.add(p);
      }
    }
    if (pins.has(b.safeModePin)) problems.push(`safe-mode pin ${b.safeModePin} is also a channel pin`);
  }
  let moduleReaders = 0;
  for (const ch of b.channels ?? []) {
    if (ch.reader === "hx711-module") moduleReaders++;
    if (!(ch.cell?.capacityN > 0) || !(ch.cell?.ratedOutputMvPerV > 0) || !(ch.cell?.excitationV > 0)) {
      problems.push(`channel ${ch.name}: cell capacityN, ratedOutputMvPerV and excitationV must be positive`);
    }
  }
  if (moduleReaders > 1) problems.push("NodeMCU's hx711 module drives one HX711: at most one channel may use reader hx711-module");
  if (b.mcu === "ESP32" && moduleReaders > 0) problems.push("ESP32 NodeMCU has no hx711 module: use gpio-bitbang");
  return problems;
}
