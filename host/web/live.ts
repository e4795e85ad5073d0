/**
 * The page's model, without DOM or serial: lines in, readings and counts out. The same codec as
 * everywhere (shared/protocol): a line is accepted only when its checksum holds; sample frames
 * are placed by sequence number (gaps count as missing, repeats as duplicates).
 */
import { decodeSample, openLine, seqDistance, splitFields } from "../../shared/protocol/frame.ts";

export type Unit = "kg" | "N" | "lbf";
export const G = 9.80665;
export const LBF_N = 4.4482216152605;

export function toUnit(n: number, u: Unit): number {
  return u === "N" ? n : u === "kg" ? n / G : n / LBF_N;
}

export function formatForce(n: number, u: Unit): string {
  return Number.isFinite(n) ? `${toUnit(n, u).toFixed(u === "N" ? 0 : 1)} ${u}` : "—";
}

export interface Sample { timeS: number; seq: number; raw: number[]; forceN: number[]; totalN: number }

export class LiveModel {
  good = 0;
  corrupt = 0;
  missing = 0;
  duplicates = 0;
  sps = 80;
  channelNames: string[] = [];
  board = "";
  peakN = Number.NaN;
  last: Sample | null = null;
  /** recent samples for the chart (last `keepS` seconds) */
  readonly history: Sample[] = [];
  recording = false;
  readonly recorded: Sample[] = [];
  private lastSeq = -1;
  private unwrapped = 0;

  constructor(readonly keepS = 10) {}

  /** One received line (without "\n"). */
  line(text: string): void {
    const o = openLine(text);
    if (o.error !== "") {
      if (text.replace(/\r$/, "").length > 0) this.corrupt++;
      return;
    }
    if (o.body.charCodeAt(0) === 83 /* S */) {
      const f = decodeSample(o.body);
      if (f.seq < 0) {
        this.corrupt++;
        return;
      }
      if (this.lastSeq >= 0) {
        const d = seqDistance(this.lastSeq, f.seq);
        if (d === 0) {
          this.duplicates++;
          return;
        }
        if (d > 1 && d < 1000) this.missing += d - 1;
        this.unwrapped += d < 1000 ? d : 1;
      }
      this.lastSeq = f.seq;
      this.good++;
      let total = 0;
      let any = false;
      for (const x of f.forceN) if (Number.isFinite(x)) {
        total += x;
        any = true;
      }
      const s: Sample = { timeS: this.unwrapped / this.sps, seq: f.seq, raw: f.rawCounts, forceN: f.forceN, totalN: any ? total : Number.NaN };
      this.last = s;
      if (any && !(total <= this.peakN)) this.peakN = total;
      this.history.push(s);
      while (this.history.length > 0 && this.history[0].timeS < s.timeS - this.keepS) this.history.shift();
      if (this.recording) this.recorded.push(s);
      return;
    }
    const fields = splitFields(o.body);
    if (fields[0] === "R" || fields[0] === "B") {
      for (const kv of fields) {
        const eq = kv.indexOf("=");
        if (eq <= 0) continue;
        const k = kv.slice(0, eq);
        const v = kv.slice(eq + 1);
        if (k === "sps" && Number(v) > 0) this.sps = Number(v);
        if (k === "board") this.board = v;
        if (k === "ch" && Number(v) > 0) this.channelNames = Number(v) === 2 ? ["left", "right"] : Array.from({ length: Number(v) }, (_, i) => `ch${i}`);
      }
    }
  }

  resetPeak(): void {
    this.peakN = Number.NaN;
  }

  csv(): string {
    const n = this.recorded.reduce((m, s) => Math.max(m, s.raw.length), 0);
    const names = this.channelNames.length === n ? this.channelNames : Array.from({ length: n }, (_, i) => (n === 2 ? ["left", "right"][i] : `ch${i}`));
    const head = ["time_s", "seq", ...names.map((c) => `${c}_raw`), ...names.map((c) => `${c}_n`), "total_n"];
    const rows = this.recorded.map((s) => [s.timeS.toFixed(4), s.seq, ...s.raw, ...s.forceN.map((x) => (Number.isFinite(x) ? x.toFixed(1) : "")), Number.isFinite(s.totalN) ? s.totalN.toFixed(1) : ""].join(","));
    return `${head.join(",")}\n${rows.join("\n")}\n`;
  }
}

/** Splits a byte stream into lines; bytes are taken as latin1 so checksums see the bytes sent. */
export class LineSplitter {
  private rest = "";
  push(bytes: Uint8Array, out: (line: string) => void): void {
    let s = this.rest;
    for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    let start = 0;
    for (;;) {
      const nl = s.indexOf("\n", start);
      if (nl < 0) break;
      out(s.slice(start, nl));
      start = nl + 1;
    }
    this.rest = s.slice(start);
    if (this.rest.length > 4096) this.rest = "";
  }
}
