// The board's second road (README "Gym"): WiFi station and an MQTT client beside USB. app.start
// loads it only when net.cfg is on flash, so nothing of it costs heap when the network is off;
// from then on it is resident and takes every line from the output seam (sink.ts setNetSink).
//   frames   sample lines and B/H/M/G/Y records, several per message, newline-separated, QoS 0
//   lifts    one sealed E line per message, QoS 1; reply: R lines, QoS 0
//   status   retained "online" once connected; "offline" is the last will
//   cmd      commands, only those of the allow-list (shared/protocol/gym-topics.ts REMOTE_COMMANDS)
// The mqtt module's own queue is unbounded and publish returns true while it only queues (issues
// #1772, #3445), so nothing is handed to it unless connected, one message at a time, the next one
// from the publish callback; what waits is held here, bounded by bytes. Frames made while offline
// or on overflow are not sent (the host counts them missing from their sequence numbers). Lifts are
// on flash (liftlog.ts): after every (re)connect, and after a lift had to be dropped, the log is
// replayed above the last lift the broker acknowledged; the host stores each lift once.
import type { AppCtx } from "./types/rackcell.d.ts";
import { decodeNetFile, NetFile } from "../shared/board/netcfg.ts";
import { isRemoteCommand, rackClientId, rackTopic, STATUS_OFFLINE, STATUS_ONLINE } from "../shared/protocol/gym-topics.ts";
import { liftId } from "../shared/board/liftrecord.ts";
import { setNetSink, writeLine } from "./sink.ts";
import { sealSuffix, unloadTransient } from "./framer.ts";

const enum K {
  KEEPALIVE_S = 15,
  // 0.1 s of frames at 80 SPS, ≈ 280 bytes: well under MAX_RACK_PAYLOAD_BYTES and mqtt.c's 1460-byte
  // message buffer (a batch never exceeds 1024 bytes: see `batch`)
  FRAMES_PER_MSG = 8,
  // a frames message grows to this while it waits (flush)
  MESSAGE_MAX_BYTES = 1024,
  // everything waiting for the broker (the C side holds one more message at a time)
  QUEUE_MAX_BYTES = 2048,
  BACKOFF_MIN_MS = 1000,
  BACKOFF_MAX_MS = 30000,
  MAX_COMMAND_BYTES = 200,
}
// message kinds: index into `topics`
const enum Q { FRAMES = 0, LIFTS = 1, REPLY = 2, STATUS = 3 }

let ctx: AppCtx;
let client: MqttClient;
let brokerHost = "";
let brokerPort = 0;
let topics: string[] = [];
let cmdTopic = "";
let wifiUp = false;
let connected = false;
let connecting = false;
let inflight = false;
let backoffMs: number = K.BACKOFF_MIN_MS;
let retry: NodeMcuTimer | undefined;
// the bounded queue, parallel arrays: kind, payload, lift id (0: not a lift)
const qKind: number[] = [];
const qData: string[] = [];
const qLift: number[] = [];
let qBytes = 0;
// at most FRAMES_PER_MSG - 1 frames and one record (≤ 7 × 60 + 300 bytes at 4 channels): under 1024 bytes
const batch: string[] = [];
let batchN = 0;
const sbyte = string.byte;
// highest lift id the broker acknowledged; replay lifts above replayFrom when the queue is free (-1: none due)
let ackedLift = 0;
let replayFrom = 0;
let replaying: ((this: void) => string | undefined) | undefined;
let sentMsgs = 0;
let droppedMsgs = 0;
let lastFail = 0;

function clearQueue(): void {
  for (let i = qData.length - 1; i >= 0; i--) {
    qKind[i] = undefined as unknown as number;
    qData[i] = undefined as unknown as string;
    qLift[i] = undefined as unknown as number;
  }
  qBytes = 0;
  for (let i = batchN - 1; i >= 0; i--) batch[i] = undefined as unknown as string;
  batchN = 0;
}

function replayAbove(id: number): void {
  if (replayFrom < 0 || id < replayFrom) replayFrom = id;
}

function push(kind: number, data: string, lift: number): boolean {
  if (qBytes + data.length > K.QUEUE_MAX_BYTES) {
    droppedMsgs = droppedMsgs + 1;
    if (lift > 0) replayAbove(lift - 1);
    return false;
  }
  const n = qData.length;
  qKind[n] = kind;
  qData[n] = data;
  qLift[n] = lift;
  qBytes = qBytes + data.length;
  return true;
}

// The next lift of a due replay into the queue; false when there is none.
function nextReplay(): boolean {
  for (;;) {
    if (replaying === undefined) {
      if (replayFrom < 0) return false;
      const log = require("liftlog") as typeof import("./liftlog.ts");
      replaying = log.replay(ctx, replayFrom, () => "");
      replayFrom = -1;
    }
    const line = replaying();
    if (line !== undefined && line !== "") return push(Q.LIFTS, line, liftId(line));
    replaying = undefined;
  }
}

function onSent(): void {
  if (!inflight) return;
  inflight = false;
  if (qData.length > 0) {
    if (qLift[0] > ackedLift) ackedLift = qLift[0];
    qBytes = qBytes - qData[0].length;
    table.remove(qKind, 1);
    table.remove(qData, 1);
    table.remove(qLift, 1);
    sentMsgs = sentMsgs + 1;
  }
  pump();
}

// Hands the head of the queue to the client: only when connected and nothing is in flight.
function pump(): void {
  if (!connected || inflight) return;
  if (qData.length === 0 && !nextReplay()) return;
  const kind = qKind[0];
  const data = qData[0];
  // set before publish: a client may call back before publish returns
  inflight = true;
  const [ok, accepted] = pcall(client.publish, client, topics[kind], data, kind === Q.LIFTS || kind === Q.STATUS ? 1 : 0, kind === Q.STATUS ? 1 : 0, onSent);
  if (!ok || accepted !== true) {
    inflight = false;
    lost();
  }
}

// The batch as one message (older entries are overwritten by the next batch, not cleared: no work per frame).
// While a message is in flight the next frames message still waiting takes later batches too, up to
// MESSAGE_MAX_BYTES: the slower the acknowledgements come (a broker's delayed TCP ACK), the more frames
// each message carries, instead of the queue filling with small ones.
function flush(): void {
  const payload = table.concat(batch, "\n", 1, batchN);
  batchN = 0;
  const last = qData.length - 1;
  if (last >= 0 && qKind[last] === Q.FRAMES && (last > 0 || !inflight) && qData[last].length + 1 + payload.length <= K.MESSAGE_MAX_BYTES &&
    qBytes + 1 + payload.length <= K.QUEUE_MAX_BYTES) {
    qData[last] = qData[last] + "\n" + payload;
    qBytes = qBytes + 1 + payload.length;
  } else push(Q.FRAMES, payload, 0);
  pump();
}

// Every line the board writes (sink.ts): sealed rackcell lines only (eol "\n"; Chronojump's own are USB's).
// The hot path is a frame joining the batch: a few instructions per frame.
function take(body: string, tail: string, eol: string): void {
  if (!connected || eol !== "\n") return;
  const c = sbyte(body, 1);
  if (c === 83 && batchN < K.FRAMES_PER_MSG - 1) {
    batch[batchN] = body + tail;
    batchN = batchN + 1;
    return;
  }
  const line = body + tail;
  if (c === 69) {
    // E: a lift record
    if (push(Q.LIFTS, line, liftId(body))) pump();
    return;
  }
  if (c === 82) {
    // the frames made before this reply go first: a tare's reply carries the zeros of the frames after it
    if (batchN > 0) flush();
    if (push(Q.REPLY, line, 0)) pump();
    return;
  }
  // the batch's last frame, or a record (B, H, M, G, Y) going at once with the frames before it
  batch[batchN] = line;
  batchN = batchN + 1;
  flush();
}

function scheduleConnect(): void {
  if (!wifiUp || retry !== undefined) return;
  const t = tmr.create();
  retry = t;
  t.alarm(backoffMs, tmr.ALARM_SINGLE, () => {
    retry = undefined;
    connectBroker();
  });
  backoffMs = backoffMs * 2 > K.BACKOFF_MAX_MS ? K.BACKOFF_MAX_MS : backoffMs * 2;
}

// The broker is gone (offline event, a failed publish, WiFi lost): drop what waits, reconnect later.
function lost(): void {
  connected = false;
  connecting = false;
  inflight = false;
  replaying = undefined;
  clearQueue();
  replayAbove(ackedLift);
  scheduleConnect();
}

function onConnected(): void {
  connecting = false;
  connected = true;
  backoffMs = K.BACKOFF_MIN_MS;
  clearQueue();
  pcall(client.subscribe, client, cmdTopic, 1);
  push(Q.STATUS, STATUS_ONLINE, 0);
  // anything the broker did not acknowledge goes again
  replayAbove(ackedLift);
  pump();
}

function onFailed(_c: MqttClient, reason: number): void {
  connecting = false;
  lastFail = reason;
  scheduleConnect();
}

function connectBroker(): void {
  if (!wifiUp || connected || connecting) return;
  connecting = true;
  const [ok] = pcall(client.connect, client, brokerHost, brokerPort, false, onConnected, onFailed);
  if (!ok) {
    // "already connected": after a lost link mqtt.c keeps the old connection (close() only queues a
    // DISCONNECT behind the unacknowledged data) until its TCP gives up, ≈ 12 s or more. A second
    // client would connect at once but the two clients' C buffers ran the emulated board out of heap
    // (E:M), so the board asks again every second, without backoff, until the old connection is gone.
    connecting = false;
    backoffMs = K.BACKOFF_MIN_MS;
    scheduleConnect();
  }
}

function onOffline(): void {
  if (connected || connecting) lost();
}

// A command from the network: only the allow-list; anything else gets a sealed refusal.
function onMessage(_c: MqttClient, _topic: string, data: string | undefined): void {
  if (data === undefined) return;
  let line = data;
  while (line.length > 0 && (string.byte(line, line.length) === 10 || string.byte(line, line.length) === 13)) line = string.sub(line, 1, line.length - 1);
  const msgs = require("../shared/protocol/messages") as typeof import("../shared/protocol/messages.ts");
  const cmd = msgs.decodeCommand(line);
  let refusal = "";
  if (cmd.error !== "") refusal = msgs.encodeReplyError(0, cmd.error);
  else if (!isRemoteCommand(cmd.name)) refusal = msgs.encodeReplyError(cmd.id, `${cmd.name} is not allowed over the network (USB only)`);
  unloadTransient();
  if (refusal !== "") writeLine(refusal, "", "\n");
  else ctx.proto.line(line);
}

function onWifiUp(): void {
  wifiUp = true;
  backoffMs = K.BACKOFF_MIN_MS;
  if (retry !== undefined) {
    retry.unregister();
    retry = undefined;
  }
  connectBroker();
}

function onWifiDown(info: WifiEventInfo): void {
  wifiUp = false;
  if (info.reason !== undefined) lastFail = info.reason;
  if (connected || connecting) {
    pcall(client.close, client);
    lost();
  }
}

// "online" | "broker" (WiFi up, no broker) | "wifi" (no WiFi), for info.
export function state(): string {
  return connected ? "online" : wifiUp ? "broker" : "wifi";
}

// info's network counters: messages sent, messages dropped (offline frames are not counted: never made into messages), last failure code.
export function counters(): LuaMultiReturn<[number, number, number]> {
  return $multi(sentMsgs, droppedMsgs, lastFail);
}

// An interrupted save of net.cfg (netcmd.ts) is finished or undone, as calstore does for cal.txt.
function recover(): void {
  if (!file.exists(NetFile.TMP)) return;
  if (!file.exists(NetFile.CFG)) {
    const text = file.getcontents(NetFile.TMP);
    if (text !== undefined && decodeNetFile(text).error === "") {
      file.rename(NetFile.TMP, NetFile.CFG);
      return;
    }
  }
  file.remove(NetFile.TMP);
}

// Starts WiFi and the client from net.cfg; a broken file keeps the board off the network, saying why
// (an M notice in rackcell's protocol; Chronojump's says nothing at start).
export function start(app: AppCtx): void {
  ctx = app;
  recover();
  const text = file.getcontents(NetFile.CFG);
  if (text === undefined) return;
  const f = decodeNetFile(text);
  // a NodeMCU build without the wifi or mqtt module (they are chosen when the firmware is built)
  const g = _G as unknown as { wifi?: unknown; mqtt?: unknown };
  if (f.error === "" && (g.wifi === undefined || g.mqtt === undefined)) f.error = "unused: this NodeMCU firmware has no wifi or mqtt module";
  if (f.error !== "") {
    const note = `M,network off: net.cfg ${f.error}`;
    if (ctx.run.streaming) writeLine(note, sealSuffix(note), "\n");
    return;
  }
  const cfg = f.cfg;
  brokerHost = cfg.host;
  brokerPort = tonumber(cfg.port) ?? 1883;
  // in Q order
  topics = [rackTopic(cfg.gym, cfg.rack, "frames"), rackTopic(cfg.gym, cfg.rack, "lifts"), rackTopic(cfg.gym, cfg.rack, "reply"),
    rackTopic(cfg.gym, cfg.rack, "status")];
  cmdTopic = rackTopic(cfg.gym, cfg.rack, "cmd");
  client = mqtt.Client(rackClientId(cfg.gym, cfg.rack), K.KEEPALIVE_S, cfg.user, cfg.mpass, 1, K.MAX_COMMAND_BYTES + 64);
  client.lwt(topics[Q.STATUS], STATUS_OFFLINE, 1, 1);
  client.on("offline", onOffline);
  client.on("message", onMessage);
  wifi.setmode(wifi.STATION);
  wifi.eventmon.register(wifi.eventmon.STA_GOT_IP, onWifiUp);
  wifi.eventmon.register(wifi.eventmon.STA_DISCONNECTED, onWifiDown);
  wifi.sta.config({ ssid: cfg.ssid, pwd: cfg.pwd, auto: true, save: false });
  setNetSink(take);
  // an IP got before the events were registered
  if (wifi.sta.status() === wifi.STA_GOTIP) onWifiUp();
}
