import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadBoard, type BoardDefinition } from "../build/boards.ts";
import { DEFAULT_BOARD, repoRoot } from "../paths.ts";
import { LuaBoardProcess } from "./lua-board.ts";
import { BoardFacade } from "./facade.ts";
import { installFirmware } from "./flash-install.ts";
import { resolveScenario } from "./scenario.ts";
import type { EmulatedBoard, EmulatorOptions } from "./types.ts";

/**
 * The emulated NodeMCU board: start one. Its parts: types.ts (the public API), facade.ts (the
 * board as the host sees it), link-faults.ts (the cable), clock.ts (free-running clocks),
 * flash-install.ts (the firmware on its flash), scenario.ts (what happens on the pins), and the
 * Lua process that is the board (lua-board.ts, board/).
 */
export type { BoardStats, ChipStats, EmulatedBoard, EmulatorOptions, Fault, InjectedStats, NetworkStats } from "./types.ts";
export { installFirmware } from "./flash-install.ts";
export { resolveScenario } from "./scenario.ts";

export async function startEmulatedBoard(opts: EmulatorOptions = {}): Promise<EmulatedBoard> {
  const root = repoRoot();
  const boardName = opts.board ?? DEFAULT_BOARD;
  const def: BoardDefinition = loadBoard(boardName);
  const emuDir = path.join(root, "build", "emu");
  if (!fs.existsSync(path.join(emuDir, "emu_main.lua"))) throw new Error(`${emuDir}/emu_main.lua is missing: run npm run build`);
  const seed = opts.seed ?? 1;
  const clock = opts.clock ?? "manual";
  const notice = opts.onNotice ?? (() => {});
  let flashDir = opts.flashDir;
  let ownedFlash: string | undefined;
  if (flashDir === undefined) {
    flashDir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-flash-"));
    ownedFlash = flashDir;
  }
  fs.mkdirSync(flashDir, { recursive: true });
  if (opts.install === "firmware" && fs.readdirSync(flashDir).length === 0) installFirmware(root, flashDir, boardName);

  let board: BoardFacade | undefined;
  const lua = new LuaBoardProcess(emuDir, (c) => board?.enqueueTx(c), (msg) => notice(`emulator: ${msg}`));
  board = new BoardFacade(lua, clock, seed, notice);
  if (ownedFlash) board.ownDir(ownedFlash);
  try {
    await lua.init({
      flashDir: path.resolve(flashDir),
      emuDir,
      seed,
      instructionUs: opts.instructionUs ?? 1,
      heapScale: opts.heapScale ?? 1, // the 32-bit VM's bytes are the board's (types.ts)
      scenario: resolveScenario(opts.scenario ?? "empty", def.channels.length),
      accessPoint: opts.accessPoint,
      board: { name: def.name, heapBytes: def.heapBytes, lfsPartitionBytes: opts.lfsPartitionBytes ?? def.lfsPartitionBytes, safeModePin: def.safeModePin, sampleRateSps: def.sampleRateSps, channels: def.channels },
    });
    if (opts.hostBaud !== undefined) await board.setHostBaud(opts.hostBaud);
    if (opts.pty) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-"));
      await board.attachPty(path.join(dir, "ttyEMU0"), dir);
    }
  } catch (e) {
    await board.close();
    throw e;
  }
  board.start();
  return board;
}
