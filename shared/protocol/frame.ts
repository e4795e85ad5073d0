import { fletcher16 } from "./checksum.ts";
import { formatB64, formatFixed, formatHex, parseB64, parseDecimal, parseHex } from "./wire-number.ts";

/**
 * The line format between board and host. Every line is `BODY*CCCC\n`: CCCC is the Fletcher-16 of
 * BODY as 4 lowercase hex digits. BODY starts with a kind letter.
 *
 * Sample frames are packed to stay under 40 bytes for two channels at 80 SPS:
 *   S sss (rrrr f){channels} (,force){channels}
 * sss   = sequence number, 3 base64 digits (wraps at 262144, ≈54 min at 80 SPS; the host unwraps)
 * rrrr  = raw HX711 counts, 24-bit two's complement as offset binary in 4 base64 digits
 * f     = channel flags, one base64 digit (sum of CHANNEL_FLAG_* bits)
 * force = calibrated force in N with one decimal, empty when the channel is uncalibrated or stale
 * Other kinds are comma-separated fields: `K,field,field...` (fields never contain ',' or '*').
 */
export const SEQ_MODULUS = 262144;
export const RAW_COUNTS_OFFSET = 8388608;
export const CHANNEL_FLAG_SATURATED = 1;
export const CHANNEL_FLAG_OVER_CAPACITY = 2;
export const CHANNEL_FLAG_STALE = 4;
export const CHANNEL_FLAG_UNCALIBRATED = 8;
const STAR = 42;
const COMMA = 44;

export interface OpenedLine {
  /** The body without checksum, "" when the line is not valid. */
  body: string;
  /** Why the line was refused, "" when it is valid. */
  error: string;
}

export function sealLine(body: string): string {
  return `${body}*${formatHex(fletcher16(body), 4)}`;
}

/** Checks a received line (without its newline; a trailing CR is tolerated). */
export function openLine(line: string): OpenedLine {
  let end = line.length;
  if (end > 0 && line.charCodeAt(end - 1) === 13) end = end - 1;
  const star = end - 5;
  if (star < 1 || line.charCodeAt(star) !== STAR) return { body: "", error: "no checksum" };
  const expected = parseHex(line, star + 1, 4);
  if (expected < 0) return { body: "", error: "bad checksum digits" };
  const body = line.slice(0, star);
  if (fletcher16(body) !== expected) return { body: "", error: "checksum mismatch" };
  return { body, error: "" };
}

export interface SampleFrame {
  seq: number;
  rawCounts: number[];
  flags: number[];
  /** NaN where the frame carries no calibrated force. */
  forceN: number[];
}

/** Sample frame line (without newline). Raw counts are clamped into the 24-bit range. */
export function encodeSample(seq: number, rawCounts: number[], flags: number[], forceN: number[]): string {
  let packed = `S${formatB64(seq % SEQ_MODULUS, 3)}`;
  let forces = "";
  for (let ch = 0; ch < rawCounts.length; ch++) {
    let raw = rawCounts[ch];
    if (raw > RAW_COUNTS_OFFSET - 1) raw = RAW_COUNTS_OFFSET - 1;
    if (raw < -RAW_COUNTS_OFFSET) raw = -RAW_COUNTS_OFFSET;
    packed = packed + formatB64(raw + RAW_COUNTS_OFFSET, 4) + formatB64(flags[ch], 1);
    forces = `${forces},${formatFixed(forceN[ch], 1)}`;
  }
  return sealLine(packed + forces);
}

/** Decodes a sample body (see openLine); seq is -1 when the body is malformed. */
export function decodeSample(body: string): SampleFrame {
  const frame: SampleFrame = { seq: -1, rawCounts: [], flags: [], forceN: [] };
  if (body.charCodeAt(0) !== 83) return frame;
  const seq = parseB64(body, 1, 3);
  let pos = 4;
  let channels = 0;
  while (pos < body.length && body.charCodeAt(pos) !== COMMA) {
    const biased = parseB64(body, pos, 4);
    const flags = parseB64(body, pos + 4, 1);
    if (biased < 0 || flags < 0) return frame;
    frame.rawCounts[channels] = biased - RAW_COUNTS_OFFSET;
    frame.flags[channels] = flags;
    channels = channels + 1;
    pos = pos + 5;
  }
  for (let ch = 0; ch < channels; ch++) {
    if (pos >= body.length || body.charCodeAt(pos) !== COMMA) return frame;
    let next = pos + 1;
    while (next < body.length && body.charCodeAt(next) !== COMMA) next = next + 1;
    const text = body.slice(pos + 1, next);
    const force = text.length === 0 ? 0 / 0 : parseDecimal(text);
    if (text.length > 0 && force !== force) return frame;
    frame.forceN[ch] = force;
    pos = next;
  }
  if (seq < 0 || channels === 0 || pos !== body.length) return frame;
  frame.seq = seq;
  return frame;
}

/** A text line `K,f1,f2…` (without newline). */
export function encodeFields(kind: string, fields: string[]): string {
  if (fields.length === 0) return sealLine(kind);
  return sealLine(`${kind},${fields.join(",")}`);
}

/** Splits a text body into [kind, f1, f2, …]. */
export function splitFields(body: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i <= body.length; i++) {
    if (i === body.length || body.charCodeAt(i) === COMMA) {
      out[out.length] = body.slice(start, i);
      start = i + 1;
    }
  }
  return out;
}

/** Distance from `previous` to `seq` going forward, modulo the sequence space (1 = no gap). */
export function seqDistance(previous: number, seq: number): number {
  const d = seq - previous;
  return d < 0 ? d + SEQ_MODULUS : d;
}
