import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadBoard, type BoardDefinition } from "../build/boards.ts";
import { idealCounts } from "../emulator/board/physics/index.ts";
import { installFirmware, startEmulatedBoard, type EmulatedBoard } from "../emulator/index.ts";
import { DEFAULT_BOARD, repoRoot } from "../paths.ts";
import { emptyCalChannel, encodeCalFile } from "../../shared/board/calfile.ts";

/**
 * The emulated board as the CLI uses it when no --port is given: the firmware installed on a
 * fresh flash with a "factory" calibration file made from the board's nominal cell data (rated
 * output, excitation, gain), so readings are in newtons from the start. Its zero is nominal:
 * commands that need an exact zero tare first (the scenarios start with empty pins).
 */
export type EmulatedBoardHandle = EmulatedBoard & { path: string };

export interface EmulatorStartOptions {
  board?: string;
  scenario?: string;
  seed?: number;
  clock?: "realtime" | "fast" | "manual";
  /** The host's baud rate (--baud): another than the firmware's garbles the link, as with a real board. */
  hostBaud?: number;
  /** Write the nominal calibration (default true). */
  calibrated?: boolean;
  /** The WiFi access point of the board's world (--wifi-ssid, --wifi-password). */
  accessPoint?: { ssid: string; password: string };
}

/** cal.txt for the board's nominal cells: k = N per count of an ideal HX711 and cell, z = ideal zero. */
export function nominalCalibration(def: BoardDefinition): string {
  const channels = def.channels.map((ch) => {
    const zero = idealCounts(ch.cell, 0, ch.hx711Mode);
    const span = idealCounts(ch.cell, ch.cell.capacityN, ch.hx711Mode) - zero;
    return { ...emptyCalChannel(), nPerCount: ch.cell.capacityN / span, zeroCounts: zero, fitZeroCounts: zero };
  });
  return encodeCalFile("nominal", "emulated", channels);
}

/** A fresh flash directory with the firmware (and the nominal calibration unless told not to). */
export function prepareFlash(name: string, calibrated = true): string {
  const def = loadBoard(name);
  const flashDir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-flash-"));
  try {
    installFirmware(repoRoot(), flashDir, name);
    if (calibrated) fs.writeFileSync(path.join(flashDir, "cal.txt"), nominalCalibration(def));
  } catch (err) {
    fs.rmSync(flashDir, { recursive: true, force: true });
    throw err;
  }
  return flashDir;
}

function removingFlashOnClose(board: EmulatedBoard, flashDir: string): EmulatedBoardHandle {
  const close = board.close.bind(board);
  board.close = async () => {
    await close();
    fs.rmSync(flashDir, { recursive: true, force: true });
  };
  return board as EmulatedBoardHandle;
}

export async function startEmulator(o: EmulatorStartOptions): Promise<EmulatedBoardHandle> {
  const name = o.board ?? DEFAULT_BOARD;
  const flashDir = prepareFlash(name, o.calibrated !== false);
  try {
    const board = await startEmulatedBoard({
      board: name, flashDir, install: "none", pty: true, clock: o.clock ?? "realtime",
      scenario: o.scenario ?? "empty", ...(o.seed !== undefined ? { seed: o.seed } : {}),
      ...(o.hostBaud !== undefined ? { hostBaud: o.hostBaud } : {}),
      ...(o.accessPoint !== undefined ? { accessPoint: o.accessPoint } : {}),
      onNotice: (m) => process.stderr.write(`${m}\n`),
    });
    return removingFlashOnClose(board, flashDir);
  } catch (err) {
    fs.rmSync(flashDir, { recursive: true, force: true });
    throw err;
  }
}
