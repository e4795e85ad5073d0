/**
 * Shapes of the state the firmware's modules share (types only, nothing is emitted). The board's
 * own shape is shared/board/definition.d.ts (board.lua is boards/<name>.json as a Lua table,
 * written by host/build/build.ts); buildinfo.lua is `return {version=…, hash=…}`.
 */
import type { BoardChannel, BoardDefinition } from "../../shared/board/definition.d.ts";
import type { CalChannel } from "../../shared/board/calfile.ts";
import type { DetectorState } from "../../shared/analysis/detector.ts";
import type { Median3State } from "../../shared/filters/median3.ts";

/**
 * What the firmware keeps of board.lua once started: board.lua is compiled from SPIFFS into RAM,
 * so its table (description, cells, …) is released after app.start and only this stays.
 */
export interface BoardKept {
  name: string;
  /** channel count */
  nch: number;
  channels: (Omit<BoardChannel, "cell"> & { capacityN: number })[];
}

export type { BoardDefinition };

export interface BuildInfo { version: string; hash: string }

/** The calibration in use: one record per channel (the cal.txt format's), nPerCount 0 = uncalibrated. */
export interface Calibration {
  /** "ok" | "none" | "corrupt" | "unsaved" (after `fit` until `save`) */
  state: string;
  id: string;
  date: string;
  /** per channel; the array stays (the sampler holds it), a channel's record may be replaced */
  ch: CalChannel[];
  /** points captured for the next fit (undefined until the first capture: heap) */
  points: CapturedPoints[] | undefined;
  /** the averaging run in progress (tare, capture, …); the sampler feeds it while `active` */
  collector: Collector | undefined;
}

/** A calibration point captured in RAM (not yet fitted). */
export interface CapturedPoints { counts: number[]; forceN: number[] }

/** An averaging run over the next N samples (tare, capture, Chronojump's calibrate). */
export interface Collector {
  active: boolean;
  /** what the run is for, read by the protocol that started it ("tare", "capture", …) */
  kind: string;
  cmdId: number;
  want: number;
  n: number;
  /** channel index, or -1 for all */
  channel: number;
  forceN: number;
  /** a channel went stale during the run */
  stale: boolean;
  /** first value per channel: sums are kept relative to it (no cancellation) */
  ref: number[];
  sum: number[];
  sumSq: number[];
  sumD2: number[];
  prev: number[];
}

/** What the sampler counts; owned by the sampler, read by heartbeats and commands. */
export interface Counters {
  /** next frame's sequence number (wraps at 262144) */
  seq: number;
  /** frames written */
  sent: number;
  /** frames made (written or not) */
  frames: number;
  /** board time of the last frame, ms */
  lastMs: number;
  /** conversions lost per channel (hx711 module `dropped`, or gaps in the bit-banged times) */
  lost: number[];
  /** conversions without a partner per channel */
  unpaired: number[];
  /** measured mean interval between conversions per channel, µs (0 until measured) */
  conversionUs: number[];
}

/** Sampling and streaming state. */
export interface RunState {
  sps: number;
  /** frames are written (rackcell `stream`, Chronojump's start/end_capture) */
  streaming: boolean;
  det: DetectorState;
  med: Median3State[];
}

/** The lift log on flash (lifts themselves are on flash only: lifts.txt). */
export interface LiftLogState {
  lastId: number;
  /** flash ring line count, for compaction */
  fileLines: number;
}

/** What the app does on request of a protocol (so no protocol module imports app back). */
export interface AppControl {
  /** restarts the readers at a new rate (10 | 80) and recreates the detector */
  setRate(this: void, sps: number): void;
  /** stops sampling, timers and line input: the UART belongs to the interpreter again */
  stop(this: void): void;
  /** node.restart() after 100 ms (a requested restart, not a crash) */
  restart(this: void): void;
  /** switches the wire protocol ("rackcell" | "chronojump") and keeps it on flash: "" or why not */
  setMode(this: void, mode: string): string;
}

/**
 * The wire protocol the board speaks (firmware/proto-rackcell.ts, firmware/proto-chronojump.ts):
 * how received lines are handled and what the board writes. Every line goes out through the
 * output seam (firmware/sink.ts).
 */
export interface Protocol {
  /** the application started: calNote is the calibration notice ("" when calibrated), bootReason node.bootreason()'s */
  started(this: void, calNote: string, bootReason: number): void;
  /** one received line, its line end stripped */
  line(this: void, line: string): void;
  /** a received line longer than the line limit (dropped) */
  tooLong(this: void): void;
  /** one frame (the hot path): seq, board time µs, raw counts, flags, forces per channel */
  frame(this: void, seq: number, tUs: number, raws: number[], flags: number[], forces: number[], nch: number): void;
  /** once a second */
  heartbeat(this: void): void;
  /** the collector's run ended (from a task) */
  collected(this: void): void;
  /** a lift completed: its sealed E line (already on flash) */
  lift(this: void, sealedLine: string): void;
}

/** Everything the resident firmware keeps; transient modules (commands, calstore…) work on it. */
export interface AppCtx {
  board: BoardKept;
  bootId: number;
  cal: Calibration;
  run: RunState;
  counters: Counters;
  lifts: LiftLogState;
  control: AppControl;
  proto: Protocol;
  /**
   * network settings received over USB and not saved yet (firmware/netcmd.ts); absent otherwise
   * (not in app.ts's constructor: a ninth field there would double the table's hash part)
   */
  netStage?: Record<string, string>;
}
