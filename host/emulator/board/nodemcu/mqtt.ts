/**
 * mqtt: NodeMCU's MQTT 3.1.1 client, a stand-in for app/modules/mqtt.c (C on a board: its Lua
 * here is never counted as the firmware's instructions) over tcp.ts, whose bytes reach a REAL
 * broker. What mqtt.c does, kept here:
 * - One queue (msg_queue.c) for everything after CONNECT, sent one packet at a time: the next
 *   goes only when the network acknowledged the last (espconn's sent callback); a QoS 1 PUBLISH,
 *   SUBSCRIBE and UNSUBSCRIBE stay at the head until their PUBACK/SUBACK/UNSUBACK.
 * - The queue is unbounded: publish() queues and returns true whenever the TCP connection is up,
 *   even when the link under it is dead (issues #1772, #3445). While a segment is unacknowledged
 *   nothing else is sent and the keepalive timer does nothing (it acts only on an empty queue), so
 *   the queue grows until lwIP gives up (tcp.ts, ≈575 s) or the heap runs out. Every queued
 *   message is charged (c-heap.ts): msg_queue_t + its bytes.
 * - publish/subscribe/unsubscribe raise "not connected" without a TCP connection; connect()
 *   raises "already connected" with one. A dropped connection calls the connfail callback
 *   (mqtt.CONN_FAIL_SERVER_NOT_FOUND, from espconn's reconnect callback) and then "offline".
 * - Timers: 5 s (MQTT_SEND_TIMEOUT) for CONNECT to be sent and for CONNACK; keepalive s after
 *   the last acknowledged send, then PINGREQ; a second expiry with the PINGREQ unanswered closes.
 * One difference: a failure found inside connect() (no IP: lwIP's ERR_RTE, reported as
 * CONN_FAIL_DNS by mqtt.c) reaches the callback right after connect() returns, not inside it.
 */
import { K, api, apiError, ledgerAllocated } from "../kernel.ts";
import { PRIO_MED, schedule2 } from "../events.ts";
import { B } from "../state.ts";
import { C_SIZE, blockBytes, chargeC, releaseC } from "./c-heap.ts";
import { tcpOpen } from "./tcp.ts";
import * as P from "./mqtt-packets.ts";
import { CONN_FAIL, EVENTS, MQ, ST_INIT, TYPE, book, call, clearQueue, disarm, disconnected, enqueue, handler, sendIfPossible, type Fn, type Mud } from "./mqtt-session.ts";

export { MQ } from "./mqtt-session.ts";

const MQTT_DEFAULT_KEEPALIVE = 60;
const DEFAULT_MAX_MESSAGE_LENGTH = 1024;
// A client is a userdata (newproxy) as on the board; its state is the userdata's environment
// table (debug.setfenv), so the two are collected together once nothing holds the client.
const dbg = debug as unknown as { setfenv(this: void, u: unknown, t: unknown): void; getfenv(this: void, u: unknown): unknown };

// ---- the Lua API ---------------------------------------------------------------------------------
function mudOf(self: unknown, fn: string): Mud {
  const m = type(self) === "userdata" && getmetatable(self as object) === meta ? (dbg.getfenv(self) as Mud) : undefined;
  if (m === undefined) return apiError(`bad argument #1 to '${fn}' (mqtt.socket expected, got ${type(self)})`);
  return m;
}

function isString(v: unknown): boolean {
  return type(v) === "string" || type(v) === "number";
}

const methods: Record<string, unknown> = {
  connect: api((self: unknown, host: unknown, ...rest: unknown[]) => {
    const m = mudOf(self, "connect");
    if (m.connected) return apiError("already connected");
    m.sending = false;
    let i = 0;
    let port = 1883;
    if (type(rest[i]) === "number") { port = rest[i] as number; i += 1; }
    if (type(rest[i]) === "number" || type(rest[i]) === "boolean") {
      if (rest[i] === true || (type(rest[i]) === "number" && rest[i] !== 0)) return apiError("ssl not available");
      i += 1;
    }
    if (type(rest[i]) === "function") m.cb.connect = rest[i] as Fn;
    i += 1;
    if (type(rest[i]) === "function") m.cb.connfail = rest[i] as Fn;
    if (type(host) !== "string") return apiError("bad argument #2 to 'connect' (string expected)");
    if (!m.espTcp) { chargeC(blockBytes(C_SIZE.espTcp)); m.espTcp = true; }
    disarm(m);
    m.state = ST_INIT;
    const c = tcpOpen(host as string, port, handler, m);
    if (c === "route" || c === "full") {
      // espconn_connect failed: mqtt.c reports CONN_FAIL_DNS and releases everything.
      schedule2(K.now, PRIO_MED, (mm: Mud) => { call(mm, "connfail", CONN_FAIL.DNS); disconnected(mm); }, m, undefined);
      return;
    }
    m.conn = c;
  }, 100),
  close: api((self: unknown) => {
    const m = mudOf(self, "close");
    if (!m.connected) return;
    enqueue(m, P.DISCONNECT, 0, TYPE.DISCONNECT, 0);
    sendIfPossible(m);
  }, 20),
  publish: api((self: unknown, topic: unknown, payload: unknown, qos: unknown, retain: unknown, cb?: unknown) => {
    const m = mudOf(self, "publish");
    if (!m.connected) return apiError("not connected");
    if (!isString(topic)) return apiError("bad argument #2 to 'publish' (string expected)");
    if (!isString(payload)) return apiError("bad argument #3 to 'publish' (string expected)");
    if (type(qos) !== "number") return apiError("bad argument #4 to 'publish' (number expected)");
    if (type(retain) !== "number" && type(retain) !== "boolean") return apiError("bad argument #5 to 'publish' (number expected)");
    let id = 0;
    if ((qos as number) !== 0) {
      m.nextId = m.nextId % 65535 + 1;
      id = m.nextId;
    }
    const pkt = P.publishPacket(tostring(topic), tostring(payload), qos as number, retain === true || (type(retain) === "number" && retain !== 0), id);
    if (type(cb) === "function") m.cb.puback = cb as Fn;
    if (pkt === undefined) return false;
    enqueue(m, pkt, id, TYPE.PUBLISH, qos as number);
    sendIfPossible(m);
    return true;
  }, 60),
  subscribe: api((self: unknown, a: unknown, b?: unknown, c?: unknown) => {
    const m = mudOf(self, "subscribe");
    if (!m.connected) return apiError("not connected");
    const topics: [string, number][] = [];
    let cb = c;
    if (type(a) === "table") {
      for (const [t, q] of pairs(a as Record<string, number>)) topics.push([tostring(t), q as number]);
      if (topics.length === 0) return apiError("no topics found");
      cb = b;
    } else {
      if (!isString(a)) return apiError("bad argument #2 to 'subscribe' (string expected)");
      if (type(b) !== "number") return apiError("bad argument #3 to 'subscribe' (number expected)");
      topics.push([tostring(a), b as number]);
    }
    m.nextId = m.nextId % 65535 + 1;
    const pkt = P.subscribePacket(m.nextId, topics);
    if (pkt === undefined) return apiError("buffer overflow, can't enqueue all subscriptions");
    if (type(cb) === "function") m.cb.suback = cb as Fn;
    enqueue(m, pkt, m.nextId, TYPE.SUBSCRIBE, 1);
    sendIfPossible(m);
    return true;
  }, 60),
  unsubscribe: api((self: unknown, a: unknown, b?: unknown) => {
    const m = mudOf(self, "unsubscribe");
    if (!m.connected) return apiError("not connected");
    const topics: string[] = [];
    if (type(a) === "table") {
      for (const [t] of pairs(a as Record<string, unknown>)) topics.push(tostring(t));
      if (topics.length === 0) return apiError("no topics found");
    } else {
      if (!isString(a)) return apiError("bad argument #2 to 'unsubscribe' (string expected)");
      topics.push(tostring(a));
    }
    m.nextId = m.nextId % 65535 + 1;
    const pkt = P.unsubscribePacket(m.nextId, topics);
    if (pkt === undefined) return apiError("buffer overflow, can't enqueue all unsubscriptions");
    if (type(b) === "function") m.cb.unsuback = b as Fn;
    enqueue(m, pkt, m.nextId, TYPE.UNSUBSCRIBE, 1);
    sendIfPossible(m);
    return true;
  }, 60),
  lwt: api((self: unknown, topic: unknown, message: unknown, qos?: unknown, retain?: unknown) => {
    const m = mudOf(self, "lwt");
    if (!isString(topic)) return apiError("bad argument #2 to 'lwt' (need lwt topic)");
    if (!isString(message)) return apiError("bad argument #3 to 'lwt' (need lwt message)");
    m.willTopic = tostring(topic);
    m.willMessage = tostring(message);
    if (type(qos) === "number") {
      m.willQos = (qos as number) % 4;
      if (type(retain) === "number") m.willRetain = retain !== 0;
    }
  }, 10),
  on: api((self: unknown, event: unknown, fn: unknown) => {
    const m = mudOf(self, "on");
    if (type(fn) !== "function") return apiError(`bad argument #3 to 'on' (function expected, got ${type(fn)})`);
    let known = false;
    for (const e of EVENTS) if (e === event) known = true;
    if (!known) return apiError(`bad argument #2 to 'on' (invalid option '${tostring(event)}')`);
    m.cb[event as string] = fn as Fn;
  }, 10),
};

const newproxy = (_G as unknown as Record<string, (this: void, a: unknown) => unknown>).newproxy;
const proto = newproxy(true);
const meta = getmetatable(proto as object) as Record<string, unknown>;
{
  meta.__index = methods;
  // mqtt_delete: the userdata collected (no connection holds it any more).
  meta.__gc = (u: unknown) => {
    const m = dbg.getfenv(u) as Mud;
    if (m === undefined || m.gen !== K.gen) return;
    clearQueue(m);
    if (m.espTcp) releaseC(blockBytes(C_SIZE.espTcp));
    releaseC(C_SIZE.mqttUserdata + C_SIZE.luaUdataHeader);
    book(-m.kb);
    MQ.clients -= 1;
  };
  meta.__tostring = () => "mqtt.socket";
}

function client(this: void, ...args: unknown[]): unknown {
  let i = 0;
  let clientId = `NodeMCU_${string.format("%x", B.chipId)}`;
  if (isString(args[i])) { clientId = tostring(args[i]); i += 1; }
  let keepalive = 0;
  if (type(args[i]) === "number") { keepalive = Math.floor(args[i] as number); i += 1; }
  if (keepalive === 0) keepalive = MQTT_DEFAULT_KEEPALIVE;
  let username: string | false = false;
  let password: string | false = false;
  if (isString(args[i])) { username = tostring(args[i]); i += 1; }
  if (isString(args[i])) { password = tostring(args[i]); i += 1; }
  // mqtt.c sets clean_session only when the argument is given (the struct starts zeroed), so
  // the default is false, whatever docs/modules/mqtt.md says.
  let cleanSession = false;
  if (type(args[i]) === "number") { cleanSession = args[i] !== 0; i += 1; }
  let maxLen = 0;
  if (type(args[i]) === "number") { maxLen = Math.floor(args[i] as number); i += 1; }
  if (maxLen === 0) maxLen = DEFAULT_MAX_MESSAGE_LENGTH;
  let u: unknown;
  let made: Mud | undefined;
  const kb = ledgerAllocated(() => {
    u = newproxy(proto);
    const cb: Record<string, Fn | false> = {};
    for (const e of EVENTS) cb[e] = false;
    made = {
      obj: u, gen: K.gen, kb: 0, clientId, keepalive, username, password, cleanSession, maxMessageLength: maxLen,
      willTopic: false, willMessage: false, willQos: 0, willRetain: false, cb, conn: false,
      connected: false, sending: false, keepaliveSent: false, state: ST_INIT, head: false, tail: false, queued: 0,
      nextId: 0, due: -1, pendingAt: -1, espTcp: false, rx: "", rxCharged: 0, skip: 0,
    };
    dbg.setfenv(u, made);
  });
  const m = made as Mud;
  m.kb = kb;
  book(kb);
  chargeC(C_SIZE.mqttUserdata + C_SIZE.luaUdataHeader);
  MQ.clients += 1;
  return u;
}

export function createMqttModule(): Record<string, unknown> {
  return {
    Client: api(client, 50),
    CONN_FAIL_SERVER_NOT_FOUND: CONN_FAIL.SERVER_NOT_FOUND,
    CONN_FAIL_NOT_A_CONNACK_MSG: CONN_FAIL.NOT_A_CONNACK_MSG,
    CONN_FAIL_DNS: CONN_FAIL.DNS,
    CONN_FAIL_TIMEOUT_RECEIVING: CONN_FAIL.TIMEOUT_RECEIVING,
    CONN_FAIL_TIMEOUT_SENDING: CONN_FAIL.TIMEOUT_SENDING,
    CONNACK_ACCEPTED: 0,
    CONNACK_REFUSED_PROTOCOL_VER: 1,
    CONNACK_REFUSED_ID_REJECTED: 2,
    CONNACK_REFUSED_SERVER_UNAVAILABLE: 3,
    CONNACK_REFUSED_BAD_USER_OR_PASS: 4,
    CONNACK_REFUSED_NOT_AUTHORIZED: 5,
  };
}

/** A reset: the sandbox and every client go; what they held leaves the ledger now. */
export function resetMqtt(): void {
  K.emuKb -= MQ.bookedKb;
  MQ.bookedKb = 0;
  MQ.queued = 0;
  MQ.clients = 0;
}
