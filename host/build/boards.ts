import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../paths.ts";
import { boardPinUses, pinProblems } from "../wiring/pinout.ts";

export type { BoardCell, BoardChannel, BoardDefinition, BoardWiring } from "../../shared/board/definition.d.ts";
import type { BoardDefinition } from "../../shared/board/definition.d.ts";

/** Keys of a board file only the host uses (wiring, the LFS partition): board.lua leaves them out, so the board never pays for them. */
const HOST_ONLY_BOARD_KEYS = ["wiring", "safeModeGpio", "lfsPartitionBytes"];
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
  if (!(Number.isInteger(b.lfsPartitionBytes) && b.lfsPartitionBytes > 0 && b.lfsPartitionBytes % 8192 === 0)) {
    problems.push("lfsPartitionBytes must be a positive multiple of 8192 (NodeMCU's flash pages), e.g. 131072 (0x20000)");
  }
  if (moduleReaders > 1) problems.push("NodeMCU's hx711 module drives one HX711: at most one channel may use reader hx711-module");
  if (b.mcu === "ESP32" && moduleReaders > 0) problems.push("ESP32 NodeMCU has no hx711 module: use gpio-bitbang");
  return problems;
}
