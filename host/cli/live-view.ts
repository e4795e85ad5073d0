import { ratePinWarnings } from "../session/board-info.ts";
import type { LiftView } from "../session/live.ts";
import type { FrameView, IntegrityCounts, Session } from "../session/session.ts";
import { chart } from "./chart.ts";
import { formatForce, fromNewtons, type ForceUnit } from "../../shared/units/force.ts";

/**
 * The terminal live view: force per pin and total, a moving chart of the total, peak and time to
 * peak, the last lift, and the integrity counts. On a TTY it redraws in place; otherwise it
 * prints one plain line per tick (≈100 ms) and one line per lift, for logs and pipes.
 */
export interface LiveSnapshot {
  title: string;
  connected: boolean;
  state: string;
  timeS: number;
  names: string[];
  forceN: number[];
  totalN: number;
  peakTotalN: number;
  peakSinceS: number;
  lastLift: LiftView | null;
  counts: IntegrityCounts;
  history: number[];
  notices: string[];
  /** Standing warnings from the last heartbeat (RATE pin low). */
  warnings?: string[];
}

/** "1.25 s"; "—" when there is no such time. */
export function formatMs(ms: number): string {
  return Number.isFinite(ms) && ms >= 0 ? `${(ms / 1000).toFixed(2)} s` : "—";
}

export function describeLift(l: LiftView, unit: ForceUnit): string {
  const parts = [`${l.kind} (${l.source === "board" ? "board" : "host"}) at ${l.atS.toFixed(1)} s`];
  if (Number.isFinite(l.weighedLoadN)) parts.push(`weighed ${formatForce(l.weighedLoadN, unit)}`);
  parts.push(`peak ${formatForce(l.peakForceN, unit)}`);
  if (Number.isFinite(l.timeToPeakMs)) parts.push(`time to peak ${formatMs(l.timeToPeakMs)}`);
  if (Number.isFinite(l.timeToLiftOffMs)) parts.push(`lift-off after ${formatMs(l.timeToLiftOffMs)}`);
  if (Number.isFinite(l.holdMs)) parts.push(`held ${formatMs(l.holdMs)}`);
  return parts.join(", ");
}

export function formatCounts(c: IntegrityCounts): string {
  return `${c.good} good · ${c.corrupt} corrupt · ${c.missing} missing · ${c.duplicates} dup · ${c.resets} resets · ${c.reconnects} reconnects` +
    (c.calibrationMismatches > 0 ? ` · ${c.calibrationMismatches} force mismatches` : "");
}

export function renderScreen(s: LiveSnapshot, unit: ForceUnit, columns = 80): string {
  const out: string[] = [];
  out.push(`${s.title}   t = ${s.timeS.toFixed(1)} s   ${s.connected ? "connected" : `\x1b[33m${s.state}\x1b[0m`}`);
  out.push("");
  const w = Math.max(...s.names.map((n) => n.length), 5);
  s.names.forEach((name, i) => out.push(`  ${name.padEnd(w)}  ${formatForce(s.forceN[i], unit).padStart(12)}`));
  out.push(`  ${"total".padEnd(w)}  ${formatForce(s.totalN, unit).padStart(12)}     peak ${formatForce(s.peakTotalN, unit)}, time to peak ${Number.isFinite(s.peakTotalN) ? `${s.peakSinceS.toFixed(2)} s` : "—"}`);
  out.push("");
  const plot = chart(s.history.map((n) => fromNewtons(n, unit)), Math.max(20, columns - 16), 10, (x) => x.toFixed(1));
  if (plot) out.push(plot, "");
  out.push(`  last lift: ${s.lastLift ? describeLift(s.lastLift, unit) : "none yet"}`);
  out.push(`  frames: ${formatCounts(s.counts)}`);
  if (s.notices.length > 0) out.push(`  board says: ${s.notices[s.notices.length - 1]}`);
  for (const w of s.warnings ?? []) out.push(`  \x1b[33mwarning: ${w}\x1b[0m`);
  return out.join("\n");
}

export function plainLine(s: LiveSnapshot, unit: ForceUnit): string {
  const pins = s.names.map((n, i) => `${n}=${formatForce(s.forceN[i], unit)}`).join(" ");
  return `t=${s.timeS.toFixed(2)}s ${pins} total=${formatForce(s.totalN, unit)} peak=${formatForce(s.peakTotalN, unit)} ttp=${Number.isFinite(s.peakTotalN) ? s.peakSinceS.toFixed(2) : "-"}s ` +
    `good=${s.counts.good} corrupt=${s.counts.corrupt} missing=${s.counts.missing}${s.connected ? "" : ` state=${s.state}`}`;
}

/** Keeps the last `seconds` of totals for the chart, one value per `bucketS`. */
export class History {
  readonly values: number[] = [];
  private bucketEnd = -1;
  private sum = 0;
  private n = 0;
  constructor(private readonly seconds = 10, private readonly bucketS = 0.125) {}
  add(timeS: number, totalN: number): void {
    if (this.bucketEnd < 0) this.bucketEnd = timeS + this.bucketS;
    if (timeS >= this.bucketEnd) {
      this.values.push(this.n > 0 ? this.sum / this.n : NaN);
      if (this.values.length > this.seconds / this.bucketS) this.values.shift();
      this.sum = 0;
      this.n = 0;
      this.bucketEnd = timeS + this.bucketS;
    }
    if (Number.isFinite(totalN)) {
      this.sum += totalN;
      this.n++;
    }
  }
}

export interface LiveViewOptions {
  unit: ForceUnit;
  title: string;
  out?: NodeJS.WriteStream | { write(s: string): boolean; isTTY?: boolean; columns?: number };
  tickMs?: number;
  /** Force plain output even on a TTY. */
  plain?: boolean;
}

export class LiveView {
  private readonly history = new History();
  private timer: NodeJS.Timeout | undefined;
  private state = "connected";
  private readonly out: NonNullable<LiveViewOptions["out"]>;
  private readonly tty: boolean;
  private lastFrames = -1;
  private warnings: string[] = [];
  /** Channels whose RATE warning was printed (plain output says it once per channel). */
  private readonly warned = new Set<number>();

  constructor(private readonly session: Session, private readonly o: LiveViewOptions) {
    this.out = o.out ?? process.stdout;
    this.tty = !o.plain && !!this.out.isTTY;
    session.onFrame((f: FrameView) => this.history.add(f.timeS, f.totalN));
    session.onEvent((e) => {
      if (e.type === "state") {
        this.state = e.state;
        if (!this.tty) this.out.write(`state: ${e.detail}\n`);
      } else if (e.type === "lift" && !this.tty) {
        this.out.write(`lift: ${describeLift(e.lift, o.unit)}\n`);
      } else if (e.type === "notice" && !this.tty) {
        this.out.write(`board: ${e.text}\n`);
      } else if (e.type === "heartbeat") {
        const found = ratePinWarnings(session.info.sps, e.conversionIntervalUs, session.info.channelNames);
        this.warnings = found.map((w) => w.text);
        for (const w of found) {
          if (!this.tty && !this.warned.has(w.channel)) this.out.write(`warning: ${w.text}\n`);
          this.warned.add(w.channel);
        }
      } else if (e.type === "mismatch" && !this.tty) {
        this.out.write(`warning: channel ${e.channel} force ${e.wireN} N from the board, ${e.derivedN.toFixed(2)} N from its raw counts and calibration\n`);
      }
    });
  }

  snapshot(): LiveSnapshot {
    const s = this.session;
    return {
      title: this.o.title, connected: s.live.connected, state: this.state, timeS: s.live.timeS,
      names: s.info.channelNames, forceN: s.live.forceN, totalN: s.live.totalN, peakTotalN: s.live.peakTotalN,
      peakSinceS: s.live.peakSinceS, lastLift: s.live.lastLift, counts: s.counts, history: this.history.values, notices: s.live.notices,
      warnings: this.warnings,
    };
  }

  start(): void {
    if (this.tty) this.out.write("\x1b[?25l");
    this.timer = setInterval(() => this.tick(), this.o.tickMs ?? 100);
  }

  tick(): void {
    const snap = this.snapshot();
    if (this.tty) {
      this.out.write(`\x1b[H\x1b[J${renderScreen(snap, this.o.unit, this.out.columns ?? 80)}\n`);
    } else if (snap.counts.good !== this.lastFrames) {
      this.lastFrames = snap.counts.good;
      this.out.write(`${plainLine(snap, this.o.unit)}\n`);
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.tick();
    if (this.tty) this.out.write("\x1b[?25h");
  }
}
