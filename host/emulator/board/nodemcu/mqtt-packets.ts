/**
 * MQTT 3.1.1 packets as the board's C code builds and reads them (app/mqtt/mqtt_msg.c): pure
 * string work for the mqtt stand-in (mqtt.ts).
 */
export const TYPE = { CONNECT: 1, CONNACK: 2, PUBLISH: 3, PUBACK: 4, PUBREC: 5, PUBREL: 6, PUBCOMP: 7, SUBSCRIBE: 8, SUBACK: 9, UNSUBSCRIBE: 10, UNSUBACK: 11, PINGREQ: 12, PINGRESP: 13, DISCONNECT: 14 };

/** mqtt.c MQTT_BUF_SIZE: every outgoing packet is built in a buffer of this size on the stack. */
export const MQTT_BUF_SIZE = 1460;

function u16(n: number): string {
  return string.char(Math.floor(n / 256) % 256, n % 256);
}

function str(s: string): string {
  return u16(s.length) + s;
}

function remainingLength(n: number): string {
  let out = "";
  let x = n;
  do {
    let b = x % 128;
    x = Math.floor(x / 128);
    if (x > 0) b += 128;
    out += string.char(b);
  } while (x > 0);
  return out;
}

/** A whole packet, or undefined when it does not fit MQTT_BUF_SIZE (mqtt_msg.c returns an empty message then). */
function packet(first: number, body: string): string | undefined {
  const p = string.char(first) + remainingLength(body.length) + body;
  return p.length > MQTT_BUF_SIZE ? undefined : p;
}

export interface ConnectInfo {
  clientId: string; keepalive: number; cleanSession: boolean;
  willTopic?: string; willMessage?: string; willQos: number; willRetain: boolean;
  username?: string; password?: string;
}

export function connectPacket(i: ConnectInfo): string | undefined {
  let flags = i.cleanSession ? 0x02 : 0;
  let payload = str(i.clientId);
  if (i.willTopic !== undefined && i.willTopic !== "") {
    payload += str(i.willTopic) + str(i.willMessage ?? "");
    flags += 0x04 + (i.willQos % 4) * 8 + (i.willRetain ? 0x20 : 0);
  }
  if (i.username !== undefined && i.username !== "") {
    payload += str(i.username);
    flags += 0x80;
  }
  if (i.password !== undefined && i.password !== "") {
    payload += str(i.password);
    flags += 0x40;
  }
  return packet(0x10, `${str("MQTT")}${string.char(4, flags)}${u16(i.keepalive)}${payload}`);
}

export function publishPacket(topic: string, payload: string, qos: number, retain: boolean, id: number): string | undefined {
  return packet(0x30 + (qos % 4) * 2 + (retain ? 1 : 0), str(topic) + (qos > 0 ? u16(id) : "") + payload);
}

export function subscribePacket(id: number, topics: [string, number][]): string | undefined {
  let body = u16(id);
  for (const [t, q] of topics) body += str(t) + string.char(q % 4);
  return packet(0x82, body);
}

export function unsubscribePacket(id: number, topics: string[]): string | undefined {
  let body = u16(id);
  for (const t of topics) body += str(t);
  return packet(0xa2, body);
}

/** PUBACK, PUBREC, PUBREL (flags 2), PUBCOMP. */
export function ackPacket(type: number, id: number): string {
  return string.char(type * 16 + (type === TYPE.PUBREL ? 2 : 0), 2) + u16(id);
}

export const PINGREQ = string.char(0xc0, 0);
export const PINGRESP = string.char(0xd0, 0);
export const DISCONNECT = string.char(0xe0, 0);

/** A packet's total length from its fixed header at `pos`, or -1 when the header is incomplete. */
export function totalLength(buf: string, pos: number): number {
  let mult = 1;
  let len = 0;
  for (let i = pos + 1; i <= pos + 4; i++) {
    if (i > buf.length) return -1;
    const b = string.byte(buf, i);
    len += (b % 128) * mult;
    if (b < 128) return len + (i - pos + 1);
    mult *= 128;
  }
  return -1;
}

export function packetType(buf: string, pos: number): number {
  return Math.floor(string.byte(buf, pos) / 16);
}

export function packetQos(buf: string, pos: number): number {
  return Math.floor(string.byte(buf, pos) / 2) % 4;
}

function headerLength(buf: string, pos: number): number {
  let i = pos + 1;
  while (string.byte(buf, i) >= 128) i++;
  return i - pos + 1;
}

function readU16(buf: string, i: number): number {
  return (string.byte(buf, i) ?? 0) * 256 + (string.byte(buf, i + 1) ?? 0);
}

/** The packet id of an ack, SUBACK, UNSUBACK or a PUBLISH with QoS > 0 (0 when there is none or too few bytes). */
export function packetId(buf: string, pos: number, avail: number): number {
  const type = packetType(buf, pos);
  const h = pos + headerLength(buf, pos);
  if (type === TYPE.PUBLISH) {
    if (packetQos(buf, pos) === 0) return 0;
    const tl = readU16(buf, h);
    if (h + 2 + tl + 1 > pos + avail - 1) return 0;
    return readU16(buf, h + 2 + tl);
  }
  if (h + 1 > pos + avail - 1) return 0;
  return readU16(buf, h);
}

/** CONNACK's return code. */
export function connackCode(buf: string, pos: number): number {
  return string.byte(buf, pos + 3) ?? 255;
}

/** Topic and payload of the PUBLISH of `len` bytes at `pos` (payload cut where the bytes end). */
export function publishParts(buf: string, pos: number, len: number): LuaMultiReturn<[string, string]> {
  const h = pos + headerLength(buf, pos);
  const tl = readU16(buf, h);
  const topic = string.sub(buf, h + 2, h + 1 + tl);
  const dataAt = h + 2 + tl + (packetQos(buf, pos) > 0 ? 2 : 0);
  return $multi(topic, string.sub(buf, dataAt, pos + len - 1));
}
