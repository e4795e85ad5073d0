import { ratePinWarnings } from "../session/board-info.ts";
import { signatureStatus } from "../sign/lift-state.ts";
import type { BoardKeyRow } from "../store/board-keys.ts";
import type { LiftView } from "../session/live.ts";
import type { FrameView, IntegrityCounts, Session } from "../session/session.ts";
import { chart } from "./chart.ts";
import { formatCounts } from "./counts.ts";
import { formatForce, fromNewtons, type ForceUnit } from "../../shared/units/force.ts";

/**
 * The terminal live view: force per pin and total, a moving chart of the total, the pull peak of
 * an isometric pull, the last lift (a rack pull's weighed load and pull), and the integrity counts. On a TTY it redraws in place; otherwise it
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
  lastLift: LiftView | null;
  counts: IntegrityCounts;
  history: number[];
  notices: string[];
  /** Standing warnings from the last heartbeat (RATE pin low). */
  warnings?: string[];
  /** the board's signature of the last lift (host/sign/lift-state.ts), or that it is on its way */
  lastSignature?: string;
}

/** "1.25 s"; "—" when there is no such time. */
export function formatMs(ms: number): string {
  return Number.isFinite(ms) && ms >= 0 ? `${(ms / 1000).toFixed(2)} s` : "—";
}

/**
 * One lift in words. A rack pull's numbers are the load weighed on the pins and the lifter's pull
 * up to lift-off: its largest pin load is the set-down impact, and its pin load has no "peak" a
 * lifter made, so none is shown.
 */
export function describeLift(l: LiftView, unit: ForceUnit): string {
  const head = `${l.kind} (${l.source === "board" ? "board" : "host"}) at ${l.atS.toFixed(1)} s`;
  const parts: string[] = [];
  if (l.kind === "rack pull") {
    parts.push(Number.isFinite(l.weighedLoadN) ? `on the pins ${formatForce(l.weighedLoadN, unit)}` : "load not weighed");
    if (Number.isFinite(l.peakForceN)) parts.push(`pull force up to lift-off ${formatForce(l.peakForceN, unit)}`);
    parts.push(Number.isFinite(l.timeToLiftOffMs) ? `lift-off after ${formatMs(l.timeToLiftOffMs)}` : "no lift-off");
    if (Number.isFinite(l.holdMs)) parts.push(`held ${formatMs(l.holdMs)}`);
    if (l.reweighLoadN !== undefined && Number.isFinite(l.reweighLoadN)) {
      parts.push(`re-weighed ${formatForce(l.reweighLoadN, unit)} (difference ${formatForce(l.reweighDiffN ?? NaN, unit)})`);
    }
  } else {
    parts.push(`peak ${formatForce(Math.abs(l.peakForceN), unit)}`);
    if (Number.isFinite(l.timeToPeakMs)) parts.push(`time to peak ${formatMs(l.timeToPeakMs)}`);
  }
  return `${head}: ${parts.join(", ")}`;
}

/**
 * The largest pull into the pins since the start or a reset, for an isometric pull (the bar pushes
 * up: negative pin load); "" when the largest pin load is the bar pushing down (a rack pull's
 * resting load or set-down impact, not a force the lifter made).
 */
export function pullPeak(peakTotalN: number, unit: ForceUnit): string {
  return peakTotalN < 0 ? formatForce(-peakTotalN, unit) : "";
}

export function renderScreen(s: LiveSnapshot, unit: ForceUnit, columns = 80): string {
  const out: string[] = [];
  out.push(`${s.title}   t = ${s.timeS.toFixed(1)} s   ${s.connected ? "connected" : `\x1b[33m${s.state}\x1b[0m`}`);
  out.push("");
  const w = Math.max(...s.names.map((n) => n.length), 5);
  s.names.forEach((name, i) => out.push(`  ${name.padEnd(w)}  ${formatForce(s.forceN[i], unit).padStart(12)}`));
  const peak = pullPeak(s.peakTotalN, unit);
  out.push(`  ${"total".padEnd(w)}  ${formatForce(s.totalN, unit).padStart(12)}${peak ? `     pull peak ${peak}` : ""}`);
  out.push("");
  const plot = chart(s.history.map((n) => fromNewtons(n, unit)), Math.max(20, columns - 16), 10, (x) => x.toFixed(1));
  if (plot) out.push(plot, "");
  out.push(`  last lift: ${s.lastLift ? describeLift(s.lastLift, unit) : "none yet"}`);
  if (s.lastLift && s.lastSignature) out.push(`  signature: ${s.lastSignature}`);
  out.push(`  frames: ${formatCounts(s.counts)}`);
  if (s.notices.length > 0) out.push(`  board says: ${s.notices[s.notices.length - 1]}`);
  for (const w of s.warnings ?? []) out.push(`  \x1b[33mwarning: ${w}\x1b[0m`);
  return out.join("\n");
}

export function plainLine(s: LiveSnapshot, unit: ForceUnit): string {
  const pins = s.names.map((n, i) => `${n}=${formatForce(s.forceN[i], unit)}`).join(" ");
  const peak = pullPeak(s.peakTotalN, unit);
  return `t=${s.timeS.toFixed(2)}s ${pins} total=${formatForce(s.totalN, unit)}${peak ? ` pullpeak=${peak}` : ""} ` +
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
  /** the lift keys the host knows (the store's), to check each lift's signature as it arrives */
  keys?: BoardKeyRow[];
}

/** While the board computes a lift's signature (Ed25519 ≈ 12 s, HMAC at once). */
export const SIGNATURE_PENDING = "not signed yet (the board signs after the lift)";

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
  private lastSignature: string | undefined;

  constructor(private readonly session: Session, private readonly o: LiveViewOptions) {
    this.out = o.out ?? process.stdout;
    this.tty = !o.plain && !!this.out.isTTY;
    session.onFrame((f: FrameView) => this.history.add(f.timeS, f.totalN));
    session.onEvent((e) => {
      if (e.type === "state") {
        this.state = e.state;
        if (!this.tty) this.out.write(`state: ${e.detail}\n`);
      } else if (e.type === "lift") {
        this.lastSignature = e.lift.source === "board" ? SIGNATURE_PENDING : this.lastSignature;
        if (!this.tty) this.out.write(`lift: ${describeLift(e.lift, o.unit)}\n`);
      } else if (e.type === "signature") {
        const st = signatureStatus(e.signed, o.keys ?? []);
        this.lastSignature = st.text;
        if (!this.tty) this.out.write(`signature: board lift ${e.signed.boardLiftId}: ${st.text}\n`);
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
      lastLift: s.live.lastLift, counts: s.counts, history: this.history.values, notices: s.live.notices,
      warnings: this.warnings, lastSignature: this.lastSignature,
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
