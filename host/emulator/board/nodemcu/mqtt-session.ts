/**
 * One MQTT client's session, as app/modules/mqtt.c runs it (see mqtt.ts for what is kept from
 * the C code): the queue and its heap charges, the one timer, espconn's callbacks, and the
 * parsing of what the broker sends.
 */
import { K, ledgerAllocated, runFirmware } from "../kernel.ts";
import { PRIO_MED, schedule2 } from "../events.ts";
import { C_SIZE, blockBytes, chargeC, releaseC } from "./c-heap.ts";
import { tcpClose, tcpSend, type TcpConn, type TcpError, type TcpHandler } from "./tcp.ts";
import * as P from "./mqtt-packets.ts";

export const TYPE = P.TYPE;
const MQTT_SEND_TIMEOUT_S = 5;
export const CONN_FAIL = { SERVER_NOT_FOUND: -5, NOT_A_CONNACK_MSG: -4, DNS: -3, TIMEOUT_RECEIVING: -2, TIMEOUT_SENDING: -1 };
export const ST_INIT = 0;
const ST_CONNECT_SENDING = 1;
const ST_CONNECT_SENT = 2;
const ST_DATA = 3;
export const EVENTS = ["connect", "connfail", "offline", "message", "overflow", "puback", "suback", "unsuback"];

export type Fn = (this: void, ...a: unknown[]) => unknown;

export interface QueuedMsg {
  next: QueuedMsg | false;
  pkt: string;
  id: number;
  type: number;
  qos: number;
  sent: boolean;
  /** Host KB of this entry's Lua (booked in the emulator's ledger) and board bytes charged. */
  kb: number;
  cBytes: number;
}

export interface Mud {
  obj: unknown;
  gen: number;
  kb: number;
  clientId: string; keepalive: number; username: string | false; password: string | false;
  cleanSession: boolean; maxMessageLength: number;
  willTopic: string | false; willMessage: string | false; willQos: number; willRetain: boolean;
  cb: Record<string, Fn | false>;
  conn: TcpConn | false;
  connected: boolean; sending: boolean; keepaliveSent: boolean; state: number;
  head: QueuedMsg | false; tail: QueuedMsg | false; queued: number;
  nextId: number;
  /** The timer's expiry (virtual µs; -1 disarmed) and the earliest event pending for it (-1 none). */
  due: number;
  pendingAt: number;
  espTcp: boolean;
  /** Bytes of a PUBLISH split over several segments (mqtt.c recv_buffer) and its charge. */
  rx: string; rxCharged: number; skip: number;
}

/** What the module holds in the ledger (a reset gives it back at once: the sandbox is gone). */
export const MQ = { bookedKb: 0, queued: 0, queuedMax: 0, clients: 0 };

export function book(kb: number): void {
  K.emuKb += kb;
  MQ.bookedKb += kb;
}

/** Bytes of a Lua 5.1 string on the 32-bit VM (lstring.c: sizeof(TString) 16 + length + 1). */
function stringKb(s: string): number {
  return (16 + s.length + 1) / 1024;
}

export function call(m: Mud, name: string, a?: unknown, b?: unknown): void {
  const f = m.cb[name];
  if (f !== false && f !== undefined) runFirmware(f, "callback", m.obj, a, b);
}

// ---- the queue (msg_queue.c) -----------------------------------------------------------------
export function enqueue(m: Mud, pkt: string, id: number, type: number, qos: number): QueuedMsg {
  let e: QueuedMsg | undefined;
  const kb = ledgerAllocated(() => {
    e = { next: false, pkt, id, type, qos, sent: false, kb: 0, cBytes: 0 };
  }) + stringKb(pkt);
  const q = e as QueuedMsg;
  q.kb = kb;
  q.cBytes = blockBytes(C_SIZE.msgQueueNode) + blockBytes(pkt.length);
  book(kb);
  chargeC(q.cBytes);
  if (m.tail === false) m.head = q;
  else m.tail.next = q;
  m.tail = q;
  m.queued += 1;
  MQ.queued += 1;
  if (MQ.queued > MQ.queuedMax) MQ.queuedMax = MQ.queued;
  return q;
}

function dequeue(m: Mud): void {
  const q = m.head;
  if (q === false) return;
  m.head = q.next;
  if (m.head === false) m.tail = false;
  m.queued -= 1;
  MQ.queued -= 1;
  book(-q.kb);
  releaseC(q.cBytes);
}

export function clearQueue(m: Mud): void {
  while (m.head !== false) dequeue(m);
}

// ---- the one timer (mqttTimer) ---------------------------------------------------------------
// Re-armed at every send: rather than one event per arming (thousands of stale events pending
// while a queue drains, growing the emulator's event pool), one pending event per client is
// kept and moved on when it fires early; a new one only when the expiry comes earlier.
function arm(m: Mud, ms: number): void {
  m.due = K.now + ms * 1000;
  if (m.pendingAt < 0 || m.due < m.pendingAt) {
    m.pendingAt = m.due;
    schedule2(m.due, PRIO_MED, timerEvent, m, m.due);
  }
}

export function disarm(m: Mud): void {
  m.due = -1;
}

function timerEvent(this: void, m: Mud, _t: number, at: number): void {
  if (at !== m.pendingAt) return; // superseded by an earlier one
  m.pendingAt = -1;
  if (m.due < 0) return;
  if (m.due > K.now + 1e-6) {
    m.pendingAt = m.due;
    schedule2(m.due, PRIO_MED, timerEvent, m, m.due);
    return;
  }
  m.due = -1;
  timerFired(m);
}

function timerFired(m: Mud): void {
  if (m.conn === false) return;
  if (m.state === ST_CONNECT_SENDING) {
    m.state = ST_INIT;
    doDisconnect(m);
    call(m, "connfail", CONN_FAIL.TIMEOUT_SENDING);
  } else if (m.state === ST_CONNECT_SENT) {
    m.state = ST_INIT;
    doDisconnect(m);
    call(m, "connfail", CONN_FAIL.TIMEOUT_RECEIVING);
  } else if (m.state === ST_DATA && m.head === false) {
    if (m.keepaliveSent) doDisconnect(m);
    else {
      enqueue(m, P.PINGREQ, 0, TYPE.PINGREQ, 0);
      m.keepaliveSent = true;
      sendIfPossible(m);
    }
  }
}

function doDisconnect(m: Mud): void {
  if (m.conn !== false) tcpClose(m.conn);
}

export function sendIfPossible(m: Mud): void {
  if (m.sending || m.conn === false) return;
  const q = m.head;
  if (q === false || q.sent) return;
  q.sent = true;
  const answered = q.type === TYPE.SUBSCRIBE || q.type === TYPE.UNSUBSCRIBE || q.type === TYPE.PINGREQ || (q.type === TYPE.PUBLISH && q.qos > 0);
  tcpSend(m.conn, q.pkt, answered);
  m.sending = true;
  arm(m, MQTT_SEND_TIMEOUT_S * 1000);
}

// ---- TCP callbacks (espconn's) -----------------------------------------------------------------
export function disconnected(m: Mud): void {
  disarm(m);
  clearQueue(m);
  if (m.rxCharged > 0) releaseC(m.rxCharged);
  m.rxCharged = 0;
  m.rx = "";
  m.skip = 0;
  if (m.espTcp) releaseC(blockBytes(C_SIZE.espTcp));
  m.espTcp = false;
  m.conn = false;
  if (m.connected) {
    m.connected = false;
    call(m, "offline");
  }
}

export const handler: TcpHandler = {
  connected: (c) => {
    const m = c.owner as Mud;
    m.connected = true;
    const pkt = P.connectPacket({
      clientId: m.clientId, keepalive: m.keepalive, cleanSession: m.cleanSession,
      willTopic: m.willTopic === false ? undefined : m.willTopic, willMessage: m.willMessage === false ? undefined : m.willMessage,
      willQos: m.willQos, willRetain: m.willRetain,
      username: m.username === false ? undefined : m.username, password: m.password === false ? undefined : m.password,
    });
    tcpSend(c, pkt ?? "", true);
    m.sending = true;
    arm(m, MQTT_SEND_TIMEOUT_S * 1000);
    m.state = ST_CONNECT_SENDING;
  },
  sent: (c) => {
    const m = c.owner as Mud;
    if (!m.connected) return;
    m.sending = false;
    disarm(m);
    if (m.state === ST_CONNECT_SENDING) {
      m.state = ST_CONNECT_SENT;
      arm(m, MQTT_SEND_TIMEOUT_S * 1000);
      return;
    }
    arm(m, m.keepalive * 1000);
    const q = m.head;
    if (q === false) return;
    if (q.type === TYPE.PUBLISH) {
      // QoS 0: publish and forget; its callback says it left the queue.
      if (q.qos === 0) {
        dequeue(m);
        call(m, "puback");
        sendIfPossible(m);
      }
    } else if (q.type === TYPE.PUBACK || q.type === TYPE.PUBCOMP || q.type === TYPE.PINGREQ) {
      dequeue(m);
      sendIfPossible(m);
    } else if (q.type === TYPE.DISCONNECT) {
      dequeue(m);
      doDisconnect(m);
    }
  },
  received: (c, data) => received(c.owner as Mud, data),
  disconnected: (c) => disconnected(c.owner as Mud),
  failed: (c, why: TcpError) => {
    const m = c.owner as Mud;
    disarm(m);
    call(m, "connfail", why === "dns" ? CONN_FAIL.DNS : CONN_FAIL.SERVER_NOT_FOUND);
    m.conn = false; // tcp.ts already let go of it
    disconnected(m);
  },
};

function onPacket(m: Mud, buf: string, pos: number, len: number): void {
  const type = P.packetType(buf, pos);
  const qos = P.packetQos(buf, pos);
  const id = P.packetId(buf, pos, len);
  const head = m.head;
  const headIs = (t: number) => head !== false && head.type === t && head.id === id;
  if (type === TYPE.SUBACK) {
    if (headIs(TYPE.SUBSCRIBE)) { dequeue(m); call(m, "suback"); }
  } else if (type === TYPE.UNSUBACK) {
    if (headIs(TYPE.UNSUBSCRIBE)) { dequeue(m); call(m, "unsuback"); }
  } else if (type === TYPE.PUBLISH) {
    if (qos === 1) enqueue(m, P.ackPacket(TYPE.PUBACK, id), id, TYPE.PUBACK, 0);
    else if (qos === 2) enqueue(m, P.ackPacket(TYPE.PUBREC, id), id, TYPE.PUBREC, 0);
    const [topic, payload] = P.publishParts(buf, pos, len);
    if (topic !== "") call(m, "message", topic, payload === "" ? undefined : payload);
  } else if (type === TYPE.PUBACK) {
    if (headIs(TYPE.PUBLISH)) { dequeue(m); call(m, "puback"); }
  } else if (type === TYPE.PUBREC) {
    if (headIs(TYPE.PUBLISH)) { dequeue(m); enqueue(m, P.ackPacket(TYPE.PUBREL, id), id, TYPE.PUBREL, 1); }
  } else if (type === TYPE.PUBREL) {
    if (headIs(TYPE.PUBREC)) { dequeue(m); enqueue(m, P.ackPacket(TYPE.PUBCOMP, id), id, TYPE.PUBCOMP, 0); }
  } else if (type === TYPE.PUBCOMP) {
    if (headIs(TYPE.PUBREL)) { dequeue(m); call(m, "puback"); }
  } else if (type === TYPE.PINGREQ) {
    enqueue(m, P.PINGRESP, 0, TYPE.PINGRESP, 0);
  } else if (type === TYPE.PINGRESP) {
    m.keepaliveSent = false;
  }
}

/** mqtt_socket_received: one TCP segment's bytes. */
function received(m: Mud, data: string): void {
  let buf = data;
  if (m.skip > 0) {
    if (m.skip >= buf.length) { m.skip -= buf.length; sendIfPossible(m); return; }
    buf = string.sub(buf, m.skip + 1);
    m.skip = 0;
  }
  if (m.rx !== "") {
    buf = m.rx + buf;
    m.rx = "";
    releaseC(m.rxCharged);
    m.rxCharged = 0;
  }
  if (m.state === ST_CONNECT_SENDING || m.state === ST_CONNECT_SENT) {
    // Only the first packet of the segment is looked at (mqtt.c breaks out after it).
    arm(m, m.keepalive * 1000);
    if (P.packetType(buf, 1) !== TYPE.CONNACK) {
      m.state = ST_INIT;
      doDisconnect(m);
      call(m, "connfail", CONN_FAIL.NOT_A_CONNACK_MSG);
    } else if (P.connackCode(buf, 1) !== 0) {
      m.state = ST_INIT;
      doDisconnect(m);
      call(m, "connfail", P.connackCode(buf, 1));
    } else {
      m.state = ST_DATA;
      m.keepaliveSent = false;
      call(m, "connect");
    }
    sendIfPossible(m);
    return;
  }
  let pos = 1;
  while (m.state === ST_DATA && pos <= buf.length) {
    const avail = buf.length - pos + 1;
    const len = P.totalLength(buf, pos);
    if (len > m.maxMessageLength) {
      // Too long: what arrived goes to "overflow", the rest is skipped; QoS > 0 is still acknowledged.
      const qos = P.packetQos(buf, pos);
      const id = P.packetId(buf, pos, avail);
      if (P.packetType(buf, pos) === TYPE.PUBLISH) {
        const [topic, payload] = P.publishParts(buf, pos, Math.min(len, avail));
        if (topic !== "") call(m, "overflow", topic, payload);
        if (qos === 1) enqueue(m, P.ackPacket(TYPE.PUBACK, id), id, TYPE.PUBACK, 0);
        else if (qos === 2) enqueue(m, P.ackPacket(TYPE.PUBREC, id), id, TYPE.PUBREC, 0);
      }
      if (len > avail) m.skip = len - avail;
      pos += Math.min(len, avail);
    } else if (len < 0 || len > avail) {
      // Partial: kept on the heap (mqtt.c callocs the whole message) until the next segment.
      m.rx = string.sub(buf, pos);
      m.rxCharged = blockBytes(len > 0 ? len : avail);
      chargeC(m.rxCharged);
      break;
    } else {
      onPacket(m, buf, pos, len);
      pos += len;
    }
  }
  sendIfPossible(m);
}

