/**
 * The live chart (uPlot): force per pin and total over the last WINDOW_S seconds, redrawn once per
 * animation frame with everything received since. It measures itself: time per update, frames
 * received but not yet drawn, and (through the host) the time from the host reading a frame to
 * the frame being drawn; the page shows these in its diagnostics line.
 */
import uPlot from "uplot";
import { fromNewtons, type ForceUnit } from "../../shared/units/force.ts";
import type { FrameStore } from "./frames.ts";

export const WINDOW_S = 10;
const COLORS = ["#1f77b4", "#e67e22", "#2ca02c", "#9467bd"];

/** Rolling sample of numbers with a percentile. */
export class Rolling {
  private readonly values: Float64Array;
  private n = 0;
  private next = 0;
  constructor(size = 2000) {
    this.values = new Float64Array(size);
  }
  add(v: number): void {
    this.values[this.next] = v;
    this.next = (this.next + 1) % this.values.length;
    if (this.n < this.values.length) this.n++;
  }
  percentile(p: number): number {
    if (this.n === 0) return NaN;
    const sorted = Array.from(this.values.subarray(0, this.n)).sort((a, b) => a - b);
    return sorted[Math.min(this.n - 1, Math.floor((p / 100) * this.n))];
  }
  get count(): number {
    return this.n;
  }
}

export class LiveChart {
  readonly updateMs = new Rolling();
  readonly latencyMs = new Rolling();
  /** frames (counted from the session's start) drawn so far */
  drawn = 0;
  /** sequence number of the newest frame drawn (-1: none yet) */
  drawnSeq = -1;
  private plot: uPlot | null = null;
  private unit: ForceUnit = "kg";
  private names: string[] = [];
  private started = 0;
  private pendingStats = false;
  /** store indices of the frames the pending draw adds */
  private newFrom = 0;
  private newTo = 0;

  constructor(private readonly el: HTMLElement, private readonly store: () => FrameStore | null) {}

  setup(names: string[], unit: ForceUnit): void {
    this.names = names;
    this.unit = unit;
    this.plot?.destroy();
    const series: uPlot.Series[] = [{ label: "time (s)" }];
    if (names.length > 1) names.forEach((n, i) => series.push({ label: n, stroke: COLORS[i % COLORS.length], width: 1.5 }));
    series.push({ label: "total", stroke: "#111", width: 2.5 });
    this.plot = new uPlot({
      width: Math.max(280, this.el.clientWidth),
      height: this.el.clientWidth < 600 ? 220 : 320,
      series,
      scales: { x: { time: false } },
      axes: [{ label: "s" }, { label: unit, size: 60 }],
      legend: { live: false },
      cursor: { show: false },
      hooks: { draw: [() => this.drawn_()] },
    }, this.emptyData(), this.el);
  }

  resize(): void {
    if (this.plot) this.plot.setSize({ width: Math.max(280, this.el.clientWidth), height: this.el.clientWidth < 600 ? 220 : 320 });
  }

  /** Frames received but not drawn yet. */
  behind(): number {
    const s = this.store();
    return s ? s.length + s.dropped - this.drawn : 0;
  }

  /** Draws what arrived since the last call (call once per animation frame). */
  update(): void {
    const s = this.store();
    if (!this.plot || !s || s.length + s.dropped === this.drawn) return;
    this.started = performance.now();
    this.pendingStats = true;
    const end = s.length;
    const t1 = s.timeS[end - 1];
    const from = s.indexAt(t1 - WINDOW_S);
    const data: (number | null)[][] = [Array.from(s.timeS.subarray(from, end))];
    const conv = (a: Float64Array) => {
      const out: (number | null)[] = new Array(end - from);
      for (let i = from; i < end; i++) out[i - from] = Number.isFinite(a[i]) ? fromNewtons(a[i], this.unit) : null;
      return out;
    };
    if (this.names.length > 1) for (let c = 0; c < this.names.length; c++) data.push(conv(s.forceN[c]));
    data.push(conv(s.totalN));
    this.newFrom = Math.max(from, this.drawn - s.dropped);
    this.newTo = end;
    this.drawn = end + s.dropped;
    this.drawnSeq = s.seq[end - 1];
    this.plot.setData(data as uPlot.AlignedData);
  }

  private drawn_(): void {
    if (!this.pendingStats) return;
    this.pendingStats = false;
    this.updateMs.add(performance.now() - this.started);
    // latency of the frames this draw added: from the host reading them to now, drawn
    const s = this.store();
    if (!s) return;
    const now = Date.now();
    for (let i = this.newFrom; i < this.newTo; i++) if (Number.isFinite(s.hostAtMs[i])) this.latencyMs.add(now - s.hostAtMs[i]);
  }

  private emptyData(): uPlot.AlignedData {
    return [[], ...this.names.length > 1 ? this.names.map(() => []) : [], []] as unknown as uPlot.AlignedData;
  }
}
