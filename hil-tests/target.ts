import { startEmulator, type EmulatedBoardHandle } from "../host/cli/emulated.ts";

/**
 * The device the HIL suite talks to: by default an emulated board (real firmware in the Lua VM,
 * load-cell physics) on a pseudo-terminal; a real board when RACKCELL_PORT names its port.
 * Tests that need something only the emulator can do (inject faults, place plates) or that need
 * a person at a real rack are skipped with a message saying what to set (serialport's pattern).
 */
export const REAL_PORT = process.env.RACKCELL_PORT ?? "";
export const ON_EMULATOR = REAL_PORT === "";
/** A mass (kg) the tester has put on the real rack's pins, for the weighing test. */
export const REAL_LOAD_KG = Number(process.env.RACKCELL_HIL_LOAD_KG ?? "");
/** "1" when the real rack's pins are empty (tare test). */
export const REAL_PINS_EMPTY = process.env.RACKCELL_HIL_PINS_EMPTY === "1";

const said = new Set<string>();
/** Prints why a test is skipped (once), and returns true when it is. */
export function skipped(skip: boolean, reason: string): boolean {
  if (skip && !said.has(reason)) {
    said.add(reason);
    process.stdout.write(`hil-tests: skipped: ${reason}\n`);
  }
  return skip;
}

export const NEEDS_EMULATOR = "needs the emulated board to inject faults or place loads (unset RACKCELL_PORT to run it)";
export const NEEDS_EMPTY_PINS = "on a real board, clear the pins and set RACKCELL_HIL_PINS_EMPTY=1 (tare changes the board's zero)";
export const NEEDS_LOAD = "on a real board, put a known mass on the pins and set RACKCELL_HIL_LOAD_KG=<kg> (e.g. 100)";

export interface Target {
  path: string;
  /** Present on the emulated board: faults, scenario changes, stats. */
  emulator?: EmulatedBoardHandle;
  close(): Promise<void>;
}

export async function openTarget(o: { scenario?: string; seed?: number } = {}): Promise<Target> {
  if (!ON_EMULATOR) return { path: REAL_PORT, close: async () => undefined };
  const emulator = await startEmulator({ scenario: o.scenario ?? "empty", seed: o.seed ?? 11, clock: "realtime" });
  return { path: emulator.path, emulator, close: () => emulator.close() };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `pred` holds (checked every 20 ms) or throws after `ms` with `what` in the message. */
export async function waitFor(pred: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}
