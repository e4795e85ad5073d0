import { fletcher16 } from "../protocol/checksum.ts";
import { splitFields } from "../protocol/frame.ts";
import { formatFixed, formatHex, formatInt, parseDecimal, parseHex } from "../protocol/wire-number.ts";

/**
 * The calibration file on the board's flash (`cal.txt`), written atomically (temp file + rename)
 * by the firmware and readable by the host. Plain text, one record per line, fields split by ',':
 *
 *   rackcell-cal,1,<calId>,<date>,<channels>
 *   c,<ch>,<nPerCount 9 dp>,<zeroCounts 1 dp>,<fitZeroCounts 1 dp>,<maxAbsResidualN 3 dp>,<residualSdN 3 dp>,<points>
 *   p,<ch>,<counts 1 dp>,<forceN 3 dp>,<residualN 3 dp>          (one per calibration point, after its c line)
 *   end,<lines before this one>,<Fletcher-16 of every byte before "end", 4 hex digits>
 *
 * zeroCounts is the zero in use (moved by tare); fitZeroCounts is the zero the fit found.
 * nPerCount 0 means the channel is not calibrated (a tare-only file). A file that is truncated,
 * edited, or fails any check decodes with `error` set: the board then streams uncalibrated.
 */
export const CAL_FORMAT = "rackcell-cal";
export const CAL_VERSION = 1;
export const MAX_CAL_POINTS = 8;

export interface CalChannel {
  nPerCount: number;
  zeroCounts: number;
  fitZeroCounts: number;
  maxAbsResidualN: number;
  residualSdN: number;
  counts: number[];
  forceN: number[];
  residualsN: number[];
}

export interface CalFile {
  /** "" when the file is valid, otherwise why not. */
  error: string;
  id: string;
  date: string;
  channels: CalChannel[];
}

/** Ids and dates: 1..24 characters of letters, digits, space and - _ . : / + (no ',' '*' '=' or newline). */
export function isSafeText(text: string): boolean {
  if (text.length < 1 || text.length > 24) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const ok = (c >= 48 && c <= 58) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ||
      c === 32 || c === 45 || c === 95 || c === 46 || c === 47 || c === 43;
    if (!ok) return false;
  }
  return true;
}

export function emptyCalChannel(): CalChannel {
  return {
    nPerCount: 0, zeroCounts: 0, fitZeroCounts: 0, maxAbsResidualN: 0, residualSdN: 0,
    counts: [], forceN: [], residualsN: [],
  };
}

export function encodeCalFile(id: string, date: string, channels: CalChannel[]): string {
  let text = `${CAL_FORMAT},${CAL_VERSION},${id},${date},${channels.length}\n`;
  let lines = 1;
  for (let ch = 0; ch < channels.length; ch++) {
    const c = channels[ch];
    text = `${text}c,${ch},${formatFixed(c.nPerCount, 9)},${formatFixed(c.zeroCounts, 1)},${formatFixed(c.fitZeroCounts, 1)},` +
      `${formatFixed(c.maxAbsResidualN, 3)},${formatFixed(c.residualSdN, 3)},${formatInt(c.counts.length)}\n`;
    lines = lines + 1;
    for (let i = 0; i < c.counts.length; i++) {
      const r = i < c.residualsN.length ? c.residualsN[i] : 0;
      text = `${text}p,${ch},${formatFixed(c.counts[i], 1)},${formatFixed(c.forceN[i], 3)},${formatFixed(r, 3)}\n`;
      lines = lines + 1;
    }
  }
  return `${text}end,${formatInt(lines)},${formatHex(fletcher16(text), 4)}\n`;
}

function bad(error: string): CalFile {
  return { error, id: "", date: "", channels: [] };
}

function isCount(text: string): boolean {
  if (text.length < 1 || text.length > 3) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

export function decodeCalFile(text: string): CalFile {
  if (text.length > 4000) return bad("file too large");
  // Find the "end" line: it must be the last line and cover everything before it.
  let endAt = -1;
  let lines = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      if (text.slice(start, start + 4) === "end,") {
        endAt = start;
        if (i !== text.length - 1) return bad("data after end line");
      } else {
        lines = lines + 1;
      }
      start = i + 1;
    }
  }
  if (endAt < 0) return bad("no end line (truncated)");
  const endFields = splitFields(text.slice(endAt, text.length - 1));
  if (endFields.length !== 3 || endFields[2].length !== 4) return bad("bad end line");
  if (parseDecimal(endFields[1]) !== lines) return bad("line count mismatch");
  const body = text.slice(0, endAt);
  if (parseHex(endFields[2], 0, 4) !== fletcher16(body)) return bad("checksum mismatch");
  const out: CalFile = { error: "", id: "", date: "", channels: [] };
  let nch = 0;
  let pos = 0;
  let lineNo = 0;
  let current = -1;
  const wants: number[] = [];
  while (pos < endAt) {
    let eol = pos;
    while (text.charCodeAt(eol) !== 10) eol = eol + 1;
    const f = splitFields(text.slice(pos, eol));
    pos = eol + 1;
    if (lineNo === 0) {
      if (f.length !== 5 || f[0] !== CAL_FORMAT) return bad("not a calibration file");
      if (f[1] !== `${CAL_VERSION}`) return bad("unknown calibration file version");
      if (!isSafeText(f[2]) || !isSafeText(f[3])) return bad("bad id or date");
      if (!isCount(f[4])) return bad("bad channel count");
      nch = parseDecimal(f[4]);
      if (nch < 1 || nch > 4) return bad("bad channel count");
      out.id = f[2];
      out.date = f[3];
    } else if (f[0] === "c") {
      if (f.length !== 8 || f[1] !== `${out.channels.length}` || out.channels.length >= nch) return bad("bad channel line");
      const c = emptyCalChannel();
      c.nPerCount = parseDecimal(f[2]);
      c.zeroCounts = parseDecimal(f[3]);
      c.fitZeroCounts = parseDecimal(f[4]);
      c.maxAbsResidualN = parseDecimal(f[5]);
      c.residualSdN = parseDecimal(f[6]);
      if (!isCount(f[7])) return bad("bad point count");
      const want = parseDecimal(f[7]);
      if (want > MAX_CAL_POINTS) return bad("too many points");
      if (c.nPerCount !== c.nPerCount || c.zeroCounts !== c.zeroCounts || c.fitZeroCounts !== c.fitZeroCounts ||
        c.maxAbsResidualN !== c.maxAbsResidualN || c.residualSdN !== c.residualSdN) return bad("bad number");
      wants[out.channels.length] = want;
      out.channels[out.channels.length] = c;
      current = out.channels.length - 1;
    } else if (f[0] === "p") {
      if (f.length !== 5 || current < 0 || f[1] !== `${current}`) return bad("bad point line");
      const c = out.channels[current];
      const k = c.counts.length;
      c.counts[k] = parseDecimal(f[2]);
      c.forceN[k] = parseDecimal(f[3]);
      c.residualsN[k] = parseDecimal(f[4]);
      if (c.counts[k] !== c.counts[k] || c.forceN[k] !== c.forceN[k] || c.residualsN[k] !== c.residualsN[k]) return bad("bad number");
      if (k + 1 > MAX_CAL_POINTS) return bad("too many points");
    } else {
      return bad("unknown line");
    }
    lineNo = lineNo + 1;
  }
  if (out.channels.length !== nch) return bad("missing channel");
  for (let ch = 0; ch < nch; ch++) {
    const c = out.channels[ch];
    if (wants[ch] !== c.counts.length) return bad("point count mismatch");
  }
  return out;
}
