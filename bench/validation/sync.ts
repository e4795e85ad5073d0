/**
 * Sync pulses that put a record from the emulated pipeline onto the curve's time base: pure maths,
 * no I/O. Frames carry only sequence numbers and the HX711's oscillator is off nominal by up to
 * ±1 %, so each curve is framed by sync pulses (+SYNC_N N for 600 ms on both pins) before and after
 * it. Their 50 % crossings in the decoded record, matched to their known times, give the offset and
 * the true period of that record (a least-squares line through the four edges).
 */
import type { Curve } from "./spec.ts";
import { pinLoads } from "./curves.ts";

export const SYNC_N = 400;
/** sync pulses: [start, end) in s relative to the segment start */
export const SYNC_PRE_S = 2.0;
export const SYNC_POST_S = 2.0;
const PULSE_AT_S = 0.8;
/** longer than the 10 SPS filter span (400 ms), so the pulse reaches its full height at both rates */
const PULSE_LEN_S = 0.6;

/** Curve CSV with sync pulses before and after; curve time 0 is at SYNC_PRE_S in the CSV. */
export function syncedCsv(curve: Curve): string {
  const rows: string[] = ["time_s,left_n,right_n"];
  const n = curve.timesMs.length;
  const first = pinLoads(curve.spec, curve.timing, curve.truth, 0);
  const last = pinLoads(curve.spec, curve.timing, curve.truth, curve.timesMs[n - 1]);
  const push = (tS: number, l: number, r: number) => rows.push(`${tS.toFixed(4)},${l.toFixed(2)},${r.toFixed(2)}`);
  const pulse = (t0: number, base: [number, number]) => {
    push(t0, base[0], base[1]);
    push(t0 + PULSE_AT_S, base[0], base[1]);
    push(t0 + PULSE_AT_S + 0.0001, base[0] + SYNC_N, base[1] + SYNC_N);
    push(t0 + PULSE_AT_S + PULSE_LEN_S, base[0] + SYNC_N, base[1] + SYNC_N);
    push(t0 + PULSE_AT_S + PULSE_LEN_S + 0.0001, base[0], base[1]);
  };
  pulse(0, first);
  push(SYNC_PRE_S - 0.0001, first[0], first[1]);
  for (let i = 0; i < n; i++) push(SYNC_PRE_S + curve.timesMs[i] / 1000, curve.leftN[i], curve.rightN[i]);
  const endS = SYNC_PRE_S + curve.timesMs[n - 1] / 1000 + 0.001;
  pulse(endS, last);
  push(endS + SYNC_POST_S, last[0], last[1]);
  return `${rows.join("\n")}\n`;
}

/** Times (ms, curve time) of the four sync edges' midpoints. */
export function syncEdgesMs(curve: Curve): number[] {
  const endMs = curve.timesMs[curve.timesMs.length - 1] + 1;
  const a = (PULSE_AT_S - SYNC_PRE_S) * 1000 + 0.05;
  const b = a + PULSE_LEN_S * 1000;
  const c = endMs + PULSE_AT_S * 1000 + 0.05;
  return [a, b, c, c + PULSE_LEN_S * 1000];
}

/**
 * Finds the 50 % crossings of the sync pulses in a decoded total (per-sample index, fractional),
 * searching the first and last `edgeWindow` samples. Returns [] when they are not all found.
 */
export function findSyncEdges(total: number[], periodMs: number, startSearch: [number, number], endSearch: [number, number]): number[] {
  const edges: number[] = [];
  const scan = (from: number, to: number) => {
    from = Math.max(1, Math.floor(from));
    to = Math.min(total.length - 1, Math.ceil(to));
    if (to <= from) return;
    // baseline: the 20th percentile of the range (the filtered pulse covers at most 2/3 of it)
    const sorted = total.slice(from, to + 1).sort((p, q) => p - q);
    const base = sorted[Math.floor(0.2 * (sorted.length - 1))];
    const mid = base + (2 * SYNC_N) / 2; // both pins: +2·SYNC_N at the top
    let up = -1;
    for (let i = from; i <= to; i++) {
      if (up < 0 && total[i - 1] < mid && total[i] >= mid) {
        up = i - 1 + (mid - total[i - 1]) / (total[i] - total[i - 1]);
        edges.push(up);
      } else if (up >= 0 && total[i - 1] >= mid && total[i] < mid) {
        edges.push(i - 1 + (total[i - 1] - mid) / (total[i - 1] - total[i]));
        return;
      }
    }
  };
  void periodMs;
  scan(startSearch[0], startSearch[1]);
  scan(endSearch[0], endSearch[1]);
  return edges.length === 4 ? edges : [];
}

/** Least-squares line t = a + b·index through (edge index, edge time). */
export function fitTimeBase(edgeIdx: number[], edgeMs: number[]): { a: number; b: number } {
  const n = edgeIdx.length;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sx += edgeIdx[i];
    sy += edgeMs[i];
    sxx += edgeIdx[i] * edgeIdx[i];
    sxy += edgeIdx[i] * edgeMs[i];
  }
  const b = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  return { a: (sy - b * sx) / n, b };
}
