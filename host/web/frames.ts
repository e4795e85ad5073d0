/**
 * Every accepted frame of the page's session, in growable typed arrays (session time, force per
 * pin and total, raw counts), for the chart, the lifts' analysis and the CSV download. Kept up to
 * MAX_FRAMES (an hour at 80 SPS, ≈ 20 MB); older frames are dropped in blocks.
 */
import { csvHeader, csvRow } from "../cli/csv.ts";
import type { FrameView } from "../session/session.ts";

export const MAX_FRAMES = 80 * 3600;

export class FrameStore {
  length = 0;
  timeS = new Float64Array(4096);
  totalN = new Float64Array(4096);
  forceN: Float64Array[] = [];
  raw: Float64Array[] = [];
  seq = new Int32Array(4096);
  /** host clock when the host read the frame (NaN over Web Serial) */
  hostAtMs = new Float64Array(4096);
  /** frames dropped from the front since the start */
  dropped = 0;

  constructor(readonly channels: number) {
    for (let c = 0; c < channels; c++) {
      this.forceN.push(new Float64Array(4096));
      this.raw.push(new Float64Array(4096));
    }
  }

  add(f: FrameView, hostAtMs = NaN): void {
    if (this.length === this.timeS.length) this.grow();
    const i = this.length++;
    this.timeS[i] = f.timeS;
    this.totalN[i] = f.totalN;
    this.seq[i] = f.seq;
    this.hostAtMs[i] = hostAtMs;
    for (let c = 0; c < this.channels; c++) {
      this.forceN[c][i] = c < f.channels ? f.forceN[c] : NaN;
      this.raw[c][i] = c < f.channels ? f.raw[c] : NaN;
    }
  }

  /** Index of the first frame at or after `timeS`. */
  indexAt(timeS: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.timeS[mid] < timeS) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Plain arrays of the frames from `fromS` to `toS` (for the analysis). */
  slice(fromS: number, toS: number): { timesMs: number[]; totalN: number[]; forceN: number[][] } {
    const a = this.indexAt(fromS);
    const b = this.indexAt(toS + 1e-9);
    const timesMs: number[] = [];
    const totalN: number[] = [];
    const forceN: number[][] = this.forceN.map(() => []);
    for (let i = a; i < b; i++) {
      if (!Number.isFinite(this.totalN[i])) continue;
      timesMs.push(this.timeS[i] * 1000);
      totalN.push(this.totalN[i]);
      for (let c = 0; c < this.channels; c++) forceN[c].push(this.forceN[c][i]);
    }
    return { timesMs, totalN, forceN };
  }

  /** The frames as `rackcell export` writes a session (host/cli/csv.ts). */
  csv(names: string[]): string {
    const rows: string[] = [csvHeader(names)];
    const forceN = new Float64Array(this.channels);
    const raw = new Float64Array(this.channels);
    for (let i = 0; i < this.length; i++) {
      for (let c = 0; c < this.channels; c++) {
        forceN[c] = this.forceN[c][i];
        raw[c] = this.raw[c][i];
      }
      rows.push(csvRow({ timeS: this.timeS[i], forceN, totalN: this.totalN[i], raw }));
    }
    return `${rows.join("\n")}\n`;
  }

  private grow(): void {
    if (this.length >= MAX_FRAMES) {
      const drop = this.length >> 2;
      for (const a of [this.timeS, this.totalN, this.hostAtMs, ...this.forceN, ...this.raw]) a.copyWithin(0, drop, this.length);
      this.seq.copyWithin(0, drop, this.length);
      this.length -= drop;
      this.dropped += drop;
      return;
    }
    const size = this.timeS.length * 2;
    const bigger = (a: Float64Array) => {
      const b = new Float64Array(size);
      b.set(a);
      return b;
    };
    this.timeS = bigger(this.timeS);
    this.totalN = bigger(this.totalN);
    this.hostAtMs = bigger(this.hostAtMs);
    this.forceN = this.forceN.map(bigger);
    this.raw = this.raw.map(bigger);
    const seq = new Int32Array(size);
    seq.set(this.seq);
    this.seq = seq;
  }
}
