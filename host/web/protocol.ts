/**
 * What the host and the page say over the WebSocket (`rackcell web`, path WS_PATH): JSON text
 * messages. The board's lines pass through unchanged, so the page runs the same session logic on
 * them as it does on Web Serial; the rest is what only the host can do (place plates on an
 * emulated board's pins).
 */
import type { BoardDefinition } from "../build/boards.ts";
import type { Placement } from "../calibrate/run.ts";

export const WS_PATH = "/ws";

export type HostMessage =
  /** First message: what the host holds. `board` is null when it holds none (Web Serial only). */
  | { t: "hello"; port: string; emulated: boolean; board: BoardDefinition | null; boards: BoardDefinition[] }
  /** A line from the board; `at` = host clock (ms since the epoch) when the host read it. */
  | { t: "line"; l: string; at: number }
  /** The host's own connection to the board changed (lost, reconnected). */
  | { t: "state"; state: string; detail: string }
  | { t: "placed"; id: number; error: string };

export type PageMessage =
  /** A line for the board ("\n" is added by the host). */
  | { t: "write"; l: string }
  /** Put these loads on the emulated board's pins (calibration, verification). */
  | { t: "place"; id: number; placement: Placement };
