/**
 * Force-time CSV scenarios: a recorded pull replayed on the pins. Runs in Node and, transpiled,
 * in the emulator's Lua 5.1 (no regex; errors thrown as message strings).
 */
import type { Scenario } from "./scenarios.ts";
import { parseDecimal } from "./spec.ts";

function splitFields(line: string): string[] {
  const out: string[] = [];
  let sep = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 44 || c === 59 || c === 9) { sep = 1; break; } // , ; tab
  }
  let start = 0;
  if (sep === 1) {
    for (let i = 0; i <= line.length; i++) {
      const c = i < line.length ? line.charCodeAt(i) : 44;
      if (c === 44 || c === 59 || c === 9) {
        out.push(line.substring(start, i).trim());
        start = i + 1;
      }
    }
    return out;
  }
  // Whitespace-separated.
  for (let i = 0; i <= line.length; i++) {
    const c = i < line.length ? line.charCodeAt(i) : 32;
    if (c === 32) {
      if (i > start) out.push(line.substring(start, i));
      start = i + 1;
    }
  }
  return out;
}

/**
 * Replays recorded forces. Columns: time in s (non-negative, strictly increasing), then one
 * force in N per pin. Separators: comma, semicolon, tab or spaces. An optional header (first
 * non-comment line whose first field is not a number); `#` starts a comment; blank lines are
 * skipped. Between rows the force is interpolated linearly; before the first row the first
 * values hold, after the last row the last ones. `channels` (default: the number of force
 * columns) must match, except that a 1-channel board gets the sum of all columns.
 * Throws a message "CSV line N: reason" (a string, see scenarioByName) for malformed input.
 */
export function scenarioFromCsv(text: string, channels?: number): Scenario {
  const lines = text.split("\n");
  const times: number[] = [];
  const cols: number[][] = [];
  let ncols = 0;
  let headerSeen = false;
  let dataSeen = false;
  for (let li = 0; li < lines.length; li++) {
    let line = lines[li];
    const hash = line.indexOf("#");
    if (hash >= 0) line = line.substring(0, hash);
    line = line.trim();
    if (line.length === 0) continue;
    const lineNo = li + 1;
    const fields = splitFields(line);
    if (!dataSeen && !headerSeen && parseDecimal(fields[0]) !== parseDecimal(fields[0])) {
      headerSeen = true;
      ncols = fields.length;
      if (ncols < 2) throw `CSV line ${lineNo}: the header needs a time column and at least one force column`;
      continue;
    }
    if (ncols === 0) {
      ncols = fields.length;
      if (ncols < 2) throw `CSV line ${lineNo}: need a time column and at least one force column, got ${ncols} field`;
    }
    if (fields.length !== ncols) {
      throw `CSV line ${lineNo}: expected ${ncols} columns (time + ${ncols - 1} forces), got ${fields.length}`;
    }
    if (!dataSeen) for (let c = 1; c < ncols; c++) cols.push([]);
    dataSeen = true;
    const t = parseDecimal(fields[0]);
    if (t !== t) throw `CSV line ${lineNo}: time "${fields[0]}" is not a number`;
    if (t < 0) throw `CSV line ${lineNo}: time ${fields[0]} s is negative`;
    if (times.length > 0 && t <= times[times.length - 1]) {
      throw `CSV line ${lineNo}: time ${fields[0]} s is not after the previous row's ${times[times.length - 1]} s`;
    }
    times.push(t);
    for (let c = 1; c < ncols; c++) {
      const f = parseDecimal(fields[c]);
      if (f !== f) throw `CSV line ${lineNo}: force "${fields[c]}" in column ${c + 1} is not a number`;
      cols[c - 1].push(f);
    }
  }
  if (times.length === 0) throw "CSV has no data rows";
  const nForce = ncols - 1;
  const ch = channels === undefined ? nForce : channels;
  if (!(ch >= 1)) throw "CSV: channels must be at least 1";
  const sumAll = ch === 1 && nForce > 1;
  if (!sumAll && ch !== nForce) throw `CSV has ${nForce} force column(s) but the board has ${ch} channel(s)`;
  const n = times.length;
  let cursor = 0;
  const valueAt = (col: number[], tS: number): number => {
    if (tS <= times[0]) return col[0];
    if (tS >= times[n - 1]) return col[n - 1];
    if (tS < times[cursor]) cursor = 0;
    while (cursor < n - 2 && times[cursor + 1] <= tS) cursor++;
    const t0 = times[cursor];
    const t1 = times[cursor + 1];
    return col[cursor] + ((col[cursor + 1] - col[cursor]) * (tS - t0)) / (t1 - t0);
  };
  const forceN = (channel: number, tS: number): number => {
    if (sumAll) {
      if (channel !== 0) return 0;
      let s = 0;
      for (let c = 0; c < nForce; c++) s = s + valueAt(cols[c], tS);
      return s;
    }
    if (channel < 0 || channel >= nForce) return 0;
    return valueAt(cols[channel], tS);
  };
  const first: number[] = [];
  const last: number[] = [];
  for (let c = 0; c < ch; c++) {
    first.push(forceN(c, times[0]));
    last.push(forceN(c, times[n - 1]));
  }
  return {
    name: "csv",
    durationS: times[n - 1],
    channels: ch,
    description: `CSV replay: ${n} rows, ${nForce} force column(s), ${times[0]}…${times[n - 1]} s`,
    forceN,
    truth: { kind: "csv", massKg: 0, restLoadN: first, restLoadAfterN: last },
  };
}
