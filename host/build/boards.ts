import * as fs from "node:fs";
import * as path from "node:path";

export type { BoardCell, BoardChannel, BoardDefinition } from "../../shared/board/definition.d.ts";
import type { BoardDefinition } from "../../shared/board/definition.d.ts";

/**
 * boards/ beside the package: found by walking up from this module, so it works from the sources
 * (host/build/) and from the bundle (dist/rackcell.mjs) alike.
 */
function findBoardsDir(): string {
  let dir = path.dirname(new URL(import.meta.url).pathname);
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, "boards");
    if (fs.existsSync(path.join(candidate, "nodemcu-v3-2pin.json"))) return candidate;
    dir = path.dirname(dir);
  }
  return path.resolve("boards");
}
export const BOARDS_DIR = findBoardsDir();

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
  if (pins.has(b.safeModePin)) problems.push(`safe-mode pin ${b.safeModePin} is also a channel pin`);
  if (moduleReaders > 1) problems.push("NodeMCU's hx711 module drives one HX711: at most one channel may use reader hx711-module");
  if (b.mcu === "ESP32" && moduleReaders > 0) problems.push("ESP32 NodeMCU has no hx711 module: use gpio-bitbang");
  return problems;
}
