/** Board-wide state shared by the stand-ins and board.ts (kept apart to avoid require cycles). */
export const REASON = { POWER_ON: 0, HW_WDT: 1, EXCEPTION: 2, SOFT_WDT: 3, SOFT_RESTART: 4, DEEP_SLEEP: 5, EXT_RESET: 6 };

export const B = {
  /** node.bootreason(): [rawcode, reason] (+ exception details for reason 2). */
  bootReason: [1, 0] as number[],
  restarts: 0,
  chipId: 0,
  flashId: 0x1640e0,
  onerror: undefined as ((this: void, msg: string) => void) | undefined,
  restartPending: false,
  safeLow: false,
  seed: 1,
  egcMode: 1,
  egcLevel: 4096,
  errors: 0,
  watchdogResets: 0,
  oomResets: 0,
  /** Installed by board.ts: reset the board `delayUs` from now with `reason`. */
  requestReset: (_reason: number, _delayUs: number) => {},
  /** Installed by board.ts: queue a line for the interpreter (node.input). */
  input: (_line: string) => {},
};
