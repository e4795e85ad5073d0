/**
 * Shapes of the board-side data the firmware shares between its modules (types only, nothing is
 * emitted). board.lua is boards/<name>.json as a Lua table (written by host/build/build.ts);
 * buildinfo.lua is `return {version=…, hash=…}`.
 */
import type { DetectorState } from "../../shared/analysis/detector.ts";
import type { Median3State } from "../../shared/filters/median3.ts";

export interface BoardChannelDef {
  name: string;
  clkPin: number;
  dataPin: number;
  hx711Mode: 0 | 1 | 2;
  reader: "hx711-module" | "gpio-bitbang";
  cell: { capacityN: number; ratedOutputMvPerV: number; excitationV: number };
}

export interface BoardDef {
  name: string;
  mcu: string;
  uartBaud: number;
  sampleRateSps: number;
  safeModePin: number;
  heapBytes: number;
  channels: BoardChannelDef[];
}

/**
 * What the firmware keeps of board.lua once started: board.lua is compiled from SPIFFS into RAM,
 * so its table (description, cells, …) is released after app.start and only this stays.
 */
export interface BoardKept {
  name: string;
  channels: Omit<BoardChannelDef, "cell">[];
}

export interface BuildInfo { version: string; hash: string }

/** A calibration point captured in RAM (not yet fitted). */
export interface CapturedPoints { counts: number[]; forceN: number[] }

/** An averaging run over the next N samples (tare, capture). */
export interface Collector {
  active: boolean;
  /** "tare" | "capture" */
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

/** Everything the resident firmware keeps; transient modules (commands, calstore…) work on it. */
export interface AppCtx {
  board: BoardKept;
  build: BuildInfo;
  nch: number;
  sps: number;
  bootId: number;
  bootReason: number;
  /** "ok" | "none" | "corrupt" */
  calState: string;
  calId: string;
  calDate: string;
  /** per channel; nPerCount 0 = uncalibrated */
  nPerCount: number[];
  zeroCounts: number[];
  fitZeroCounts: number[];
  maxResidualN: number[];
  residualSdN: number[];
  /** points behind the calibration in use (what the file holds) */
  calCounts: number[][];
  calForceN: number[][];
  calResidualN: number[][];
  /** 1 after `fit` until `save` */
  unsaved: boolean;
  capacityN: number[];
  /** captured calibration points per channel; undefined until the first capture (heap) */
  points: CapturedPoints[] | undefined;
  /** the tare/capture run in progress (undefined when idle: it exists only while needed) */
  collector: Collector | undefined;
  /** a collector is active: the sampler feeds it */
  collecting: boolean;
  streaming: boolean;
  running: boolean;
  /** newest lift id (the lifts themselves are on flash only: lifts.txt) */
  lastLiftId: number;
  /** flash ring line count, for compaction */
  liftFileLines: number;
  det: DetectorState;
  med: Median3State[];
  /** outgoing lines waiting for the paced writer, or sources of lines (the lifts replay, read from flash as it goes) */
  outbox: (string | ((this: void) => string | undefined))[];
  send: (this: void, body: string) => void;
  /** starts the paced writer for `outbox` */
  kick: (this: void) => void;
}
