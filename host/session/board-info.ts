/**
 * What the host knows about a board, from its `info` reply (firmware/commands.ts:
 * fw, build, board, ch, sps, cal, calid, caldate, stream, boot, k<i> N/count, z<i> counts) or its
 * `B` boot record: identity, sample rate and per-channel calibration
 * force = k · (median3(counts) − z). k = 0 means uncalibrated (NaN here).
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
