/**
 * Host side of the validation pipeline: the board's lines → checked frames (openLine +
 * decodeSample from shared/protocol) → a time series of pin loads per channel.
 *
 * Time: sample frames carry only a sequence number; sample i (unwrapped seq) is placed at
 * firstMs + (seq − firstSeq) · periodMs. Lost frames leave gaps (the analysis widens its time
 * resolution over gaps). Force: the frame's calibrated force when present; otherwise raw counts
 * through `uncalibrated` (nominal sensitivity and a zero), and the record says which was used.
 */
import { decodeSample, openLine, seqDistance } from "../../shared/protocol/frame.ts";

export interface DecodedSeries {
  timesMs: number[];
  leftN: number[];
  rightN: number[];
  rawLeft: number[];
  rawRight: number[];
  flags: number[][];
  frames: number;
  /** lines that failed the checksum or were malformed sample frames */
  badLines: number;
  /** frames missing according to the sequence numbers */
  lostFrames: number;
  /** other kinds of lines (replies, heartbeats, messages) seen */
  otherLines: number;
  /** "frame" when every sample had calibrated forces, "raw" when computed from counts, "mixed" */
  forceSource: "frame" | "raw" | "mixed" | "none";
}

export interface DecodeOptions {
  periodMs: number;
  /** time of the first frame (ms) on the common time base */
  firstMs: number;
  /** channel indices of the left and right pins in the frame (default 0, 1) */
  leftChannel?: number;
  rightChannel?: number;
  /** counts → N when a frame has no calibrated force: (raw − zero[ch]) / countsPerN[ch] */
  uncalibrated?: { zeroCounts: number[]; countsPerN: number[] };
  /** take forces from raw counts even when the frame has them */
  forceRaw?: boolean;
}

export function decodeLines(lines: string[], o: DecodeOptions): DecodedSeries {
  const L = o.leftChannel ?? 0;
  const R = o.rightChannel ?? 1;
  const out: DecodedSeries = {
    timesMs: [],
    leftN: [],
    rightN: [],
    rawLeft: [],
    rawRight: [],
    flags: [],
    frames: 0,
    badLines: 0,
    lostFrames: 0,
    otherLines: 0,
    forceSource: "none",
  };
  let prevSeq = -1;
  let index = 0;
  let fromFrame = 0;
  let fromRaw = 0;
  for (const line of lines) {
    const opened = openLine(line);
    if (opened.error !== "") {
      out.badLines++;
      continue;
    }
    if (opened.body.charCodeAt(0) !== 83) {
      out.otherLines++;
      continue;
    }
    const f = decodeSample(opened.body);
    if (f.seq < 0 || f.rawCounts.length <= Math.max(L, R)) {
      out.badLines++;
      continue;
    }
    if (prevSeq >= 0) {
      const d = seqDistance(prevSeq, f.seq);
      if (d === 0) continue; // repeated frame
      index += d;
      out.lostFrames += d - 1;
    }
    prevSeq = f.seq;
    const force = (ch: number): number => {
      const v = f.forceN[ch];
      if (!o.forceRaw && v === v && v !== undefined) {
        fromFrame++;
        return v;
      }
      if (o.uncalibrated === undefined) return NaN;
      fromRaw++;
      return (f.rawCounts[ch] - o.uncalibrated.zeroCounts[ch]) / o.uncalibrated.countsPerN[ch];
    };
    const l = force(L);
    const r = force(R);
    if (l !== l || r !== r) {
      out.badLines++;
      continue;
    }
    out.timesMs.push(o.firstMs + index * o.periodMs);
    out.leftN.push(l);
    out.rightN.push(r);
    out.rawLeft.push(f.rawCounts[L]);
    out.rawRight.push(f.rawCounts[R]);
    out.flags.push(f.flags);
    out.frames++;
  }
  out.forceSource = fromFrame > 0 && fromRaw > 0 ? "mixed" : fromFrame > 0 ? "frame" : fromRaw > 0 ? "raw" : "none";
  return out;
}
