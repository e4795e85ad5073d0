/**
 * The host's hot path for received lines: checksum + sample decode in one pass over the char
 * codes, into a reused record (no allocation per sample frame). It gives exactly the results of
 * shared/protocol's openLine + decodeSample (proven by fast-decode.test.ts on valid, mutated and
 * random lines); the shared codec stays the definition, this is only a faster way to compute it.
 * One deliberate limit: a frame with more than MAX_FAST_CHANNELS channels is refused as
 * malformed (boards/ allows at most 4).
 *
 * Why it is faster: Fletcher-16's two sums are taken modulo 255 once at the end instead of per
 * byte (the same value: sums of residues and residues of sums agree, and the sums stay far below
 * 2^53 for any line length), base64 digits come from a table, and nothing is sliced or pushed.
 */
import { B64_DIGITS } from "../../shared/protocol/wire-number.ts";

export const LINE_CORRUPT = 0; // checksum missing or wrong
export const LINE_SAMPLE = 1; // a valid sample frame, in the record
export const LINE_TEXT = 2; // a valid non-sample line: `body` holds it
export const LINE_MALFORMED = 3; // checksum right, but an S body that does not decode

export const MAX_FAST_CHANNELS = 8;
const RAW_OFFSET = 8388608;

export interface DecodedLine {
  status: number;
  /** Why the line was refused (openLine's words), for LINE_CORRUPT. */
  error: string;
  body: string;
  seq: number;
  channels: number;
  raw: Float64Array;
  flags: Int32Array;
  /** NaN where the frame carries no force. */
  force: Float64Array;
}

export function createDecodedLine(): DecodedLine {
  return {
    status: LINE_CORRUPT, error: "", body: "", seq: -1, channels: 0,
    raw: new Float64Array(MAX_FAST_CHANNELS), flags: new Int32Array(MAX_FAST_CHANNELS), force: new Float64Array(MAX_FAST_CHANNELS),
  };
}

const B64 = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64[B64_DIGITS.charCodeAt(i)] = i;
function b64(c: number): number {
  return c < 128 ? B64[c] : -1;
}
function hex(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}
const POW10 = [1, 10, 100, 1000, 10000, 100000, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16];

/** Decodes `line` (no newline; a trailing CR is tolerated) into `out`; returns out.status. */
export function decodeLine(line: string, out: DecodedLine): number {
  out.body = "";
  out.seq = -1;
  out.channels = 0;
  let end = line.length;
  if (end > 0 && line.charCodeAt(end - 1) === 13) end--;
  const star = end - 5;
  if (star < 1 || line.charCodeAt(star) !== 42) return corrupt(out, "no checksum");
  const h0 = hex(line.charCodeAt(star + 1));
  const h1 = hex(line.charCodeAt(star + 2));
  const h2 = hex(line.charCodeAt(star + 3));
  const h3 = hex(line.charCodeAt(star + 4));
  if ((h0 | h1 | h2 | h3) < 0) return corrupt(out, "bad checksum digits");
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < star; i++) {
    s1 += line.charCodeAt(i);
    s2 += s1;
  }
  if ((s2 % 255) * 256 + (s1 % 255) !== ((h0 * 16 + h1) * 16 + h2) * 16 + h3) return corrupt(out, "checksum mismatch");
  out.error = "";
  if (line.charCodeAt(0) !== 83 /* S */) {
    out.body = line.slice(0, star);
    out.status = LINE_TEXT;
    return LINE_TEXT;
  }
  return decodeSampleBody(line, star, out);
}

function corrupt(out: DecodedLine, error: string): number {
  out.error = error;
  out.status = LINE_CORRUPT;
  return LINE_CORRUPT;
}

function malformed(out: DecodedLine, line: string, len: number): number {
  out.seq = -1;
  out.channels = 0;
  out.body = line.slice(0, len);
  out.status = LINE_MALFORMED;
  return LINE_MALFORMED;
}

/** decodeSample over line[0, len), same rules, no allocation. */
function decodeSampleBody(line: string, len: number, out: DecodedLine): number {
  let seq = -1;
  if (len >= 4) {
    const a = b64(line.charCodeAt(1));
    const b = b64(line.charCodeAt(2));
    const c = b64(line.charCodeAt(3));
    if ((a | b | c) >= 0) seq = (a * 64 + b) * 64 + c;
  }
  let pos = 4;
  let channels = 0;
  while (pos < len && line.charCodeAt(pos) !== 44) {
    if (pos + 5 > len) return malformed(out, line, len);
    const d0 = b64(line.charCodeAt(pos));
    const d1 = b64(line.charCodeAt(pos + 1));
    const d2 = b64(line.charCodeAt(pos + 2));
    const d3 = b64(line.charCodeAt(pos + 3));
    const f = b64(line.charCodeAt(pos + 4));
    if ((d0 | d1 | d2 | d3 | f) < 0) return malformed(out, line, len);
    if (channels === MAX_FAST_CHANNELS) return malformed(out, line, len); // boards have at most 4
    out.raw[channels] = ((d0 * 64 + d1) * 64 + d2) * 64 + d3 - RAW_OFFSET;
    out.flags[channels] = f;
    channels++;
    pos += 5;
  }
  for (let ch = 0; ch < channels; ch++) {
    if (pos >= len || line.charCodeAt(pos) !== 44) return malformed(out, line, len);
    let i = pos + 1;
    if (i === len || line.charCodeAt(i) === 44) {
      out.force[ch] = NaN;
      pos = i;
      continue;
    }
    // parseDecimal, inline
    let negative = false;
    const first = line.charCodeAt(i);
    if (first === 45 || first === 43) {
      negative = first === 45;
      i++;
    }
    let mantissa = 0;
    let fractionDigits = 0;
    let seenDigit = false;
    let seenPoint = false;
    for (; i < len; i++) {
      const c = line.charCodeAt(i);
      if (c === 44) break;
      if (c >= 48 && c <= 57) {
        if (mantissa >= 1e15) return malformed(out, line, len);
        mantissa = mantissa * 10 + (c - 48);
        seenDigit = true;
        if (seenPoint) fractionDigits++;
      } else if (c === 46 && !seenPoint) {
        seenPoint = true;
      } else {
        return malformed(out, line, len);
      }
    }
    if (!seenDigit) return malformed(out, line, len);
    const value = fractionDigits > 0 ? mantissa / (fractionDigits < POW10.length ? POW10[fractionDigits] : pow10(fractionDigits)) : mantissa;
    out.force[ch] = negative ? -value : value;
    pos = i;
  }
  if (seq < 0 || channels === 0 || pos !== len) return malformed(out, line, len);
  out.seq = seq;
  out.channels = channels;
  out.status = LINE_SAMPLE;
  return LINE_SAMPLE;
}

function pow10(n: number): number {
  let s = 1;
  for (let i = 0; i < n; i++) s = s * 10;
  return s;
}
