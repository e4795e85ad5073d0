/**
 * What the host knows about a board, from its `info` reply (firmware/commands.ts:
 * fw, build, board, ch, sps, cal, calid, caldate, stream, boot, k<i> N/count, z<i> counts) or its
 * `B` boot record: identity, sample rate and per-channel calibration
 * force = k · (median3(counts) − z). k = 0 means uncalibrated (NaN here). The info reply and the
 * `H` heartbeat also carry `cvus<i>`, the measured mean interval between conversions of channel i
 * (integer µs), which tells a board whose HX711 RATE pin is low (conversionIntervalsUs below: the
 * one parser, for the CLI and the web page).
 */
export interface BoardInfo {
  firmware: string;
  build: string;
  board: string;
  /** Changes at every boot: a new value means the board restarted. */
  boot: string;
  sps: number;
  channels: number;
  channelNames: string[];
  nPerCount: number[];
  zeroCounts: number[];
  /** "ok", "none", "unsaved", "corrupt" (the board's calibration state). */
  calibration: string;
  calibrationId: string;
  /** Measured mean interval between conversions per channel, µs (NaN: not reported or not measured yet). */
  conversionIntervalUs: number[];
  fields: Record<string, string>;
}

function first(fields: Record<string, string>, keys: string[]): string {
  for (const k of keys) if (fields[k] !== undefined && fields[k] !== "") return fields[k];
  return "";
}

function num(text: string): number {
  return text === "" ? NaN : Number(text);
}

export function parseBoardInfo(fields: Record<string, string>, fallback?: BoardInfo): BoardInfo {
  const sps = num(first(fields, ["sps", "rate", "hz"]));
  let channels = num(first(fields, ["ch", "channels", "nch"]));
  if (!(channels > 0)) {
    channels = 0;
    while (first(fields, [`k${channels}`, `npc${channels}`]) !== "") channels++;
  }
  if (!(channels > 0)) channels = fallback?.channels ?? 0;
  const nPerCount: number[] = [];
  const zeroCounts: number[] = [];
  const names: string[] = [];
  for (let c = 0; c < channels; c++) {
    nPerCount.push(num(first(fields, [`k${c}`, `npc${c}`])));
    zeroCounts.push(num(first(fields, [`z${c}`, `zero${c}`])));
    names.push(first(fields, [`name${c}`]) || (channels === 2 ? ["left", "right"][c] : `ch${c}`));
  }
  return {
    firmware: first(fields, ["fw", "firmware"]) || fallback?.firmware || "",
    build: first(fields, ["build", "hash"]) || fallback?.build || "",
    board: first(fields, ["board"]) || fallback?.board || "",
    boot: first(fields, ["boot", "bootid", "boots"]),
    sps: sps > 0 ? sps : fallback?.sps ?? 80,
    channels,
    channelNames: names,
    nPerCount,
    zeroCounts,
    calibration: first(fields, ["cal"]) || fallback?.calibration || "",
    calibrationId: first(fields, ["calid"]) || fallback?.calibrationId || "",
    conversionIntervalUs: conversionIntervalsUs(fields, channels),
    fields,
  };
}

export function isCalibrated(info: BoardInfo, ch: number): boolean {
  return Number.isFinite(info.nPerCount[ch]) && info.nPerCount[ch] !== 0 && Number.isFinite(info.zeroCounts[ch]);
}

/** A tare reply (`z<i>=counts`) moves the zeros; the slopes stay. */
export function withZeros(info: BoardInfo, reply: Record<string, string>): BoardInfo {
  const zeroCounts = info.zeroCounts.map((z, c) => (reply[`z${c}`] !== undefined ? Number(reply[`z${c}`]) : z));
  const fields = { ...info.fields };
  for (let c = 0; c < info.channels; c++) if (reply[`z${c}`] !== undefined) fields[`z${c}`] = reply[`z${c}`];
  return { ...info, zeroCounts, fields };
}

/** How far the force re-derived from info's rounded k (9 decimals) and z (1 decimal) may be off. */
export function infoRoundingN(info: BoardInfo, ch: number, counts: number): number {
  return 0.5e-9 * Math.abs(counts - info.zeroCounts[ch]) + 0.05 * Math.abs(info.nPerCount[ch]);
}

/**
 * An HX711 converts every 12.5 ms at 80 SPS and every 100 ms at 10 SPS (RATE pin high or low);
 * crystals vary by about 15 %, so halfway on a log scale would be 35 ms: 50 ms leaves the 80 SPS
 * side far behind and still catches every board at 10.
 */
export const RATE_PIN_LOW_INTERVAL_US = 50000;

/** `cvus<i>` per channel from an info reply or an `H` record; NaN where absent, malformed or 0 (not measured yet). */
export function conversionIntervalsUs(fields: Record<string, string>, channels: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < channels; c++) {
    const text = fields[`cvus${c}`];
    const us = text !== undefined && /^\d+$/.test(text) ? Number(text) : NaN;
    out.push(us > 0 ? us : NaN);
  }
  return out;
}

/** A conversion interval in ms, to 0.1 ms, for people. */
export function intervalMs(us: number): number {
  return Math.round(us / 100) / 10;
}

export interface RatePinWarning {
  channel: number;
  intervalUs: number;
  text: string;
}

/** "channel N converts every X ms: RATE pin low?" for each channel of an 80 SPS board that converts at 10 SPS. */
export function ratePinWarnings(sps: number, intervalsUs: number[], names: string[] = []): RatePinWarning[] {
  if (sps !== 80) return [];
  const out: RatePinWarning[] = [];
  intervalsUs.forEach((us, c) => {
    if (!(us > RATE_PIN_LOW_INTERVAL_US)) return;
    const name = names[c] ? ` (${names[c]})` : "";
    out.push({
      channel: c, intervalUs: us,
      text: `channel ${c}${name} converts every ${intervalMs(us)} ms: RATE pin low? ` +
        "The board is declared at 80 samples/s (one conversion every 12.5 ms): tie its HX711's RATE pin to VDD (`rackcell wiring`)",
    });
  });
  return out;
}
