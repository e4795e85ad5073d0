import mqtt, { type MqttClient } from "mqtt";
import { defaultDetectorConfig, detectorCreate, KIND_RACKPULL } from "../../shared/analysis/detector.ts";
import { liftBody } from "../../shared/board/liftrecord.ts";
import { createMedian3, median3Step, type Median3State } from "../../shared/filters/median3.ts";
import { encodeSample, sealLine, SEQ_MODULUS } from "../../shared/protocol/frame.ts";
import { decodeCommand, encodeRecord, encodeReplyError, encodeReplyOk } from "../../shared/protocol/messages.ts";
import { formatFixed, formatInt } from "../../shared/protocol/wire-number.ts";
import { rackClientId, rackTopic, STATUS_OFFLINE, STATUS_ONLINE } from "./topics.ts";

/**
 * A simulated rack on MQTT: publishes what the firmware publishes (issue 15), built from the same
 * shared/ encoders as the firmware's USB lines: `B` at boot, sample frames (encodeSample, the board's
 * force k·(median3(raw) − z) rounded to 0.1 N) in batches of `batchMs`, an `H` heartbeat each second,
 * lifts as `E` records (liftBody) with QoS 1, retained status `online` with `offline` as last will,
 * and replies to `info` and `lifts,<sinceId>` on `cmd`. Like the board should, it keeps no frames
 * while offline (dropped, counted: the host must see them as missing) and keeps its lift log
 * (bounded, LIFT_LOG_KEEP) which it re-sends after every reconnect.
 */
export const LIFT_LOG_KEEP = 16;

export interface SimRackOptions {
  url: string;
  gym: string;
  rack: string;
  password: string;
  sps?: number;
  batchMs?: number;
  boot?: number;
  /** Record publish times of frame batches (for latency). */
  trackLatency?: boolean;
  reconnectMs?: number;
}

const CHANNELS = 2;
const N_PER_COUNT = [0.0021, 0.0019];
const ZERO_COUNTS = [12000, -8000];

export class SimRack {
  readonly topics;
  client: MqttClient | null = null;
  seq = 0;
  framesPublished = 0;
  framesDropped = 0;
  liftsMade = 0;
  /** [cumulative frames published, wall ms] per batch, when trackLatency. */
  readonly batchTimes: [number, number][] = [];
  private readonly liftLog: { id: number; line: string }[] = [];
  private readonly medians: Median3State[] = [createMedian3(), createMedian3()];
  private timer: NodeJS.Timeout | null = null;
  private readonly startMs = Date.now();
  private lastHeartbeatMs = 0;
  private booted = false;
  private readonly sps: number;
  private readonly batchMs: number;
  private readonly boot: number;
  private loadN = 900;

  constructor(readonly o: SimRackOptions) {
    this.sps = o.sps ?? 80;
    this.batchMs = o.batchMs ?? 100;
    this.boot = o.boot ?? 1 + Math.floor(Math.random() * 60000);
    this.topics = {
      frames: rackTopic(o.gym, o.rack, "frames"), lifts: rackTopic(o.gym, o.rack, "lifts"), status: rackTopic(o.gym, o.rack, "status"),
      cmd: rackTopic(o.gym, o.rack, "cmd"), reply: rackTopic(o.gym, o.rack, "reply"),
    };
  }

  private linkUp = true;

  get connected(): boolean {
    return this.linkUp && this.client?.connected === true;
  }

  /**
   * WiFi lost: from now on frames are dropped (counted); what was sent before is flushed first
   * (a QoS 1 round trip), then the socket is cut without DISCONNECT, so the broker sends the will.
   */
  async linkDown(): Promise<void> {
    this.linkUp = false;
    await this.client!.publishAsync(this.topics.status, STATUS_ONLINE, { qos: 1, retain: true });
    this.client!.end(true);
  }

  /** WiFi back: reconnects (online again, lift log re-sent, streaming resumes). */
  linkUpAgain(): void {
    this.linkUp = true;
    this.client!.reconnect();
  }

  /** Connects (rejects on a refused login) and starts streaming. */
  async start(): Promise<void> {
    const client = await mqtt.connectAsync(this.o.url, {
      clientId: rackClientId(this.o.gym, this.o.rack), username: this.o.rack, password: this.o.password, clean: true,
      reconnectPeriod: this.o.reconnectMs ?? 500, connectTimeout: 5000, queueQoSZero: false,
      will: { topic: this.topics.status, payload: Buffer.from(STATUS_OFFLINE), qos: 1, retain: true },
    });
    this.client = client;
    client.on("message", (topic, payload) => this.onCommand(payload.toString("latin1")));
    client.on("connect", () => this.onConnected());
    await this.onConnected();
    this.timer = setInterval(() => this.tick(), this.batchMs);
  }

  private async onConnected(): Promise<void> {
    const c = this.client!;
    c.publish(this.topics.status, STATUS_ONLINE, { qos: 1, retain: true });
    await c.subscribeAsync(this.topics.cmd, { qos: 1 }).catch(() => undefined);
    if (!this.booted) {
      this.booted = true;
      c.publish(this.topics.frames, encodeRecord("B", ["fw", "sim", "build", "loadgen", "board", "nodemcu-v3-2pin", "boot", formatInt(this.boot),
        "cal", "ok", "reason", "0", "ch", formatInt(CHANNELS), "sps", formatInt(this.sps)]), { qos: 0 });
    }
    // The host may have missed lifts while we were away: send the whole (bounded) log again.
    for (const l of this.liftLog) c.publish(this.topics.lifts, l.line, { qos: 1 });
  }

  /** One batch of frames (what the board gathers between two publishes). */
  tick(): void {
    const n = Math.max(1, Math.round((this.sps * this.batchMs) / 1000));
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(this.nextFrame());
    const now = Date.now();
    if (now - this.lastHeartbeatMs >= 1000) {
      this.lastHeartbeatMs = now;
      // the firmware's heartbeat fields, in its order (firmware/app.ts heartbeat())
      const pairs = ["up", formatInt(Math.floor((now - this.startMs) / 1000)), "heap", "20000", "drop", "0"];
      for (let ch = 0; ch < CHANNELS; ch++) pairs.push(`lost${ch}`, "0", `unp${ch}`, "0");
      pairs.push("boot", formatInt(this.boot), "sent", formatInt(this.framesPublished + n), "seq", formatInt((this.seq + SEQ_MODULUS - 1) % SEQ_MODULUS),
        "ms", formatInt(now - this.startMs));
      lines.push(encodeRecord("H", pairs));
    }
    if (!this.connected) {
      this.framesDropped += n; // the board keeps no frames while offline: the host counts them missing
      return;
    }
    this.client!.publish(this.topics.frames, lines.join("\n"), { qos: 0 });
    this.framesPublished += n;
    if (this.o.trackLatency) this.batchTimes.push([this.framesPublished, performance.timeOrigin + performance.now()]);
  }

  private nextFrame(): string {
    const raw: number[] = [];
    const flags: number[] = [];
    const force: number[] = [];
    for (let c = 0; c < CHANNELS; c++) {
      const counts = Math.round(ZERO_COUNTS[c] + this.loadN / 2 / N_PER_COUNT[c] + (Math.random() - 0.5) * 200);
      raw.push(counts);
      flags.push(0);
      const med = median3Step(this.medians[c], counts);
      force.push(N_PER_COUNT[c] * (med - ZERO_COUNTS[c]));
    }
    const line = encodeSample(this.seq, raw, flags, force);
    this.seq = (this.seq + 1) % SEQ_MODULUS;
    return line;
  }

  /** A finished lift: into the log and out with QoS 1 when connected (else after reconnect). */
  lift(peakForceN = 1500): number {
    const s = detectorCreate(defaultDetectorConfig(this.sps)).summary;
    const id = ++this.liftsMade;
    const t = Date.now() - this.startMs;
    Object.assign(s, {
      kind: KIND_RACKPULL, complete: true, confirmed: true, quietOk: true, baselinePinN: this.loadN, thresholdN: 50,
      onsetMs: t - 2000, peakMs: t - 1200, peakForceN, peakNetForceN: peakForceN - this.loadN, timeToPeakMs: 800,
      weighedLoadN: this.loadN, liftOffMs: t - 1900, timeToLiftOffMs: 100, setDownMs: t - 200, holdMs: 1700, endMs: t, maxGapMs: 13,
    });
    const line = sealLine(liftBody(id, this.boot, s));
    this.liftLog.push({ id, line });
    if (this.liftLog.length > LIFT_LOG_KEEP) this.liftLog.shift();
    if (this.connected) this.client!.publish(this.topics.lifts, line, { qos: 1 });
    return id;
  }

  /** Publishes raw bytes on one of this rack's topics (for garbage tests). */
  publishRaw(kind: "frames" | "lifts" | "status" | "reply", payload: string | Buffer, qos: 0 | 1 = 0): Promise<unknown> {
    return this.client!.publishAsync(this.topics[kind], payload, { qos });
  }

  private onCommand(text: string): void {
    const cmd = decodeCommand(text.replace(/\r?\n$/, ""));
    if (cmd.error !== "") return;
    const c = this.client!;
    if (cmd.name === "info") {
      const pairs = ["fw", "sim", "build", "loadgen", "board", "nodemcu-v3-2pin", "ch", formatInt(CHANNELS), "sps", formatInt(this.sps),
        "cal", "ok", "calid", "sim", "caldate", "", "stream", "1", "boot", formatInt(this.boot)];
      for (let ch = 0; ch < CHANNELS; ch++) pairs.push(`k${ch}`, formatFixed(N_PER_COUNT[ch], 9), `z${ch}`, formatFixed(ZERO_COUNTS[ch], 1));
      c.publish(this.topics.reply, encodeReplyOk(cmd.id, pairs), { qos: 1 });
    } else if (cmd.name === "lifts") {
      const since = Number(cmd.args[0] ?? "0");
      const out = this.liftLog.filter((l) => l.id > since);
      for (const l of out) c.publish(this.topics.lifts, l.line, { qos: 1 });
      c.publish(this.topics.reply, encodeReplyOk(cmd.id, ["count", formatInt(out.length)]), { qos: 1 });
    } else {
      c.publish(this.topics.reply, encodeReplyError(cmd.id, `not allowed over the network: ${cmd.name}`), { qos: 1 });
    }
  }

  /** Stops streaming; `clean` = a proper disconnect (no last will), else the socket is dropped. */
  async stop(clean = true): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (!this.client) return;
    if (clean) {
      await this.client.publishAsync(this.topics.status, STATUS_OFFLINE, { qos: 1, retain: true }).catch(() => undefined);
      await this.client.endAsync();
    } else {
      this.client.end(true);
    }
  }
}
