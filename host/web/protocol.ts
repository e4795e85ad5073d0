/**
 * What the host and the page say over the WebSocket (`rackcell web`, path WS_PATH): JSON text
 * messages. The board's lines pass through unchanged, so the page runs the same session logic on
 * them as it does on Web Serial; the rest is what only the host can do (place plates on an
 * emulated board's pins).
 */
import type { BoardDefinition } from "../build/boards.ts";
import type { Placement } from "../calibrate/run.ts";
import type { SignatureState } from "../sign/lift-state.ts";

export const WS_PATH = "/ws";
/** The host's recorded sessions as JSON (WebHistory); absent when the page is not served by the host.
 * `?athlete=NAME` chooses the lifter (empty: everyone); without it, the one `rackcell web --athlete` named. */
export const HISTORY_PATH = "/api/history";

export interface WebHistory {
  /** `rackcell web --athlete NAME`: the lifter and their last weigh-in (null when never weighed) */
  lifter: { name: string; bodyWeightKg: number | null } | null;
  /** every lifter in the store, to choose from on the page (HISTORY_PATH?athlete=NAME; empty: everyone) */
  lifters: { name: string; bodyWeightKg: number | null }[];
  sessions: {
    sessionId: number; startedAt: string; durationS: number; frames: number; corruptFrames: number; missingFrames: number;
    board: string | null; lifter: string | null;
    /** sealed when the recording ended; intact: its rows still hash to the seal (`rackcell audit`) */
    sealed: boolean; sealIntact: boolean; sealProblems: string[];
    lifts: { liftId: number; kind: string; atS: number; peakForceN: number | null; weighedLoadN: number | null; timeToLiftOffMs: number | null; holdMs: number | null; signatureState: SignatureState; signatureText: string }[];
  }[];
  /** the lifter's personal records (rack pulls by pin height in kg, isometric in N) */
  prs: { cls: string; day: string; loadKg?: number; peakForceN?: number; bodyWeightMultiple: number | null }[];
}

export type HostMessage =
  /**
   * First message: what the host holds. `board` is null when it holds none (Web Serial only).
   * `state`/`detail`: the host's connection to the board right now (a page that connects while the
   * host has lost the board must know it: it would otherwise wait for a change already past).
   */
  | { t: "hello"; port: string; emulated: boolean; board: BoardDefinition | null; boards: BoardDefinition[]; state: string; detail: string }
  /** A line from the board; `at` = host clock (ms since the epoch) when the host read it. */
  | { t: "line"; l: string; at: number }
  /** The host's own connection to the board changed (lost, reconnected: `info` = the new handshake's fields). */
  | { t: "state"; state: string; detail: string; info?: Record<string, string> }
  | { t: "placed"; id: number; error: string };

export type PageMessage =
  /** A line for the board ("\n" is added by the host). */
  | { t: "write"; l: string }
  /** Put these loads on the emulated board's pins (calibration, verification). */
  | { t: "place"; id: number; placement: Placement };
