import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../paths.ts";

/** A supported board, as described in boards/NAME.json (read by the build, the emulator and the host). */
export interface BoardChannel {
  name: string;
  clkPin: number;
  dataPin: number;
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
  heapBytes: number;
  /**
   * The LFS partition the board's firmware must have (bytes, a multiple of 8 KB): what the build
   * reports the image against, what the emulated board has and what `deploy` asks a real board
   * for (node.getpartitiontable()). NodeMCU's luac.cross makes a ≈101 KB image of rackcell's
   * modules, so the NodeMCU v3 boards (4 MB flash) take 128 KB (0x20000): the common 64 KB would
   * refuse it, and flash is plentiful (SPIFFS keeps 1 MB from 0x100000).
   */
  lfsPartitionBytes: number;
  channels: BoardChannel[];
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
  const board = JSON.parse(fs.readFileSync(file, "utf8")) as BoardDefinition;
  const problems = validateBoard(board);
  if (problems.length > 0) throw new Error(`${file}: ${problems.join("; ")}`);
  return board;
}

export function validateBoard(b: BoardDefinition): string[] {
  const problems: string[] = [];
  if (!/^[a-z0-9-]+$/.test(b.name ?? "")) problems.push("name must be lowercase letters, digits and '-'");
  if (b.sampleRateSps !== 10 && b.sampleRateSps !== 80) problems.push("sampleRateSps must be 10 or 80 (the HX711 RATE pin)");
  if (!Array.isArray(b.channels) || b.channels.length < 1 || b.channels.length > 4) problems.push("1 to 4 channels");
  const pins = new Set<number>();
  let moduleReaders = 0;
  for (const ch of b.channels ?? []) {
    for (const p of [ch.clkPin, ch.dataPin]) {
      if (pins.has(p)) problems.push(`pin ${p} used twice`);
      pins.add(p);
    }
    if (ch.reader === "hx711-module") moduleReaders++;
    if (!(ch.cell?.capacityN > 0) || !(ch.cell?.ratedOutputMvPerV > 0) || !(ch.cell?.excitationV > 0)) {
      problems.push(`channel ${ch.name}: cell capacityN, ratedOutputMvPerV and excitationV must be positive`);
    }
  }
  if (!(Number.isInteger(b.lfsPartitionBytes) && b.lfsPartitionBytes > 0 && b.lfsPartitionBytes % 8192 === 0)) {
    problems.push("lfsPartitionBytes must be a positive multiple of 8192 (NodeMCU's flash pages), e.g. 131072 (0x20000)");
  }
  if (pins.has(b.safeModePin)) problems.push(`safe-mode pin ${b.safeModePin} is also a channel pin`);
  if (moduleReaders > 1) problems.push("NodeMCU's hx711 module drives one HX711: at most one channel may use reader hx711-module");
  if (b.mcu === "ESP32" && moduleReaders > 0) problems.push("ESP32 NodeMCU has no hx711 module: use gpio-bitbang");
  return problems;
}
