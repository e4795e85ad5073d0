import {
  defaultDetectorConfig, detectorCreate, detectorStep, EV_FLUSHED, EV_ISO_DONE, EV_NONE, EV_PULL_FAILED, EV_REWEIGH,
  detectorFinish, type DetectorState,
} from "../../shared/analysis/detector.ts";
import { createMedian3, median3Step, type Median3State } from "../../shared/filters/median3.ts";
import { liftId } from "../../shared/board/liftrecord.ts";
import { fieldValue, parsePairs } from "../../shared/protocol/keyvalue.ts";
import { CHANNEL_FLAG_STALE, seqDistance, SEQ_MODULUS, splitFields } from "../../shared/protocol/frame.ts";
import { conversionIntervalsUs, infoRoundingN, isCalibrated, parseBoardInfo, withZeros, type BoardInfo } from "./board-info.ts";
import { SeqClock } from "./clock.ts";
import { CommandClient, createIdAllocator, type CommandOptions, type CommandResult } from "./commands.ts";
import { createDecodedLine, decodeLine, LINE_CORRUPT, LINE_MALFORMED, LINE_SAMPLE, type DecodedLine } from "./fast-decode.ts";
import { DUPLICATE, SeqTracker, type IntegrityCounts } from "./integrity.ts";

export type { IntegrityCounts };
import { createLiveState, liftFromRecord, liftFromSummary, type LiftView, type LiveState } from "./live.ts";
import { SignatureAssembler, type SignedLiftRecords } from "./signatures.ts";

/**
 * A session: every line from the board goes through here. Samples are checked (checksum, shape),
 * placed (sequence → index → time), counted (good, corrupt, missing, duplicate), their force is
 * re-derived from raw counts with the board's calibration and compared with what the board sent,
 * and the total pin load feeds the shared lift detector. Records (heartbeat, boot, lift, notice)
 * and replies are handled too. A corrupt or missing frame never becomes a reading. The board
 * computes force as k · (median3(raw) − z) and sends the raw counts: the host runs the same
 * median so both agree to the wire's rounding.
 */

/** Board force and host-derived force may differ by the wire rounding (0.05 N) and no more. */
export const FORCE_AGREEMENT_N = 0.05 + 1e-6;

export interface LineSource {
  onLine(cb: (line: string) => void): () => void;
  write(line: string): Promise<void>;
  onState?(cb: (e: { state: string; detail: string; info?: Record<string, string> }) => void): () => void;
}

/** One accepted frame; the object is reused: copy what you keep. */
export interface FrameView {
  index: number;
  seq: number;
  timeS: number;
  channels: number;
  raw: Float64Array;
  flags: Int32Array;
  /** The reading, N: re-derived from raw counts when calibrated, else as sent; NaN when stale. */
  forceN: Float64Array;
  /** Force as the board sent it (NaN when absent). */
  wireForceN: Float64Array;
  totalN: number;
}

export type SessionEvent =
  | { type: "lift"; lift: LiftView }
  | { type: "signature"; signed: SignedLiftRecords }
  | { type: "notice"; text: string }
  | { type: "boot"; fields: Record<string, string> }
  /** conversionIntervalUs: the board's measured conversion interval per channel (`cvus<i>`, NaN when absent). */
  | { type: "heartbeat"; fields: Record<string, string>; conversionIntervalUs: number[] }
  | { type: "state"; state: string; detail: string }
  | { type: "info"; info: BoardInfo }
  | { type: "mismatch"; channel: number; wireN: number; derivedN: number; index: number };

export interface SessionOptions {
  /** Run the host-side lift detector (default true). */
  analyse?: boolean;
  nextId?: () => number;
  now?: () => number;
  /** The board's lifts already stored (by an earlier host run): a replay of one is not a new lift. */
  boardLiftsSeen?: readonly BoardLiftIdentity[];
}

/** A board lift's identity: its id (counts up across the board's boots) and the boot it was made in. */
export interface BoardLiftIdentity {
  boot: string;
  id: number;
}

const boardLiftKey = (l: BoardLiftIdentity) => `${l.boot}:${l.id}`;

export class Session {
  info: BoardInfo;
  readonly counts: IntegrityCounts = { good: 0, corrupt: 0, missing: 0, duplicates: 0, resets: 0, reconnects: 0, calibrationMismatches: 0 };
  readonly live: LiveState;
  readonly tracker = new SeqTracker();
  readonly clock: SeqClock;
  readonly commands: CommandClient;
  /** The last lines that failed their checksum (up to 5), for diagnostics. */
  readonly lastCorrupt: string[] = [];
  private readonly decoded: DecodedLine = createDecodedLine();
  private readonly frame: FrameView;
  private readonly frameSubs: ((f: FrameView) => void)[] = [];
  private readonly eventSubs: ((e: SessionEvent) => void)[] = [];
  private detector: DetectorState | null;
  private readonly unsubscribe: (() => void)[] = [];
  private wallMs: number;
  private readonly now: () => number;
  private peakFromS = 0;
  private primeFrames = 2;
  private lastBoardLiftId = 0;
  private readonly boardLiftsSeen = new Set<string>();
  private readonly signatures = new SignatureAssembler();
  private readonly medians: Median3State[] = [];

  constructor(readonly source: LineSource, infoFields: Record<string, string>, options: SessionOptions = {}) {
    this.info = parseBoardInfo(infoFields);
    this.now = options.now ?? Date.now;
    this.wallMs = this.now();
    this.clock = new SeqClock(this.info.sps);
    this.live = createLiveState(this.info.channels);
    const n = Math.max(this.info.channels, 8);
    this.frame = {
      index: -1, seq: -1, timeS: 0, channels: 0, raw: new Float64Array(n), flags: new Int32Array(n),
      forceN: new Float64Array(n), wireForceN: new Float64Array(n), totalN: NaN,
    };
    for (let c = 0; c < n; c++) this.medians.push(createMedian3());
    this.detector = options.analyse === false ? null : detectorCreate(defaultDetectorConfig(this.info.sps));
    this.commands = new CommandClient((line) => source.write(line), options.nextId ?? createIdAllocator());
    for (const l of options.boardLiftsSeen ?? []) {
      this.boardLiftsSeen.add(boardLiftKey(l));
      this.lastBoardLiftId = Math.max(this.lastBoardLiftId, l.id);
    }
    this.unsubscribe.push(source.onLine((line) => this.handleLine(line)));
    if (source.onState) {
      this.unsubscribe.push(source.onState((e) => this.linkChanged(e)));
    }
  }

  onFrame(cb: (f: FrameView) => void): void {
    this.frameSubs.push(cb);
  }

  onEvent(cb: (e: SessionEvent) => void): void {
    this.eventSubs.push(cb);
  }

  command(name: string, args: string[] = [], options: CommandOptions = {}): Promise<CommandResult> {
    return this.commands.command(name, args, options);
  }

  /** Asks the board for `info` again (after tare, calibration or a restart) and applies it. */
  refreshInfo(): Promise<CommandResult> {
    return this.command("info", [], { onOk: (fields) => this.applyInfo(fields) });
  }

  /** Tares the pins (the board averages `samples` readings) and applies the new zeros. */
  tare(samples?: number, options: CommandOptions = {}): Promise<CommandResult> {
    // The frames right after the reply already use the new zeros: apply them as the reply is read.
    return this.command("tare", samples ? [String(samples)] : [], {
      timeoutMs: 30000, ...options,
      onOk: (fields) => {
        this.info = withZeros(this.info, fields);
        this.resetPeak(); // a peak measured against the old zero means nothing now
        this.emit({ type: "info", info: this.info });
        options.onOk?.(fields);
      },
    });
  }

  applyInfo(fields: Record<string, string>): void {
    this.info = parseBoardInfo(fields, this.info);
    this.emit({ type: "info", info: this.info });
  }

  /** Resets the live peak (e.g. between sets). */
  resetPeak(): void {
    this.live.peakTotalN = NaN;
    this.live.peakAtS = NaN;
    this.peakFromS = this.live.timeS;
  }

  /** Closes an unfinished lift (end of a recording). */
  finish(): void {
    if (this.detector && detectorFinish(this.detector) !== EV_NONE) this.hostLift();
  }

  /** The highest board lift id seen (0: none): ask for `lifts,<id>` after a reconnect. */
  get lastBoardLift(): number {
    return this.lastBoardLiftId;
  }

  /** Counts input that never became a line to decode (e.g. an oversized network payload) as corrupt. */
  countCorrupt(what: string): void {
    this.counts.corrupt++;
    if (this.lastCorrupt.length >= 5) this.lastCorrupt.shift();
    this.lastCorrupt.push(what);
  }

  close(): void {
    for (const u of this.unsubscribe) u();
    this.commands.cancelAll("the session closed");
  }

  /** The hot path: one received line. */
  handleLine(line: string): void {
    this.wallMs = this.now();
    const d = this.decoded;
    const status = decodeLine(line, d);
    if (status === LINE_SAMPLE) {
      this.handleSample(d);
      return;
    }
    if (status === LINE_CORRUPT || status === LINE_MALFORMED) {
      if (line.length === 0 || (line.length === 1 && line.charCodeAt(0) === 13)) return; // blank line: nothing lost
      // NodeMCU prints its "> " prompt before the application takes the UART: the boot record
      // then arrives glued to it. Not corruption: read the line after the prompt.
      if (status === LINE_CORRUPT && line.charCodeAt(0) === 62 /* > */) {
        const rest = line.replace(/^(?:>>? )+/, "");
        if (rest.length < line.length && rest.length > 0) {
          this.handleLine(rest);
          return;
        }
      }
      this.countCorrupt(line);
      return;
    }
    this.handleText(d.body);
  }

  private handleSample(d: DecodedLine): void {
    const step = this.tracker.accept(d.seq);
    if (step === DUPLICATE) {
      this.counts.duplicates++;
      return;
    }
    this.counts.good = this.tracker.good;
    this.counts.missing = this.tracker.missing;
    this.counts.resets = this.tracker.resets;
    // The board's force comes from median3(raw): after a gap our filter has other history, so
    // the next two frames use the board's value and are not checked.
    if (step !== 1) this.primeFrames = 2;
    const check = this.primeFrames === 0;
    if (!check) this.primeFrames--;
    const f = this.frame;
    const info = this.info;
    f.index = this.tracker.index;
    f.seq = d.seq;
    f.timeS = this.clock.advance(step, this.wallMs);
    f.channels = d.channels;
    let total = 0;
    for (let c = 0; c < d.channels; c++) {
      const raw = d.raw[c];
      const wire = d.force[c];
      f.raw[c] = raw;
      f.flags[c] = d.flags[c];
      f.wireForceN[c] = wire;
      const med = median3Step(this.medians[c], raw);
      let reading = wire;
      if (check && c < info.channels && isCalibrated(info, c)) {
        reading = info.nPerCount[c] * (med - info.zeroCounts[c]);
        if (wire === wire) {
          const diff = reading - wire;
          const tol = FORCE_AGREEMENT_N + infoRoundingN(info, c, med);
          if (diff > tol || diff < -tol) {
            this.counts.calibrationMismatches++;
            if (this.counts.calibrationMismatches <= 3 || this.counts.calibrationMismatches % 1000 === 0) {
              this.emit({ type: "mismatch", channel: c, wireN: wire, derivedN: reading, index: f.index });
            }
          }
        } else {
          reading = NaN; // the board withheld it (stale, uncalibrated on the board): no reading
        }
      }
      if ((d.flags[c] & CHANNEL_FLAG_STALE) !== 0) reading = NaN;
      f.forceN[c] = reading;
      total += reading;
    }
    f.totalN = total;
    const live = this.live;
    live.timeS = f.timeS;
    live.seq = d.seq;
    for (let c = 0; c < d.channels; c++) live.forceN[c] = f.forceN[c];
    live.totalN = total;
    if (total === total && !(Math.abs(total) <= Math.abs(live.peakTotalN))) {
      live.peakTotalN = total;
      live.peakAtS = f.timeS;
      live.peakSinceS = f.timeS - this.peakFromS;
    }
    if (this.detector !== null && total === total) {
      const ev = detectorStep(this.detector, f.timeS * 1000, total);
      if (ev === EV_REWEIGH || ev === EV_ISO_DONE || ev === EV_PULL_FAILED || ev === EV_FLUSHED) this.hostLift();
    }
    for (let i = 0; i < this.frameSubs.length; i++) this.frameSubs[i](f);
  }

  private hostLift(): void {
    const lift = liftFromSummary(this.detector!.summary, this.live.timeS);
    this.live.lastLift = lift;
    this.emit({ type: "lift", lift });
  }

  private handleText(body: string): void {
    const fields = splitFields(body);
    switch (fields[0]) {
      case "R":
        this.commands.handleReply(fields);
        return;
      case "H": {
        const kv = parsePairs(fields, 1);
        const seq = Number(kv.seq);
        const boardMs = kv.ms !== undefined ? Number(kv.ms) : kv.us !== undefined ? Number(kv.us) / 1000 : kv.t !== undefined ? Number(kv.t) : NaN;
        if (this.tracker.lastSeq >= 0 && Number.isFinite(seq)) {
          let ahead = seqDistance(this.tracker.lastSeq, seq % SEQ_MODULUS);
          if (ahead > SEQ_MODULUS / 2) ahead -= SEQ_MODULUS;
          this.clock.heartbeat(this.tracker.index + ahead, boardMs);
        }
        this.emit({ type: "heartbeat", fields: kv, conversionIntervalUs: conversionIntervalsUs(kv, this.info.channels) });
        return;
      }
      case "B": {
        const kv = parsePairs(fields, 1);
        this.boardRestarted();
        this.emit({ type: "boot", fields: kv });
        void this.refreshInfo();
        return;
      }
      case "E": {
        // Lift ids count up per board; a replay (`lifts,<sinceId>` after a reconnect) may repeat some.
        const id = liftId(body);
        if (id > 0) {
          const key = boardLiftKey({ boot: fieldValue(splitFields(body), "boot"), id });
          if (this.boardLiftsSeen.has(key)) return;
          this.boardLiftsSeen.add(key);
          this.lastBoardLiftId = Math.max(this.lastBoardLiftId, id);
        }
        const lift = liftFromRecord(body, this.live.timeS);
        this.live.lastLift = lift;
        this.signatures.lift(body);
        this.emit({ type: "lift", lift });
        return;
      }
      case "G":
      case "Y": {
        const signed = this.signatures.take(body);
        if (signed !== undefined) this.emit({ type: "signature", signed });
        return;
      }
      case "M": {
        const text = fields.slice(1).join(",");
        this.live.notices.push(text);
        if (this.live.notices.length > 5) this.live.notices.shift();
        this.emit({ type: "notice", text });
        return;
      }
      default:
        return;
    }
  }

  private boardRestarted(): void {
    this.tracker.restart();
    this.counts.resets = this.tracker.resets;
    this.clock.restart();
  }

  /**
   * The link to the board changed: its source's own (onState), or the host's when the board is
   * reached through a host that watches it (the web page through `rackcell web`). A reconnect
   * with another boot id is a board restart, even when its boot record was missed.
   */
  linkChanged(e: { state: string; detail: string; info?: Record<string, string> }): void {
    this.live.connected = e.state === "connected";
    if (e.state === "connected" && e.info) {
      this.counts.reconnects++;
      const before = this.info.boot;
      this.applyInfo(e.info);
      if (before !== "" && this.info.boot !== "" && before !== this.info.boot && this.tracker.lastSeq >= 0) this.boardRestarted();
      // Lifts the board finished while we were away are in its lift log: ask for them.
      if (this.lastBoardLiftId > 0) void this.command("lifts", [String(this.lastBoardLiftId)], { timeoutMs: 10000 });
    }
    if (e.state === "closed") this.commands.cancelAll(e.detail);
    this.emit({ type: "state", state: e.state, detail: e.detail });
  }

  private emit(e: SessionEvent): void {
    for (const cb of this.eventSubs) cb(e);
  }
}
